"""A real redis-server for the shared-store tests: the one CI started (``CI_REDIS_URL``),
or one started here on a free loopback port; and a private one a test may stop and start."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """``redis-server`` on 127.0.0.1, without persistence; ``stop`` and ``start`` keep its port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="modmock-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI_REQUIRE_REDIS"):
                pytest.fail("redis-server is not installed (apt-get install redis-server)")
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--loglevel", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def isolated(url: str) -> str:
    """``url`` with a key prefix of its own: tests sharing one Redis never see each other's keys."""
    return f"{url}{'&' if '?' in url else '?'}prefix=test-{uuid.uuid4().hex[:12]}"


class FaultyLink:
    """A TCP relay between one mock and its Redis that can hold back, or lose the reply to, the
    next write of the mock's work (a command naming the shared store's commit script): the faults
    of a real network, injected on real sockets. While it is down it refuses every connection."""

    def __init__(self, url: str) -> None:
        import hashlib
        import threading
        from urllib.parse import urlsplit

        from modmock.mockserver.core.shared import scripts

        parts = urlsplit(url)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self.marker = b"EVALSHA\r\n$40\r\n" + hashlib.sha1(scripts.COMMIT.encode()).hexdigest().encode()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = url.replace(f":{parts.port}/", f":{self.listener.getsockname()[1]}/", 1)
        self.down = False
        self.lose_next = False  # the next write runs in Redis, and its reply never comes back
        self.hold_next = False  # the next write waits (before reaching Redis) until ``release``
        self.held = threading.Event()
        self.released = threading.Event()
        self._pairs: list[dict] = []
        self._threading = threading
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            server = socket.create_connection(self.upstream)
            pair = {"client": client, "server": server, "losing": False}
            self._pairs.append(pair)
            self._threading.Thread(target=self._upward, args=(pair,), daemon=True).start()
            self._threading.Thread(target=self._downward, args=(pair,), daemon=True).start()

    def _upward(self, pair: dict) -> None:
        tail = b""
        while True:
            try:
                data = pair["client"].recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            seen, tail = tail + data, data[-64:]
            if self.marker in seen:
                if self.hold_next:
                    self.hold_next = False
                    self.held.set()
                    self.released.wait(10)
                elif self.lose_next:
                    self.lose_next = False
                    pair["losing"] = True
            try:
                pair["server"].sendall(data)
            except OSError:
                break
        self._close(pair)

    def _downward(self, pair: dict) -> None:
        while True:
            try:
                data = pair["server"].recv(65536)
            except OSError:
                data = b""
            if not data or pair["losing"]:  # (the reply to the lost write: dropped with the connection)
                if pair["losing"]:
                    self.down = True
                    for other in list(self._pairs):
                        self._close(other)
                break
            try:
                pair["client"].sendall(data)
            except OSError:
                break
        self._close(pair)

    @staticmethod
    def _close(pair: dict) -> None:
        for side in ("client", "server"):
            try:
                pair[side].shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                pair[side].close()
            except OSError:
                pass

    def up(self) -> None:
        """Accept connections again (after a lost reply took the link down)."""
        self.down = False

    def close(self) -> None:
        self.listener.close()
        for pair in list(self._pairs):
            self._close(pair)
