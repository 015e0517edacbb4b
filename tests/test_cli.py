"""The ``mockserver`` command: run, banner, ready file, signals, config, vendors, aliases."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from helpers import image_request

BIN = Path(sys.executable).parent


def _start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], dict[str, object]]:
    ready = tmp_path / "ready.json"
    proc = subprocess.Popen(
        [str(BIN / "mockserver"), "run", "--port", "0", "--ready-file", str(ready), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"mockserver did not start: {out}\n{err}")
        time.sleep(0.02)
    time.sleep(0.05)  # the file is complete once it parses
    return proc, json.loads(ready.read_text())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, object]]]:
    proc, info = _start(tmp_path, "--vendor", "deepcleer", "--time-scale", "0")
    yield proc, info
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


def test_run_serves_and_writes_the_ready_file(server) -> None:
    proc, info = server
    assert set(info) >= {"url", "port", "admin_url", "vendors", "ca_bundle"}
    assert info["vendors"] == ["deepcleer"] and info["ca_bundle"] is None
    resp = requests.post(f"{info['url']}/image/v4", json=image_request(), timeout=10)
    assert resp.json()["code"] == 1100
    assert requests.get(f"{info['admin_url']}/health", timeout=10).json()["status"] == "ok"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signals_shut_down_cleanly_with_the_banner_printed(server, sig: int) -> None:
    proc, info = server
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert f"modmock serving deepcleer at {info['url']}" in out
    assert "accessKey 'xxxx'" in out and "/__admin/" in out
    assert "Traceback" not in err


def test_shutdown_journals_scheduled_work_as_cancelled(tmp_path: Path) -> None:
    proc, info = _start(tmp_path, "--vendor", "deepcleer", "--time-scale", "1000")
    body = image_request(callback="http://127.0.0.1:9/closed")  # processing takes 500 s at this scale
    ack = requests.post(f"{info['url']}/image/v4", json=body, timeout=10).json()
    assert ack["code"] == 1100
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert f"shutdown: cancelled task {ack['requestId']} -> done" in err


def test_journal_size_bounds_the_journal(tmp_path: Path) -> None:
    proc, info = _start(tmp_path, "--vendor", "deepcleer", "--time-scale", "0", "--journal-size", "3")
    try:
        for _ in range(5):
            requests.post(f"{info['url']}/image/v4", json=image_request(), timeout=10)
        listed = requests.get(f"{info['url']}/__admin/requests", timeout=10).json()["requests"]
        assert len(listed) == 3
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)


def test_config_file_sets_credentials_cluster_and_qps(tmp_path: Path) -> None:
    config = tmp_path / "modmock.toml"
    config.write_text('[deepcleer]\ncluster = "xjp"\nqps = 1\n'
                      '[[deepcleer.credentials]]\naccess_key = "team"\napp_ids = ["shop"]\nevent_ids = ["*"]\n')
    proc, info = _start(tmp_path, "--vendor", "deepcleer", "--config", str(config))
    try:
        body = image_request({"lang": "auto"}, accessKey="team", appId="shop", eventId="X", type="BOCR")
        codes = [requests.post(f"{info['url']}/image/v4", json=body, timeout=10).json()["code"] for _ in range(2)]
        assert codes == [1100, 1901]
        assert info["credentials"]["deepcleer"]["cluster"] == "xjp"  # type: ignore[index]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)


@pytest.mark.parametrize(("args", "message"), [
    (["--vendor", "nobody"], "unknown vendor"),
    (["--vendor", "deepcleer", "--time-scale", "-1"], "--time-scale"),
    (["--vendor", "deepcleer", "--admin-allow", "not-a-net"], "--admin-allow"),
    (["--vendor", "deepcleer", "--config", "/nonexistent.toml"], "no such file"),
    (["--vendor", "deepcleer", "--vendor", "deepcleer"], "twice"),
    (["--vendor", "deepcleer", "--journal-size", "0"], "--journal-size"),
    (["--vendor", "deepcleer", "--shutdown-grace", "nan"], "--shutdown-grace"),
])
def test_bad_settings_exit_2_with_a_clear_message(args: list[str], message: str) -> None:
    proc = subprocess.run([str(BIN / "mockserver"), "run", "--port", "0", *args],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and message in proc.stderr


def test_bad_config_values(tmp_path: Path) -> None:
    for text, message in (('[deepcleer]\ncluster = "mars"\n', "cluster"),
                          ("[deepcleer\n", "not valid TOML"),
                          ('[[deepcleer.credentials]]\naccess_key = "' + "k" * 21 + '"\n', "1-20 characters")):
        config = tmp_path / "bad.toml"
        config.write_text(text)
        proc = subprocess.run([str(BIN / "mockserver"), "run", "--vendor", "deepcleer", "--port", "0",
                               "--config", str(config)], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr


@pytest.mark.parametrize("command", [
    [str(BIN / "mockserver")], [str(BIN / "modmock")], [sys.executable, "-m", "modmock"],
])
def test_vendors_help_and_aliases(command: list[str]) -> None:
    out = subprocess.run([*command, "vendors"], capture_output=True, text=True, timeout=30, check=True).stdout
    assert "deepcleer" in out and "image_v4" in out and "POST /image/v4" in out
    help_text = subprocess.run([*command, "run", "--help"], capture_output=True, text=True, timeout=30).stdout
    for flag in ("--vendor", "--host", "--port", "--time-scale", "--config", "--strict",
                 "--allow-callback-host", "--admin-allow", "--log-level", "--ready-file"):
        assert flag in help_text


def test_openapi_and_schemas_commands() -> None:
    spec = json.loads(subprocess.run([str(BIN / "mockserver"), "openapi", "--vendor", "deepcleer"],
                                     capture_output=True, text=True, timeout=30, check=True).stdout)
    assert "/image/v4" in spec["paths"]
    found = json.loads(subprocess.run([str(BIN / "mockserver"), "schemas", "--vendor", "deepcleer"],
                                      capture_output=True, text=True, timeout=30, check=True).stdout)
    assert "request.json" in found


def test_entry_points_are_installed() -> None:
    assert shutil.which("mockserver", path=str(BIN)) and shutil.which("modmock", path=str(BIN))
    assert os.access(BIN / "mockserver", os.X_OK)


def test_log_level_debug_shows_the_expected_string_to_sign(tmp_path: Path) -> None:
    import sys as _sys
    _sys.path.insert(0, str(Path(__file__).parent))
    from alibaba_helpers import parameters, post_v1
    proc, info = _start(tmp_path, "--vendor", "alibaba", "--log-level", "debug")
    try:
        class Port:
            url = str(info["url"])
        body = post_v1(Port, parameters(), secret="wrong").json()  # type: ignore[arg-type]
        assert body["Code"] == "SignatureDoesNotMatch"
        assert "server string to sign is:POST&%2F&AccessKeyId%3Dtest-ak" in body["Message"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)


def test_configuration_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ready = tmp_path / "ready.json"
    env = {"MODMOCK_VENDOR": "deepcleer,alibaba", "MODMOCK_PORT": "0", "MODMOCK_TIME_SCALE": "0",
           "MODMOCK_SEED": "9", "MODMOCK_SCENARIO": "everything-needs-review", "MODMOCK_STRICT": "true",
           "MODMOCK_READY_FILE": str(ready), "MODMOCK_LOG_LEVEL": "warning"}
    proc = subprocess.Popen([str(BIN / "mockserver"), "run"], env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not ready.exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.02)
        info = json.loads(ready.read_text())
        assert info["vendors"] == ["deepcleer", "alibaba"]
        answer = requests.post(f"{info['url']}/image/v4", json=image_request(), timeout=10).json()
        assert answer["riskLevel"] == "REVIEW"  # the scenario came from the environment
        strict = requests.post(f"{info['url']}/image/v4", json=image_request(type="POLITY__EROTIC"), timeout=10)
        assert strict.json()["code"] == 1902  # MODMOCK_STRICT=true
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    assert "time scale: 0  strict" in out


def test_a_flag_wins_over_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODMOCK_VENDOR", "alibaba")
    monkeypatch.setenv("MODMOCK_TIME_SCALE", "5")
    proc, info = _start(tmp_path, "--vendor", "deepcleer", "--time-scale", "0")
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=15)
    assert info["vendors"] == ["deepcleer"] and "time scale: 0" in out


@pytest.mark.parametrize(("name", "value", "message"), [
    ("MODMOCK_PORT", "eighty", "MODMOCK_PORT='eighty' is not a number"),
    ("MODMOCK_STRICT", "maybe", "expected true or false"),
    ("MODMOCK_VENDOR", "", "name a vendor"),
])
def test_bad_environment_values_exit_2(name: str, value: str, message: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODMOCK_")}
    env.update({"MODMOCK_VENDOR": "deepcleer", name: value})
    proc = subprocess.run([str(BIN / "mockserver"), "run"], env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and message in proc.stderr


def test_scenarios_command_lists_the_shipped_ones() -> None:
    out = subprocess.run([str(BIN / "mockserver"), "scenarios"], capture_output=True, text=True, check=True).stdout
    assert {"everything-needs-review", "vendor-down-30s", "throttled", "flaky-network"} <= set(out.split())


def test_sigterm_exits_within_the_grace_period_whatever_clients_hold_open(tmp_path: Path) -> None:
    import socket

    proc, info = _start(tmp_path, "--vendor", "deepcleer", "--time-scale", "0")
    held = socket.create_connection(("127.0.0.1", int(info["port"])), timeout=10)  # type: ignore[call-overload]
    held.sendall(b"POST /image/v4 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n{\"accessKey\"")  # half a body, then nothing
    time.sleep(0.2)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=15)
    finally:
        held.close()
    assert proc.returncode == 0 and time.monotonic() - started < 2.0 + 3.0, err[-2000:]  # grace 2 s, some slack
    assert "shutdown: 1 client connection(s) open" in err
    assert "shutdown: cut off POST /image/v4 from 127.0.0.1:" in err  # says what was cut off
