"""A request, its task and its callbacks are freed by reference counting alone: nothing they
leave behind waits for the cyclic garbage collector. Thousands of pending tasks make every
collection long, and each one is a pause every request in flight waits for (issue 14: the p99
of AKOOL submits and asynchronous Deepcleer requests)."""

from __future__ import annotations

import gc
import http.client
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import modmock
from modmock.mockserver.core.clock import MockClock, Scheduler
from modmock.mockserver.core.tasks import Step, TaskStore

from .akool_helpers import CLIENT_ID, CLIENT_SECRET, SUBMIT
from .helpers import image_request

REQUESTS = 200


class _Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # one kept-alive connection, as a real receiver would

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        answer = b'{"code": 1100}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()
    server.server_close()


def _cyclic_garbage(mock: modmock.MockServer, path: str, bodies: Iterator[dict[str, Any]],
                    headers: dict[str, str], settle: Callable[[int], object]) -> int:
    """Objects the collector alone could free after the requests after the first and every
    task they started have run to their end (the first one imports what it needs: classes are
    cycles)."""
    connection = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=30)

    def send(body: dict[str, Any]) -> None:
        connection.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json",
                                                                          **headers})
        answer = connection.getresponse()
        assert answer.status == 200, answer.read()
        answer.read()

    send(next(bodies))
    settle(1)
    gc.collect()
    gc.disable()
    try:
        sent = 1
        for body in bodies:
            send(body)
            sent += 1
        settle(sent)
        return gc.collect()
    finally:
        gc.enable()
        connection.close()


def test_akool_jobs_leave_no_cycles() -> None:
    with modmock.serve("akool", clock="manual") as mock:
        login = json.dumps({"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET})
        connection = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=30)
        connection.request("POST", "/api/open/v3/getToken", body=login, headers={"Content-Type": "application/json"})
        token = json.loads(connection.getresponse().read())["token"]
        connection.close()
        bodies = ({"type": 1, "content": f"https://cdn.example.com/u/{i}.jpg"} for i in range(REQUESTS + 1))
        left = _cyclic_garbage(mock, SUBMIT, bodies, {"Authorization": f"Bearer {token}"},
                               lambda _: mock.run_until_idle())
        assert len([t for t in mock.state.tasks.list() if t.status == "completed"]) == REQUESTS + 1
    assert left < REQUESTS / 4, f"{left} objects in cycles after {REQUESTS} jobs"


def test_deepcleer_callbacks_leave_no_cycles(receiver: str) -> None:
    with modmock.serve("deepcleer") as mock:  # each callback at once, on the connection the last one used
        bodies = (image_request({"img": f"https://cdn.example.com/{i}.jpg", "tokenId": f"u{i}"}, callback=receiver)
                  for i in range(REQUESTS + 1))
        left = _cyclic_garbage(mock, "/image/v4", bodies, {}, lambda sent: mock.wait_for_callbacks(sent, timeout=30))
        assert sum(1 for d in mock.callbacks if d.state == "delivered") == REQUESTS + 1
    assert left < REQUESTS / 4, f"{left} objects in cycles after {REQUESTS} callbacks"


async def test_a_finished_or_stopped_task_frees_its_plan_without_the_collector() -> None:
    scheduler = Scheduler(MockClock(manual=True))
    tasks = TaskStore(scheduler)
    freed: list[str] = []

    class Action:
        def __init__(self, name: str) -> None:
            self.name = name

        async def __call__(self, task: Any) -> None:
            pass

        def __del__(self) -> None:
            freed.append(self.name)

    gc.disable()
    try:
        tasks.start("runs", "v", "e", "new", [Step(1, "working", Action("runs")), Step(1, "done")])
        tasks.start("stopped", "v", "e", "new", [Step(5, "working", Action("stopped"))])
        tasks.stop("stopped", "cancelled")
        assert freed == ["stopped"]  # cancelled: its timer no longer holds the plan
        await scheduler.advance(3)
        assert sorted(freed) == ["runs", "stopped"]
    finally:
        gc.enable()
