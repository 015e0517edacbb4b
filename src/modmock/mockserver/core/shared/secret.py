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


KEY_SIZE = 64  # hex characters of a key this module makes


def store_key(given: str | None) -> bytes:
    """The signing key: ``given``, else this user's (made once, readable by the user alone)."""
    if given:
        return given.encode("utf-8")
    path = secret_file()
    try:
        found = path.read_bytes().strip()
    except FileNotFoundError:
        return _make(path)
    except OSError as exc:
        return _own(f"cannot read {path}: {exc}")
    return found if len(found) >= KEY_SIZE else _own(f"{path} does not hold a key (delete it to make one)")


def _make(path: Path) -> bytes:
    """A new key, written whole under another name and linked into place: a process that reads
    the file never sees it half written, and two that make one at once end with the same key."""
    key = secrets.token_hex(KEY_SIZE // 2).encode("ascii")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(key)
        try:
            os.link(partial, path)  # fails if another process linked its key first
        except FileExistsError:
            pass
        finally:
            partial.unlink(missing_ok=True)
        found = path.read_bytes().strip()
    except OSError as exc:
        return _own(f"cannot write {path}: {exc}")
    return found if len(found) >= KEY_SIZE else _own(f"{path} does not hold a key (delete it to make one)")


def _own(why: str) -> bytes:
    log.warning("shared store: %s; this process signs its work with a key of its own, so no other process "
                "runs it (give every process the same --store-secret)", why)
    return secrets.token_hex(32).encode("ascii")
