"""Every journaled callback attempt was really sent: a stalling receiver holds the connections,
and the attempts waiting for one are not timed out unsent (phantom attempts)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

import modmock
from modmock.mockserver.core import callbacks


@pytest.fixture
def stalling() -> Iterator[tuple[str, list[float]]]:
    """A receiver that reads each request and never answers; it counts the requests it got."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    seen: list[float] = []
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            conn.settimeout(2)
            try:
                if conn.recv(65536).startswith(b"POST "):
                    seen.append(time.monotonic())
            except OSError:
                pass
            held.append(conn)  # never answered

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/hook", seen
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


def test_attempts_waiting_for_a_connection_are_sent_before_they_are_timed(
        stalling: tuple[str, list[float]], monkeypatch: pytest.MonkeyPatch) -> None:
    url, seen = stalling
    monkeypatch.setattr(callbacks, "CONNECTIONS", 3)  # fewer connections than deliveries
    monkeypatch.setattr(callbacks, "ATTEMPT_TIMEOUT", 0.5)
    with modmock.serve("deepcleer") as mock:
        for i in range(9):
            mock.state.callbacks.submit(vendor="deepcleer", endpoint="image_v4", url=url, body={"n": i},
                                        request_id=str(i), schedule=())
        done = mock.wait_for_callbacks(9, timeout=15)
    attempts = [a for d in done for a in d.attempts]
    assert len(attempts) == 9 and all(a.outcome == "error" for a in attempts)
    assert len(seen) == 9  # each journaled attempt reached the receiver
