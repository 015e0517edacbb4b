"""The ``mockserver`` command (also ``modmock`` and ``python -m modmock``)."""

from __future__ import annotations

import argparse
import asyncio
import difflib
import errno
import ipaddress
import json
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NoReturn

from .. import __version__
from .app import build_app
from .appkeys import STATE
from .core import schemas
from .core.vendor import Vendor
from .logs import configure_logging
from .openapi import openapi
from .runner import Sites, serve_until_signalled, start_sites, tune_gc, write_ready_file
from .scenarios import describe, shipped
from .settings import LOG_FORMATS, LOG_LEVELS, Settings, SettingsError, describe_store, load_config
from .state import MockState, refuse_colliding_routes
from .vendors import create_vendor, vendor_class, vendor_names

ENV_PREFIX = "MODMOCK_"


def _env(name: str) -> str | None:
    """``MODMOCK_<FLAG>`` for ``--flag`` (dashes become underscores)."""
    value = os.environ.get(ENV_PREFIX + name.upper().replace("-", "_"))
    return value if value not in (None, "") else None


def _env_list(name: str) -> list[str]:
    value = _env(name)
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


def _env_flag(name: str) -> bool:
    value = _env(name)
    if value is None:
        return False
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{ENV_PREFIX}{name.upper().replace('-', '_')}={value!r}: expected true or false")


def _prog() -> str:
    """The command's name as it was run: ``python -m modmock`` for the module."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "mockserver"
    return "python -m modmock" if name in ("__main__.py", "-m", "-c") else name


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors name the nearest flag or choice (a mistyped ``--vendro``
    makes the real one look missing; ``deepcler`` is not a choice)."""

    given: list[str] = []  # the command line being parsed

    def error(self, message: str) -> NoReturn:
        flags = [flag for action in self._actions for flag in action.option_strings]
        given = self.given[:self.given.index("--")] if "--" in self.given else self.given  # (pytest's after --)
        for token in given:
            name = token.split("=")[0]
            if name.startswith("--") and name not in flags:
                near = difflib.get_close_matches(name, flags, n=1, cutoff=0.6)
                if near:
                    message += f" (unknown {name}: did you mean {near[0]}?)"
                    break
        wrong = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if wrong:
            choices = [c.strip(" '") for c in wrong.group(2).split(",")]
            near = difflib.get_close_matches(wrong.group(1), choices, n=1, cutoff=0.6)
            if near:
                message += f"; did you mean {near[0]!r}?"
        super().error(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=_prog(), description="Offline, vendor-compatible mock server for content-moderation APIs.",
        epilog=f"Every run flag can also come from the environment: {ENV_PREFIX}VENDOR=deepcleer,alibaba, "
               f"{ENV_PREFIX}PORT=8080, {ENV_PREFIX}STRICT=true, ... A flag wins over the environment.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve one or more vendors")
    run.add_argument("--vendor", action="append", metavar="NAME",
                     help=f"vendor to impersonate (repeatable): {', '.join(vendor_names())}")
    run.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    run.add_argument("--port", type=int, help="port (default 8080; 0 = a free port)")
    run.add_argument("--time-scale", type=float, metavar="F",
                     help="multiply every vendor wait by F; 0 = instant (default 1)")
    run.add_argument("--seed", type=int, help="make request ids and drawn values reproducible")
    run.add_argument("--scenario", metavar="FILE",
                     help=f"JSON rules and faults loaded at start, or a shipped one: {', '.join(shipped())}")
    run.add_argument("--config", metavar="FILE", help="TOML: per-vendor credentials, cluster, qps")
    run.add_argument("--replay", metavar="DIR",
                     help="queue the vendor answers recorded in DIR (mockserver proxy --record DIR), in order, "
                          "each for its endpoint")
    run.add_argument("--tls", action="store_true", default=None,
                     help="serve HTTPS with a local test CA made for this run (its bundle is printed)")
    run.add_argument("--tls-host", action="append", metavar="NAME",
                     help="a vendor host name the certificate also covers (repeatable)")
    run.add_argument("--tls-dir", metavar="DIR", help="where to write the CA bundle (default: a temporary folder)")
    run.add_argument("--http-redirect-port", type=int, metavar="PORT",
                     help="also listen for plain HTTP on PORT and answer 308 to HTTPS (needs --tls)")
    run.add_argument("--strict", action="store_true", default=None,
                     help="refuse requests that break inferred rules too (default: serve with a warning)")
    run.add_argument("--allow-callback-host", action="append", metavar="HOST",
                     help="host name or IP/CIDR callbacks may go to, besides loopback (repeatable)")
    run.add_argument("--admin-allow", action="append", metavar="CIDR",
                     help="networks allowed to use /__admin/ besides loopback (repeatable)")
    run.add_argument("--admin-host", action="append", metavar="NAME",
                     help="a Host name the admin API answers besides IP addresses and localhost, e.g. a "
                          "container's service name (repeatable)")
    run.add_argument("--journal-size", type=int, metavar="N",
                     help="requests the journal keeps, and finished tasks and callbacks (default 10000; "
                          "unfinished work is always kept)")
    run.add_argument("--shutdown-grace", type=float, metavar="S",
                     help="seconds open connections and running callback attempts get at shutdown (default 2)")
    run.add_argument("--log-level", choices=LOG_LEVELS, help="default info: one line per request (warning for load tests)")
    run.add_argument("--log-format", choices=LOG_FORMATS, help="text (default) or json: one JSON object per line")
    run.add_argument("--ready-file", metavar="PATH", help="write a JSON file with the URL once serving")
    run.add_argument("--store", metavar="URL",
                     help="share the state with every other mock on this Redis (redis://HOST:PORT/DB): other "
                          "workers, other machines (needs the redis extra; default: this process's memory)")
    run.add_argument("--store-secret", metavar="KEY",
                     help="signs the work the shared store holds, so nobody else's is run: the same on every "
                          "machine (default: a key kept for this user in ~/.cache/modmock; prefer MODMOCK_STORE_SECRET "
                          "to a flag other users can read)")
    run.add_argument("--workers", type=int, metavar="N",
                     help="N processes on one port (SO_REUSEPORT), restarted when one dies; above 1 needs --store")
    proxy = sub.add_parser("proxy", help="forward a client's requests to the real vendor and check every request, "
                                         "answer and callback against the schemas (the drift report)")
    proxy.add_argument("--vendor", required=True, choices=vendor_names(), help="the vendor behind --upstream")
    proxy.add_argument("--upstream", required=True, metavar="URL",
                       help="the vendor's address (scheme, host, port): the one host the proxy sends requests to")
    proxy.add_argument("--config", metavar="FILE",
                       help="TOML with an [upstream] table: the real account's credentials (a value \"env:NAME\" "
                            "is read from the environment)")
    proxy.add_argument("--record", metavar="DIR",
                       help="save every exchange (secrets scrubbed) as replay files: mockserver run --replay DIR")
    proxy.add_argument("--upstream-ca", metavar="FILE",
                       help="a CA bundle an https:// upstream's certificate is checked with (default: the system's)")
    proxy.add_argument("--public-url", metavar="URL",
                       help="where the vendor reaches this proxy's callback receiver (default: its own URL)")
    proxy.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    proxy.add_argument("--port", type=int, help="port (default 8080; 0 = a free port)")
    proxy.add_argument("--tls", action="store_true", default=None, help="serve HTTPS with a local test CA")
    proxy.add_argument("--tls-host", action="append", metavar="NAME", help="a name the certificate also covers")
    proxy.add_argument("--tls-dir", metavar="DIR", help="where to write the CA bundle")
    proxy.add_argument("--http-redirect-port", type=int, metavar="PORT", help="plain HTTP answering 308 (needs --tls)")
    proxy.add_argument("--allow-callback-host", action="append", metavar="HOST",
                       help="a host the vendor's callbacks may be relayed to, besides loopback (repeatable)")
    proxy.add_argument("--client-allow", action="append", metavar="CIDR",
                       help="networks whose requests it forwards besides loopback (repeatable): it holds the real "
                            "account")
    proxy.add_argument("--admin-allow", action="append", metavar="CIDR",
                       help="networks allowed to use /__admin/ besides loopback (repeatable)")
    proxy.add_argument("--admin-host", action="append", metavar="NAME",
                       help="a Host name the admin API answers besides IP addresses and localhost (repeatable)")
    proxy.add_argument("--shutdown-grace", type=float, metavar="S", help="seconds open connections get at shutdown")
    proxy.add_argument("--log-level", choices=LOG_LEVELS, help="default info")
    proxy.add_argument("--log-format", choices=LOG_FORMATS, help="text (default) or json")
    proxy.add_argument("--ready-file", metavar="PATH", help="write a JSON file with the URL once serving")
    drift = sub.add_parser("drift-report", help="print a proxy's drift report as text (or make one from recordings)")
    drift.add_argument("--url", metavar="URL", help="the running proxy (default http://127.0.0.1:8080)")
    drift.add_argument("--from", dest="folder", metavar="DIR",
                       help="make the report from the recordings in DIR (mockserver proxy --record DIR) instead")
    drift.add_argument("--json", action="store_true", help="the report as JSON")
    sub.add_parser("vendors", help="list vendors and their endpoint ids")
    sub.add_parser("scenarios", help="list the shipped scenarios and what each does")
    contract = sub.add_parser("contract", help="run the client contract suite against your adapter",
                              description="Drive your client through the vendor's documented answers, error "
                                          "codes, faults, rate limit and callbacks; exit 1 when an item fails.")
    contract.add_argument("--vendor", required=True, choices=vendor_names())
    contract.add_argument("--client", required=True, metavar="MODULE:FUNCTION",
                          help="your adapter: function(url, credentials) performing one moderation call")
    contract.add_argument("--junit-xml", metavar="FILE", help="also write a JUnit XML report")
    contract.add_argument("--examples", type=int, metavar="N", help="Hypothesis examples of drawn answers")
    contract.add_argument("--seed", type=int, help="reproduce a run: the same drawn answers in the same order")
    contract.add_argument("pytest_args", nargs="*", metavar="PYTEST_ARG", help="passed on to pytest (after --)")
    scaffold = sub.add_parser("new-vendor", help="write a skeleton vendor: its folder, schemas and tests",
                              description="A vendor that serves one endpoint and passes the vendor-conformance "
                                          "test; the registry finds its folder, nothing else is edited.")
    scaffold.add_argument("name", help="the vendor's name: lower-case letters and digits")
    scaffold.add_argument("--title", help="its human title (default: the name)")
    scaffold.add_argument("--src", metavar="DIR", help="the folder holding the modmock package (default: this one's)")
    scaffold.add_argument("--tests", metavar="DIR", help="where its tests go (default: <src>/../tests/vendors/NAME)")
    openapi_cmd = sub.add_parser("openapi", help="print the OpenAPI document of one or more vendors (one document)")
    openapi_cmd.add_argument("--vendor", required=True, action="append", choices=vendor_names(),
                             help="repeatable: several vendors make one merged document")
    schemas_cmd = sub.add_parser("schemas", help="print the JSON Schemas of a vendor")
    schemas_cmd.add_argument("--vendor", required=True, choices=vendor_names())
    return parser


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments; an unknown one is refused by its subcommand (its usage, and the nearest flag)."""
    parser = _parser()
    _Parser.given = list(sys.argv[1:] if argv is None else argv)
    args, extras = parser.parse_known_args(argv)
    if extras:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[args.command]
        sub.error(f"unrecognized argument{'s' if len(extras) > 1 else ''}: {' '.join(extras)}")  # names the nearest
    return args


def _env_name(flag: str) -> str:
    return ENV_PREFIX + flag.upper().replace("-", "_")


def _number(flag: str, value: str | None, kind: type) -> object:
    try:
        return kind(value) if value is not None else None
    except ValueError:
        raise SettingsError(f"{_env_name(flag)}={value!r} is not a number") from None


def _settings(args: argparse.Namespace) -> Settings:
    """Flags first, then MODMOCK_* variables, then defaults."""
    from_environment: dict[str, str] = {}  # flag -> the variable's value, for errors that name it

    def pick(value: object, flag: str, kind: type = str, default: object = None) -> object:
        if value is not None:
            return value
        raw = _env(flag)
        if raw is not None:
            from_environment[flag] = raw
        from_env = _number(flag, raw, kind) if kind is not str else raw
        return default if from_env is None else from_env

    def pick_list(value: list[str] | None, flag: str) -> list[str]:
        if value:
            return list(value)
        raw = _env(flag)
        if raw is not None:
            from_environment[flag] = raw
        return _env_list(flag)

    _warn_unknown_variables()
    vendors = pick_list(args.vendor, "vendor")
    if not vendors:
        raise SettingsError(f"name a vendor: --vendor NAME (or {ENV_PREFIX}VENDOR)")
    try:
        return _checked(args, vendors, pick, pick_list)
    except SettingsError as exc:  # say which variable, when the value came from the environment
        text = str(exc)
        for flag, raw in from_environment.items():
            if text.startswith(f"--{flag} ") or (flag == "vendor" and text.startswith("unknown vendor")):
                shown = describe_store(raw) if flag == "store" else raw
                raise SettingsError(f"{_env_name(flag)}={shown!r}: {text}") from None
        raise


def _warn_unknown_variables() -> None:
    """A ``MODMOCK_`` variable no run flag reads is a warning naming the nearest (a typo would be ignored)."""
    run = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)).choices["run"]
    known = [_env_name(flag[2:]) for action in run._actions for flag in action.option_strings if flag.startswith("--")]
    for name in sorted(os.environ):
        if name.startswith(ENV_PREFIX) and name not in known:
            near = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
            hint = f"; did you mean {near[0]}?" if near else ""
            print(f"mockserver: warning: {name} is not a setting, ignored{hint}", file=sys.stderr)


def _checked(args: argparse.Namespace, vendors: list[str], pick: Callable[..., object],
             pick_list: Callable[[list[str] | None, str], list[str]]) -> Settings:
    """The settings, validated: a config file read, a scenario and the vendors known."""
    config = pick(args.config, "config")
    settings = Settings(
        vendors=list(vendors), host=str(pick(args.host, "host", default="127.0.0.1")),
        port=int(pick(args.port, "port", int, 8080)),  # type: ignore[call-overload]
        time_scale=float(pick(args.time_scale, "time-scale", float, 1.0)),  # type: ignore[arg-type]
        seed=pick(args.seed, "seed", int),  # type: ignore[arg-type]
        scenario=pick(args.scenario, "scenario"),  # type: ignore[arg-type]
        replay=pick(args.replay, "replay"),  # type: ignore[arg-type]
        strict=bool(args.strict) if args.strict is not None else _env_flag("strict"),
        tls=bool(args.tls) if args.tls is not None else _env_flag("tls"),
        tls_hosts=pick_list(args.tls_host, "tls-host"),
        tls_dir=pick(args.tls_dir, "tls-dir"),  # type: ignore[arg-type]
        http_redirect_port=pick(args.http_redirect_port, "http-redirect-port", int),  # type: ignore[arg-type]
        allow_callback_hosts=pick_list(args.allow_callback_host, "allow-callback-host"),
        admin_allow=pick_list(args.admin_allow, "admin-allow"),
        admin_hosts=pick_list(args.admin_host, "admin-host"),
        journal_size=int(pick(args.journal_size, "journal-size", int, 10_000)),  # type: ignore[call-overload]
        shutdown_grace=float(pick(args.shutdown_grace, "shutdown-grace", float, 2.0)),  # type: ignore[arg-type]
        log_level=str(pick(args.log_level, "log-level", default="info")),
        log_format=str(pick(args.log_format, "log-format", default="text")),
        ready_file=pick(args.ready_file, "ready-file"),  # type: ignore[arg-type]
        store=pick(args.store, "store"),  # type: ignore[arg-type]
        store_secret=pick(args.store_secret, "store-secret"),  # type: ignore[arg-type]
        workers=int(pick(args.workers, "workers", int, 1)),  # type: ignore[call-overload]
        vendor_config=load_config(str(config)) if config else {},
    )
    settings.validate()
    if settings.store is not None:
        try:
            import redis  # noqa: F401  (the optional extra)
        except ImportError:
            raise SettingsError("--store needs the redis extra: pip install -e '.[redis]'") from None
    if settings.scenario:
        from .scenarios import read
        read(settings.scenario)  # a missing or broken scenario is named before anything starts
    if settings.replay:
        from .core.recordings import read_recordings
        try:
            read_recordings(settings.replay)  # a missing folder or a broken recording too
        except ValueError as exc:
            raise SettingsError(f"--replay {settings.replay}: {exc}") from None
    for name in settings.vendors:
        vendor_class(name)  # an unknown vendor too
    return settings


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _banner(settings: Settings, sites: Sites, state: MockState) -> str:
    vendors: Mapping[str, Vendor] = state.vendors
    url = sites.url
    lines = [f"modmock serving {', '.join(settings.vendors)} at {url}"]
    for name, vendor in vendors.items():
        lines.append(f"  {name}:")
        lines.extend(f"    {line}" for line in vendor.banner_lines())
    extra = f", plus {', '.join(settings.admin_allow)}" if settings.admin_allow else ""
    lines.append(f"  dashboard and admin API: {url}/__admin/ (loopback only{extra})")
    if sites.ca_bundle:
        lines.append(f"  TLS: CA bundle {sites.ca_bundle} (e.g. curl --cacert {sites.ca_bundle} {url}/__admin/health)")
    if sites.redirect_port:
        lines.append(f"  plain HTTP on port {sites.redirect_port} answers 308 to {url}")
    if settings.scenario:
        lines.append(f"  scenario: {settings.scenario} ({len(state.rules.list())} rule(s), "
                     f"{len(state.faults.list())} fault(s) armed)")
    if settings.store:
        workers = f"{settings.workers} workers, " if settings.workers > 1 else ""
        lines.append(f"  store: {describe_store(settings.store)} ({workers}shared with every mock on it)")
    lines.append(f"  time scale: {settings.time_scale:g}{'  strict' if settings.strict else ''}  (Ctrl-C stops)")
    if not is_loopback(settings.host):
        lines.append(f"  warning: bound to {settings.host}, reachable from other machines. The admin API still "
                     "answers loopback peers only (--admin-allow CIDR widens it); callbacks and downloads still go "
                     "to loopback hosts only (--allow-callback-host HOST adds one).")
    return "\n".join(lines)


async def _serve(settings: Settings) -> None:
    app = build_app(settings)
    state = app[STATE]
    sites = await start_sites(app, settings)
    tune_gc()  # this process is the mock alone (fixtures and serve() leave the host's collector be)
    if settings.worker in (None, 0):  # one banner for the workers of a master
        print(_banner(settings, sites, state), flush=True)
    if settings.ready_file:
        write_ready_file(settings.ready_file, {
            "url": sites.url, "port": sites.port, "admin_url": sites.url + "/__admin", "vendors": settings.vendors,
            "ca_bundle": str(sites.ca_bundle) if sites.ca_bundle else None,
            "redirect_port": sites.redirect_port, "credentials": state.credentials(),
            "store": describe_store(settings.store), "pid": os.getpid()})
    await serve_until_signalled(sites)


def _vendors_text() -> str:
    lines = []
    for name in vendor_names():
        cls = vendor_class(name)
        lines.append(f"{name}: {cls.title}")
        lines.extend(f"  {ep.id:<24} {ep.method} {ep.path}  {ep.summary}" for ep in cls.endpoints)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, contract: Callable[[argparse.Namespace], int] | None = None,
         commands: dict[str, Callable[[argparse.Namespace], int]] | None = None) -> int:
    """Entry point; returns the exit status. ``contract`` runs the client contract suite and
    ``commands`` the proxy's commands (``proxy``, ``drift-report``): neither is part of the server
    package, so ``modmock.cli`` hands them in."""
    args = _parse(argv)
    try:
        if args.command == "vendors":
            print(_vendors_text())
        elif args.command == "scenarios":
            print("\n".join(f"{name:<26} {describe(name)}" for name in shipped()))
        elif args.command == "schemas":
            print(json.dumps(schemas.vendor_schemas(args.vendor), indent=2, ensure_ascii=False))
        elif args.command in ("proxy", "drift-report"):
            if commands is None or args.command not in commands:
                raise SettingsError(f"the {args.command} command runs from modmock.cli (the mockserver and modmock "
                                    "commands)")
            return commands[args.command](args)
        elif args.command == "contract":
            if contract is None:
                raise SettingsError("the contract command runs from modmock.cli (the mockserver and modmock commands)")
            return contract(args)
        elif args.command == "new-vendor":
            from .scaffold import new_vendor

            for path in new_vendor(args.name, title=args.title, src=Path(args.src) if args.src else None,
                                   tests=Path(args.tests) if args.tests else None):
                print(path)
        elif args.command == "openapi":
            names = list(dict.fromkeys(args.vendor))
            vendors = {name: create_vendor(name, {}, Settings(vendors=names)) for name in names}
            refuse_colliding_routes(vendors)  # one document: no path and method twice
            print(json.dumps(openapi(list(vendors.values())), indent=2, ensure_ascii=False))
        else:
            settings = _settings(args)
            configure_logging(settings.log_level, settings.log_format)
            if settings.workers > 1 and settings.worker is None:
                from .workers import run_workers
                return run_workers(settings)
            asyncio.run(_serve(settings))
    except SettingsError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (``... | head``): nothing to report
        sys.stderr.close()
        return 0
    except OSError as exc:
        hint = " (another server has it: pick another with --port, or --port 0 for a free one)" \
            if exc.errno == errno.EADDRINUSE else ""
        print(f"mockserver: cannot serve: {exc}{hint}", file=sys.stderr)
        return 1
    return 0
