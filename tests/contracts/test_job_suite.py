"""The client contract suite for a vendor whose answer is a job (AKOOL) judges clients right:
the example passes every item, its buggy variant fails exactly the failed-job item, and each
kind of broken client fails its own item."""

from __future__ import annotations

import pytest

from .test_suite import _failed, _table
from .test_suite import _run as run_suite

pytest_plugins = ["pytester"]

# Variants of the example client with one bug each.
BROKEN = '''
import time
from examples import akool_client as ak


class NoRefresh(ak.AkoolClient):
    def _authorized(self, method, path, **kwargs):
        return self._send(method, path, headers={"Authorization": f"Bearer {self._token_now()}"}, **kwargs)


class NeverGivesUp(ak.AkoolClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.patience, self.poll_every = float("inf"), 60.0


class ResubmitsAtOnce(ak.AkoolClient):
    def submit(self, content, webhook_url=None):
        try:
            return super().submit(content, webhook_url)
        except ak.RateLimited:
            return super().submit(content, webhook_url)


class SlowPoller(ak.AkoolClient):  # correct: polls every 10 s
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll_every = 10.0


class SleepsFirst(ak.AkoolClient):  # correct: waits the expected processing time before its first poll
    def wait(self, job_id):
        self.sleep(8.0)
        return super().wait(job_id)


class BacksOffWithSleep(ak.AkoolClient):  # correct: on 1005, waits 5 s with the sleep it was given
    def submit(self, content, webhook_url=None):
        try:
            return super().submit(content, webhook_url)
        except ak.RateLimited:
            self.sleep(5.0)
            return super().submit(content, webhook_url)


class PollsCarelessly(ak.AkoolClient):  # a broken poll answer escapes as whatever requests raises
    def _authorized(self, method, path, **kwargs):
        if method != "GET":
            return super()._authorized(method, path, **kwargs)
        import requests
        return requests.get(self.base_url + path, headers={"Authorization": f"Bearer {self._token_now()}"},
                            timeout=5, **kwargs).json()


class TrustsAnySignature(ak.WebhookReceiver):
    def check_signature(self, envelope):
        pass


class NoReplayCheck(ak.WebhookReceiver):
    def check_fresh(self, envelope):
        pass


class DecidesEveryWebhook(ak.WebhookReceiver):
    def handle(self, envelope):
        job = self.open(envelope)
        return ak.DECISIONS[job["final_conclusion"]] if job["status"] == ak.COMPLETED else "review"


def _make(client_class=ak.AkoolClient, receiver_class=ak.WebhookReceiver, real_sleep=False):
    receiver = receiver_class()
    clients = {}

    def adapter(url, credentials, sleep=time.sleep, callback_url=None):
        account = credentials["credentials"][0]
        receiver.client_id, receiver.client_secret = account["clientId"], account["clientSecret"]
        client = clients.setdefault(url, client_class(url, account["clientId"], account["clientSecret"]))
        client.sleep = time.sleep if real_sleep else sleep
        job = client.submit("https://cdn.example.com/uploads/photo.jpg", callback_url)
        return None if callback_url else client.wait(job)

    adapter.errors = (ak.ModerationError,)
    adapter.receiver = receiver.handle
    return adapter


no_refresh = _make(NoRefresh)
never_gives_up = _make(NeverGivesUp)
resubmits_at_once = _make(ResubmitsAtOnce)
trusts_any_signature = _make(receiver_class=TrustsAnySignature)
no_replay_check = _make(receiver_class=NoReplayCheck)
decides_every_webhook = _make(receiver_class=DecidesEveryWebhook)
sleeps_for_real = _make(real_sleep=True)
slow_poller = _make(SlowPoller)
sleeps_first = _make(SleepsFirst)
backs_off_with_sleep = _make(BacksOffWithSleep)
polls_carelessly = _make(PollsCarelessly)


def no_sleep_keyword(url, credentials):
    return "pass"
'''


def _run(pytester: pytest.Pytester, client: str, *args: str, timeout: float = 60) -> pytest.RunResult:
    pytester.makepyfile(broken_akool=BROKEN)
    return run_suite(pytester, client, f"--modmock-call-timeout={timeout:g}", *args, vendor="akool")


ITEMS = 25  # 3 verdicts, 9 documented codes, 3 faults, 3 callbacks, and one each of the rest


def test_the_example_akool_client_passes_every_item(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "examples.akool_client:adapter")
    result.assert_outcomes(passed=ITEMS)
    table = _table(result)
    assert len(table) == ITEMS
    assert {"job_failed", "job_never_ends", "token_refresh", "webhook_forged", "webhook_replayed",
            "callbacks[reject]", "error_code[1101]"} <= set(table)


def test_the_client_that_trusts_failed_jobs_fails_only_that_item(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "examples.akool_client:buggy_adapter")
    assert _failed(result) == {"job_failed"}
    assert "an error taken for a clean verdict" in _table(result)["job_failed"]


@pytest.mark.parametrize(("client", "items", "why"), [  # a client that hangs is given 3 s
    ("no_refresh", {"token_refresh"}, "asked for no new token"),
    ("never_gives_up", {"job_never_ends"}, "never gave up"),
    ("resubmits_at_once", {"rate_limit"}, "resubmitted"),
    ("trusts_any_signature", {"webhook_forged"}, "took a forged callback"),
    ("no_replay_check", {"webhook_replayed"}, "sealed an hour ago"),
    ("decides_every_webhook", {"callbacks[pass]", "callbacks[reject]"}, "changed the decision"),
    ("sleeps_for_real", {"verdict[pass]"}, "instead of the sleep"),
    ("no_sleep_keyword", {"verdict[pass]", "requests_valid"}, "takes no sleep keyword"),
    ("polls_carelessly", {"fault[reset]", "fault[empty]", "fault[malformed]"}, "raised"),
])
def test_a_broken_client_fails_its_items(pytester: pytest.Pytester, client: str, items: set[str],
                                         why: str) -> None:
    keep = " or ".join(sorted({item.split("[")[0] for item in items}))
    result = _run(pytester, f"broken_akool:{client}", "-k", keep, timeout=3 if client == "sleeps_for_real" else 60)
    failed = _failed(result)
    assert items <= failed, result.stdout.str()
    assert all(why in _table(result)[item] for item in items), result.stdout.str()


@pytest.mark.parametrize("client", ["slow_poller", "sleeps_first", "backs_off_with_sleep"])
def test_correct_clients_of_other_habits_pass(pytester: pytest.Pytester, client: str) -> None:
    """Polling every 10 s, waiting before the first poll, backing off with the suite's sleep."""
    result = _run(pytester, f"broken_akool:{client}", "-k", "job_never_ends or rate_limit or verdict")
    result.assert_outcomes(passed=5)
