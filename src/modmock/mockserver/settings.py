"""Run settings: CLI flags and the TOML config file, in one dataclass.

Config file (``--config``), one table per vendor::

    [deepcleer]
    cluster = "xjp"          # bj | sh | gg | xjp
    qps = 50                 # unlimited when absent

    [[deepcleer.credentials]]
    access_key = "my-key"
    app_ids = ["default", "my-app"]
    event_ids = ["*"]        # "*" accepts any value
"""

from __future__ import annotations

import difflib
import ipaddress
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from ..errors import SettingsError as SettingsError  # re-exported: raised from here

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")
STORE_SCHEMES = ("redis://", "rediss://", "unix://")


@dataclass
class Settings:
    """Everything one server run needs to know."""

    vendors: list[str] = field(default_factory=lambda: ["deepcleer"])
    host: str = "127.0.0.1"
    port: int = 8080
    time_scale: float = 1.0
    manual_clock: bool = False
    strict: bool = False
    allow_callback_hosts: list[str] = field(default_factory=list)
    admin_allow: list[str] = field(default_factory=list)
    admin_hosts: list[str] = field(default_factory=list)  # Host names the admin API answers besides IPs and localhost
    log_level: str = "info"
    log_format: str = "text"  # or "json": one JSON object per line, for machines
    ready_file: str | None = None
    vendor_config: dict[str, dict[str, Any]] = field(default_factory=dict)
    journal_size: int = 10_000  # journal entries; as many finished tasks and deliveries are kept
    shutdown_grace: float = 2.0  # real seconds running callback attempts get to finish
    seed: int | None = None  # makes request ids, task ids and drawn values reproducible
    tls: bool = False  # HTTPS with a local test CA made for this run
    tls_hosts: list[str] = field(default_factory=list)  # vendor host names the certificate also covers
    tls_dir: str | None = None  # where the CA bundle is written (a temporary folder by default)
    http_redirect_port: int | None = None  # a plain-HTTP listener answering 308 to HTTPS
    scenario: str | None = None  # a JSON file of rules and faults loaded at start
    replay: str | None = None  # a folder of recorded exchanges (mockserver proxy --record): their answers, queued
    store: str | None = None  # redis://HOST:PORT/DB: state shared by every process and machine (memory if None)
    store_secret: str | None = None  # signs the work a shared store holds (several machines: the same on each)
    workers: int = 1  # processes serving one port (more than one needs a shared store)
    reuse_port: bool = False  # bind with SO_REUSEPORT (each worker of ``--workers`` does)
    worker: int | None = None  # this process's index among the workers of ``--workers`` (None: the only one)

    def validate(self) -> None:
        if not math.isfinite(self.time_scale) or self.time_scale < 0:
            raise SettingsError("--time-scale must be a finite number >= 0")
        if not 0 <= self.port <= 65535:
            raise SettingsError("--port must be between 0 and 65535")
        if self.http_redirect_port is not None and not self.tls:
            raise SettingsError("--http-redirect-port redirects to HTTPS: it needs --tls")
        if self.log_level not in LOG_LEVELS:
            raise SettingsError(f"--log-level must be one of {', '.join(LOG_LEVELS)}")
        if self.log_format not in LOG_FORMATS:
            raise SettingsError(f"--log-format must be one of {', '.join(LOG_FORMATS)}")
        self._check_tables()
        for cidr in self.admin_allow:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise SettingsError(f"--admin-allow {cidr!r} is not an IP address or CIDR range") from None
        if self.journal_size < 1:
            raise SettingsError("--journal-size must be at least 1")
        if not math.isfinite(self.shutdown_grace) or self.shutdown_grace <= 0:
            raise SettingsError("--shutdown-grace must be a finite number of seconds above 0")
        if len(set(self.vendors)) != len(self.vendors):
            raise SettingsError("a vendor is named twice in --vendor")
        if self.store is not None and not self.store.startswith(STORE_SCHEMES):
            raise SettingsError(f"--store {describe_store(self.store)!r}: expected a Redis URL, redis://HOST:PORT/DB "
                                "(or rediss:// for TLS, unix:///PATH for a socket)")
        if self.workers < 1:
            raise SettingsError("--workers must be at least 1")
        if self.workers > 1 and self.store is None:
            raise SettingsError(f"--workers {self.workers} needs a store the workers share: add --store "
                                "redis://127.0.0.1:6379/0 (each worker would otherwise be a mock of its own)")

    def _check_tables(self) -> None:
        """A config table must name a vendor (a typo such as ``[deepcler]`` would be ignored)."""
        from .vendors import vendor_names

        known = vendor_names()
        for table in self.vendor_config:
            if table not in known:
                near = difflib.get_close_matches(table, known, n=1, cutoff=0.6)
                hint = f"; did you mean [{near[0]}]?" if near else ""
                raise SettingsError(f"config table [{table}] is not a vendor{hint} (vendors: {', '.join(known)})")

    def config_for(self, vendor: str) -> dict[str, Any]:
        return self.vendor_config.get(vendor, {})


def describe_store(url: str | None) -> str:
    """The store's URL without its password (in the address or a ``password=`` parameter), for
    logs, banners and the admin API (``memory`` for none)."""
    if url is None:
        return "memory"
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    query = "&".join(f"{name}=***" if name.lower() in ("password", "username") else f"{name}={value}"
                     for name, value in parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def check_keys(table: str, config: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse keys a vendor's config table does not know (a typo would be silently ignored)."""
    unknown = sorted(set(config) - set(allowed))
    if unknown:
        near = difflib.get_close_matches(unknown[0], list(allowed), n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise SettingsError(f"[{table}] unknown key(s) {unknown}{hint} (known: {list(allowed)})")


def config_number(table: str, key: str, value: Any, *, integer: bool = False, minimum: float = 0,
                  exclusive: bool = False) -> float:
    """A config number, finite and above ``minimum``, or a SettingsError naming it."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok and integer:
        ok = float(value).is_integer()
    if ok:
        ok = value > minimum if exclusive else value >= minimum
    if not ok:
        kind = "an integer" if integer else "a number"
        bound = f"> {minimum:g}" if exclusive else f">= {minimum:g}"
        raise SettingsError(f"[{table}] {key} must be {kind} {bound}, not {value!r}")
    return float(value) if not integer else int(value)


def config_strings(table: str, key: str, value: Any) -> tuple[str, ...]:
    """A config list of strings, or a SettingsError naming it."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingsError(f"[{table}] {key} must be a list of strings, not {value!r}")
    return tuple(value)


def load_config(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read a TOML config file into per-vendor tables."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError(f"--config {path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"--config {path}: not valid TOML: {exc}") from None
    for name, table in data.items():
        if not isinstance(table, dict):
            raise SettingsError(f"--config {path}: [{name}] must be a table")
    tables: dict[str, dict[str, Any]] = data
    return tables
