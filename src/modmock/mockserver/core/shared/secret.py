"""The key that signs the work a shared store holds (pickled tasks, timers, deliveries).

A worker runs pickled work only when its HMAC is good: whoever can write to the Redis server but
does not know the key cannot make the mock run anything. The key is ``--store-secret`` (or
``MODMOCK_STORE_SECRET``) when given, which several machines must share; else one kept for this
user in ``$XDG_CACHE_HOME/modmock/store-secret`` (``~/.cache/...``), which every process on this
machine reads; ``--workers`` hands its workers one of its own.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger("modmock")


def secret_file() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "modmock" / "store-secret"


def store_key(given: str | None) -> bytes:
    """The signing key: ``given``, else this user's (made once, readable by the user alone)."""
    if given:
        return given.encode("utf-8")
    path = secret_file()
    try:
        return path.read_bytes().strip() or _make(path)
    except FileNotFoundError:
        return _make(path)
    except OSError as exc:
        return _own(f"cannot read {path}: {exc}")


def _make(path: Path) -> bytes:
    key = secrets.token_hex(32).encode("ascii")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: its key is everyone's
        return path.read_bytes().strip()
    except OSError as exc:
        return _own(f"cannot write {path}: {exc}")
    with os.fdopen(descriptor, "wb") as out:
        out.write(key)
    return key


def _own(why: str) -> bytes:
    log.warning("shared store: %s; this process signs its work with a key of its own, so no other process "
                "runs it (give every process the same --store-secret)", why)
    return secrets.token_hex(32).encode("ascii")
