"""``mockserver run --workers N --store redis://...``: several processes on one port behave as one
vendor. Real processes, real sockets: a master, its workers, and a real Redis."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from jocloud_helpers import TOKEN, image, path


def _start(tmp_path: Path, store_url: str, workers: int, config_text: str = "[jocloud]\n", vendor: str = "jocloud",
           ) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    ready = tmp_path / "ready.json"
    config = tmp_path / "mock.toml"
    config.write_text(config_text, encoding="utf-8")
    master = subprocess.Popen(
        [sys.executable, "-m", "modmock", "run", "--vendor", vendor, "--port", "0", "--workers", str(workers),
         "--store", store_url, "--config", str(config), "--ready-file", str(ready), "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not ready.exists():
        if master.poll() is not None:
            raise AssertionError(f"the master ended: {master.stdout.read().decode() if master.stdout else ''}")
        if time.monotonic() > deadline:
            master.kill()
            raise AssertionError("the workers did not start within 60 s")
        time.sleep(0.05)
    return master, json.loads(ready.read_text(encoding="utf-8"))


def _stop(master: subprocess.Popen[bytes]) -> None:
    master.send_signal(signal.SIGTERM)
    try:
        master.wait(30)
    except subprocess.TimeoutExpired:
        master.kill()
        master.wait()


@pytest.fixture
def workers(tmp_path: Path, store_url: str) -> Iterator[dict[str, Any]]:
    master, ready = _start(tmp_path, store_url, 3)
    try:
        yield dict(ready, master=master)
    finally:
        _stop(master)


def _moderate(url: str, data_id: str) -> requests.Response:
    return requests.post(url + path("jocloud", "image_sync"), json=image(data_id), params={"traceId": data_id},
                         headers={"token": TOKEN, "Connection": "close"}, timeout=30)


def _moderate_on_a_worker(url: str, data_id: str) -> tuple[int, requests.Response]:
    """The worker a fresh connection reached (its pid), and the request sent on that connection."""
    with requests.Session() as session:
        pid = session.get(url + "/__admin/health", timeout=10).json()["process"]["pid"]
        answer = session.post(url + path("jocloud", "image_sync"), json=image(data_id), params={"traceId": data_id},
                              headers={"token": TOKEN}, timeout=30)
    return pid, answer


def _pids(url: str, tries: int = 40) -> set[int]:
    """The workers that answered ``tries`` fresh connections (one the kernel had queued for a
    worker that was just killed is reset: not counted)."""
    found = set()
    for _ in range(tries):
        try:
            found.add(requests.get(url + "/__admin/health", headers={"Connection": "close"}, timeout=10)
                      .json()["process"]["pid"])
        except requests.ConnectionError:
            pass
    return found


def test_connections_are_spread_over_the_workers(workers) -> None:
    assert len(workers["workers"]) == 3
    assert len(_pids(workers["url"])) >= 2  # SO_REUSEPORT hands new connections to every worker


def test_twenty_one_concurrent_requests_over_workers_get_exactly_one_429(workers) -> None:
    url = workers["url"]
    added = requests.post(url + "/__admin/faults", json={"vendor": "jocloud", "latency": 1.5, "times": 21},
                          timeout=10)
    assert added.status_code == 201, added.text
    with ThreadPoolExecutor(21) as pool:
        sent = list(pool.map(lambda n: _moderate_on_a_worker(url, f"c-{n}"), range(21)))
    assert len({pid for pid, _ in sent}) >= 2  # the 21 really went to several workers
    assert sorted(r.status_code for _, r in sent) == [200] * 20 + [429]


def test_a_qps_limit_holds_across_workers(tmp_path: Path, store_url: str) -> None:
    master, ready = _start(tmp_path, store_url, 3, "[jocloud]\nqps = { image_sync = 10 }\n")
    try:
        _qps_holds(ready["url"])
    finally:
        _stop(master)


def _qps_holds(url: str) -> None:
    with ThreadPoolExecutor(6) as pool:
        started = time.monotonic()
        sent = list(pool.map(lambda n: _moderate_on_a_worker(url, f"q-{n}"), range(30)))
        elapsed = time.monotonic() - started
    assert len({pid for pid, _ in sent}) >= 2
    accepted = sum(r.status_code == 200 for _, r in sent)
    windows = int(elapsed) + 1  # a window of one second, counted from each accepted request
    assert accepted <= 10 * windows, (accepted, elapsed)
    if elapsed < 1.0:
        assert accepted == 10, (accepted, elapsed)


def test_the_journal_holds_every_request_exactly_once(workers) -> None:
    url = workers["url"]
    sent = [f"j-{n}" for n in range(60)]
    with ThreadPoolExecutor(8) as pool:
        assert all(r.status_code == 200 for r in pool.map(lambda d: _moderate(url, d), sent))
    for _ in range(3):  # read through several workers: each shows the whole journal
        listed = requests.get(url + "/__admin/requests", params={"limit": 1000}, headers={"Connection": "close"},
                              timeout=10).json()["requests"]
        seen = [e["body"]["data"][0]["dataId"] for e in listed]
        assert sorted(seen) == sorted(sent)
        ids = [e["id"] for e in listed]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)


def test_a_worker_killed_with_sigkill_is_replaced_and_the_mock_keeps_serving(workers) -> None:
    url = workers["url"]
    victim = workers["workers"][0]
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the master starts another in its place
        if victim not in _pids(url, 12) and len(_pids(url, 30)) == 3:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("no replacement worker answered")
    answers = [_moderate(url, f"k-{n}") for n in range(20)]
    assert all(r.status_code == 200 for r in answers)


def test_a_worker_killed_with_sigkill_loses_no_accepted_job(tmp_path: Path, store_url: str) -> None:
    from akool_helpers import CLIENT_ID, CLIENT_SECRET, INFO, SUBMIT
    from modmock.contracts import akool as kit
    from modmock.fixtures.sink import CallbackSink

    config = "[akool]\nqueue_seconds = 3600\nprocessing_seconds = { text = 60 }\n"
    master, ready = _start(tmp_path, store_url, 2, config, vendor="akool")
    try:
        with CallbackSink() as sink, requests.Session() as session:
            url = ready["url"]
            accepting = session.get(url + "/__admin/health", timeout=10).json()["process"]["pid"]  # this connection's
            token = session.post(url + "/api/open/v3/getToken", json={"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET},
                                 timeout=10).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            job = session.post(url + SUBMIT, json={"type": 4, "content": "kind words", "webhookUrl": sink.url},
                               headers=headers, timeout=10).json()["data"]["_id"]
            os.kill(accepting, signal.SIGKILL)  # its steps are due in an hour: none has run
            survivor = None
            for _ in range(50):
                try:
                    with requests.Session() as other:
                        pid = other.get(url + "/__admin/health", timeout=10).json()["process"]["pid"]
                        if pid != accepting:
                            moved = other.post(url + "/__admin/clock/advance", json={"seconds": 7200}, timeout=30)
                            assert moved.status_code == 200, moved.text
                            survivor = pid
                            break
                except requests.ConnectionError:
                    pass
            assert survivor is not None
            done = requests.get(url + INFO, params={"_id": job}, headers=headers, timeout=10).json()["data"]
            assert done["status"] == 3 and done["final_conclusion"] == "Compliant"
            sink.wait_for(2, timeout=10)
            time.sleep(0.3)
            assert [kit.open_webhook(r.json, CLIENT_ID, CLIENT_SECRET)["status"] for r in sink.deliveries] == [2, 3]
    finally:
        _stop(master)
