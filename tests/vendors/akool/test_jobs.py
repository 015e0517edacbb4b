"""Jobs: 1 queueing → 2 processing → 3 completed / 4 failed on a manual clock, polled with
infobyid; every code of the three endpoints."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

import modmock
from akool_helpers import bearer, info, submit
from modmock.mockserver.core import schemas


@pytest.fixture(scope="module")
def _manual() -> Iterator[modmock.MockServer]:
    config = {"akool": {"credentials": [{"client_id": "other-account-01", "client_secret": "o" * 24}]}}
    with modmock.serve("akool", clock="manual", config=config) as mock:
        yield mock


@pytest.fixture
def akool(_manual: modmock.MockServer) -> modmock.MockServer:
    _manual.reset()
    return _manual


def _statuses_over(mock: modmock.MockServer, job_id: str, headers: dict, steps: list[float]) -> list[dict]:
    seen = []
    for step in steps:
        mock.advance(step)
        answer = info(mock, job_id, headers)
        assert schemas.validator("akool/infobyid_response.json").is_valid(answer), answer
        seen.append(answer["data"])
    return seen


@pytest.mark.parametrize(("url", "conclusion", "says"), [
    ("https://cdn.example.com/photo.jpg", "Compliant", "No inappropriate content"),
    ("https://cdn.example.com/porn.jpg", "Non-Compliant", "- sexual content:"),
    ("https://cdn.example.com/review-violence.png", "Unknown", "- violence:"),
])
def test_a_job_goes_through_every_status_to_its_conclusion(akool, url: str, conclusion: str, says: str) -> None:
    headers = bearer(akool)
    answer = submit(akool, {"type": 1, "content": url}, headers)
    assert schemas.validator("akool/sentiment_response.json").is_valid(answer), answer
    data = answer["data"]
    assert (data["status"], data["result"], data["type"], data["__v"]) == (1, "", 1, 0)
    seen = _statuses_over(akool, data["_id"], headers, [0, 1.9, 0.2, 4.7, 0.2, 100])
    assert [s["status"] for s in seen] == [1, 1, 2, 2, 3, 3]
    assert [s["final_conclusion"] for s in seen][:4] == [""] * 4
    assert seen[-1]["final_conclusion"] == conclusion and says in seen[-1]["result"]
    assert seen[-1]["result"].endswith(f"Result: {conclusion}")
    akool.assert_all_requests_valid()


def test_a_rule_makes_the_job_fail(akool) -> None:
    akool.add_rule(match={"vendor": "akool"}, error={"code": "job_failed", "message": "model crashed"})
    headers = bearer(akool)
    job = submit(akool, {"type": 2, "content": "https://cdn.example.com/clip.mp4"}, headers)["data"]
    assert job["status"] == 1
    akool.run_until_idle()
    final = info(akool, job["_id"], headers)["data"]
    assert final["status"] == 4 and "model crashed" in final["result"] and final["final_conclusion"] == "Unknown"


def test_durations_are_configurable_per_type() -> None:
    config = {"akool": {"queue_seconds": 1, "processing_seconds": {"video": 100, "text": 0.5}}}
    with modmock.serve("akool", clock="manual", config=config) as mock:
        headers = bearer(mock)
        video = submit(mock, {"type": 2, "content": "https://cdn.example.com/a.mp4"}, headers)["data"]["_id"]
        text = submit(mock, {"type": 4, "content": "hello there"}, headers)["data"]["_id"]
        mock.advance(1.5)
        assert info(mock, text, headers)["data"]["status"] == 3
        assert info(mock, video, headers)["data"]["status"] == 2
        mock.advance(100)
        assert info(mock, video, headers)["data"]["status"] == 3


def test_statuses_never_go_backwards(akool) -> None:
    headers = bearer(akool)
    jobs = [submit(akool, {"type": t, "content": c}, headers)["data"]["_id"] for t, c in
            [(1, "https://a.example/x.png"), (3, "https://a.example/x.mp3"), (4, "some words")]]
    last = {j: 0 for j in jobs}
    for _ in range(40):
        akool.advance(2.5)
        for job in jobs:
            status = info(akool, job, headers)["data"]["status"]
            assert status >= last[job]
            last[job] = status
    assert set(last.values()) == {3}


def test_unknown_id_1008_other_account_1009_missing_id_1003(akool) -> None:
    mine = bearer(akool)
    theirs = bearer(akool, client_id="other-account-01", client_secret="o" * 24)
    job = submit(akool, {"type": 1, "content": "https://a.example/x.png"}, mine)["data"]["_id"]
    assert info(akool, "f" * 24, mine)["code"] == 1008
    assert info(akool, job, theirs)["code"] == 1009
    assert info(akool, job, mine)["code"] == 1000
    missing = requests.get(akool.url + "/api/open/v3/content/analysis/infobyid", headers=mine, timeout=10).json()
    assert missing["code"] == 1003 and "_id" in missing["msg"]


@pytest.mark.parametrize("code", [1003, 1008, 1009, 1101, 1102, 1200, 1201, 1202, 1203, 1005])
def test_every_code_can_be_injected_and_validates(akool, code: int) -> None:
    akool.fail_next(code, endpoint="sentiment")
    answer = submit(akool, {"type": 2, "content": "https://a.example/v.mp4"})
    assert answer["code"] == code and answer["msg"]
    assert schemas.validator("akool/sentiment_response.json").is_valid(answer)


def test_the_rate_limit_answers_1005_per_account() -> None:
    with modmock.serve("akool", config={"akool": {"qps": 1}}) as mock:
        headers = bearer(mock)
        first, second = (submit(mock, {"type": 4, "content": "hi"}, headers) for _ in range(2))
    assert first["code"] == 1000
    assert second["code"] == 1005 and "more than 1 requests in one second" in second["msg"]


SEED_LABELS = ["advertising", "violence", "political content", "specified speech", "specified lyrics",
               "sexual content", "moaning sounds", "contraband", "profane language", "religious content",
               "cyberbullying", "harmful content", "silent audio", "customized content"]  # "Internationalization labels"


def _final(mock: modmock.MockServer, body: dict) -> str:  # type: ignore[type-arg]
    headers = bearer(mock)
    job = submit(mock, body, headers)["data"]["_id"]
    mock.run_until_idle()
    return str(info(mock, job, headers)["data"]["result"])


def test_every_label_of_the_seed_comes_from_a_rule_and_from_the_default_rule(akool) -> None:
    from modmock.mockserver.vendors.akool import profile
    by_name: dict[str, str] = {}
    for category, name in profile.LABELS.items():
        by_name.setdefault(name, category)
    assert sorted(by_name) == sorted(SEED_LABELS)  # the 14 labels, each from some canonical category
    for name, category in by_name.items():
        akool.add_rule(times=1, verdict={"risk": "reject", "labels": [{"category": category}]})
        assert f"- {name}:" in _final(akool, {"type": 3, "content": "https://cdn.example.com/clip.mp3"}), name
        assert f"- {name}:" in _final(akool, {"type": 3, "content": f"https://cdn.example.com/{category}.mp3"}), name


def test_a_poll_takes_the_faults_that_name_it_and_no_other(akool: modmock.MockServer) -> None:
    headers = bearer(akool)
    job_id = submit(akool, {"type": 1, "content": "https://cdn.example.com/a.jpg"}, headers)["data"]["_id"]
    akool.fail_next(1003)  # names no endpoint: the next submission's, as it always was
    assert info(akool, job_id, headers)["code"] == 1000
    assert submit(akool, {"type": 1, "content": "https://cdn.example.com/b.jpg"}, headers)["code"] == 1003
    akool.fail_next(1101, endpoint="infobyid")  # a poll fails as any call does
    assert info(akool, job_id, headers)["code"] == 1101
    for content_code in ("job_failed", 1201, 1202, 1203):  # a submission's content, never a poll's
        with pytest.raises(modmock.InvalidSpecError, match="at infobyid"):
            akool.fail_next(content_code, endpoint="infobyid")
