"""The key that signs the shared store's work: one per user and machine, never empty, never two."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MAKE = """
import os, sys, time
from modmock.mockserver.core.shared.secret import store_key
start = float(sys.argv[1])
while time.time() < start:
    pass
sys.stdout.write(store_key(None).decode())
"""


def test_processes_making_the_key_at_once_all_get_the_same_whole_key(tmp_path: Path) -> None:
    import time

    for round_ in range(3):
        cache = tmp_path / f"cache-{round_}"
        env = dict(os.environ, XDG_CACHE_HOME=str(cache))
        start = time.time() + 0.8
        procs = [subprocess.Popen([sys.executable, "-c", MAKE, repr(start)], env=env, stdout=subprocess.PIPE, text=True)
                 for _ in range(6)]
        keys = {proc.communicate(timeout=30)[0] for proc in procs}
        assert len(keys) == 1, keys
        (key,) = keys
        assert len(key) == 64 and (cache / "modmock" / "store-secret").read_text() == key
        assert oct((cache / "modmock" / "store-secret").stat().st_mode & 0o777) == "0o600"
