"""Errors of the command line and its config that say how to fix them."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import modmock
from test_cli import BIN, _start


def _run(*args: str, env: dict[str, str] | None = None, module: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "modmock", *args] if module else [str(BIN / "mockserver"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


def test_version_and_the_name_it_was_run_by() -> None:
    assert _run("--version").stdout.strip() == f"mockserver {modmock.__version__}"
    assert _run("--help", module=True).stdout.startswith("usage: python -m modmock")


def test_a_mistyped_flag_shows_its_subcommands_usage_and_the_nearest_flag() -> None:
    done = _run("run", "--vendor", "deepcleer", "--tim-scale", "0")
    assert done.returncode == 2 and "usage: mockserver run" in done.stderr
    assert "did you mean --time-scale?" in done.stderr


@pytest.mark.parametrize("toml, said", [
    ("[deepcler]\nqps = 1\n", "[deepcler] is not a vendor; did you mean [deepcleer]?"),
    ("[deepcleer]\nclustr = 'bj'\n", "did you mean 'cluster'?"),
])
def test_an_unknown_config_table_or_key_is_refused_with_the_nearest(tmp_path: Path, toml: str, said: str) -> None:
    config = tmp_path / "modmock.toml"
    config.write_text(toml)
    done = _run("run", "--vendor", "deepcleer", "--config", str(config))
    assert done.returncode == 2 and said in done.stderr


def test_an_error_from_the_environment_names_the_variable() -> None:
    env = {"PATH": "/usr/bin:/bin", "MODMOCK_VENDOR": "deepcleer", "MODMOCK_LOG_LEVEL": "verbose"}
    done = _run("run", env=env)
    assert done.returncode == 2 and "MODMOCK_LOG_LEVEL='verbose': --log-level must be one of" in done.stderr


def test_scenarios_say_what_they_do() -> None:
    lines = _run("scenarios").stdout.splitlines()
    assert any(line.startswith("throttled") and "rate-limit" in line for line in lines) and len(lines) == 4


def test_openapi_of_several_vendors_is_one_document() -> None:
    doc = json.loads(_run("openapi", "--vendor", "deepcleer", "--vendor", "akool").stdout)
    assert "/image/v4" in doc["paths"] and "/api/open/v3/getToken" in doc["paths"]


def test_a_port_in_use_suggests_port_zero() -> None:
    with socket.create_server(("127.0.0.1", 0)) as held:
        done = _run("run", "--vendor", "deepcleer", "--port", str(held.getsockname()[1]))
    assert done.returncode == 1 and "--port 0 for a free one" in done.stderr


def test_tls_leaves_no_temporary_folder_behind() -> None:
    with modmock.serve("deepcleer", tls=True) as mock:
        bundle = Path(mock.ca_bundle or "")
        assert bundle.exists()
    assert not bundle.parent.exists()  # the folder made for the run is removed when it stops


def test_a_tls_folder_the_user_named_is_kept(tmp_path: Path) -> None:
    proc, info = _start(tmp_path, "--vendor", "deepcleer", "--tls", "--tls-dir", str(tmp_path / "ca"))
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=15)
    assert Path(str(info["ca_bundle"])).exists()


def test_a_mistyped_required_flag_or_choice_names_the_nearest() -> None:
    assert "did you mean --vendor?" in _run("openapi", "--vendro", "deepcleer").stderr
    assert "did you mean 'deepcleer'?" in _run("schemas", "--vendor", "deepcler").stderr
    assert "did you mean 'run'?" in _run("runn").stderr


@pytest.mark.parametrize("variable, value, said", [
    ("MODMOCK_VENDOR", "deepcler", "MODMOCK_VENDOR='deepcler': unknown vendor 'deepcler'; did you mean 'deepcleer'?"),
    ("MODMOCK_ADMIN_ALLOW", "notacidr", "MODMOCK_ADMIN_ALLOW='notacidr': --admin-allow"),
    ("MODMOCK_SCENARIO", "throtled", "MODMOCK_SCENARIO='throtled': --scenario throtled: no such file, nor a "
                                     "shipped scenario; did you mean throttled?"),
    ("MODMOCK_CONFIG", "/nonexistent.toml", "MODMOCK_CONFIG='/nonexistent.toml': --config /nonexistent.toml: no such"),
])
def test_every_environment_error_names_its_variable(variable: str, value: str, said: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "MODMOCK_VENDOR": "deepcleer", variable: value}
    done = _run("run", env=env)
    assert done.returncode == 2 and said in done.stderr, done.stderr


def test_a_failed_start_leaves_no_tls_folder(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)}  # where the run's CA folder would be made
    with socket.create_server(("127.0.0.1", 0)) as held:
        done = _run("run", "--vendor", "deepcleer", "--tls", "--port", str(held.getsockname()[1]), env=env)
    assert done.returncode == 1 and "--port 0" in done.stderr
    assert list(tmp_path.glob("modmock-tls-*")) == []


def test_a_mistyped_variable_is_a_warning_naming_the_setting(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "MODMOCK_VENDOR": "deepcleer", "MODMOCK_TIMESCALE": "0",
           "MODMOCK_PORT": "x"}  # (the bad port ends the run once the warning is out)
    done = _run("run", env=env)
    assert "MODMOCK_TIMESCALE is not a setting, ignored; did you mean MODMOCK_TIME_SCALE?" in done.stderr



def test_a_taken_redirect_port_leaves_nothing_listening_nor_a_tls_folder(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)}
    with socket.create_server(("127.0.0.1", 0)) as held:
        done = _run("run", "--vendor", "deepcleer", "--tls", "--port", "0", "--http-redirect-port",
                    str(held.getsockname()[1]), env=env)
    assert done.returncode == 1 and list(tmp_path.glob("modmock-tls-*")) == []
