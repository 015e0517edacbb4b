"""The ``proxy`` and ``drift-report`` commands (``mockserver proxy``, ``mockserver drift-report``)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from ..errors import SettingsError
from ..mockserver.core.recordings import read_recordings
from ..mockserver.logs import configure_logging
from ..mockserver.runner import serve_until_signalled, start_sites, write_ready_file
from ..mockserver.settings import Settings
from .app import PROXY_STATE, Checker, ProxySettings, build_proxy_app
from .report import DriftReport, render_text
from .upstream import load_upstream

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def proxy_settings(args: argparse.Namespace) -> ProxySettings:
    """The proxy's settings from its flags; the config's ``[upstream]`` table is the real account."""
    table: dict[str, Any] = {}
    if args.config:
        try:
            with open(args.config, "rb") as handle:
                doc = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"--config {args.config}: {exc}") from None
        unknown = sorted(set(doc) - {"upstream"})
        if unknown:
            raise SettingsError(f"--config {args.config}: the proxy reads an [upstream] table only, not "
                                f"{', '.join(unknown)}")
        table = doc.get("upstream", {})
    serving = Settings(vendors=[args.vendor], host=args.host or "127.0.0.1",
                       port=args.port if args.port is not None else 8080, tls=bool(args.tls),
                       tls_hosts=list(args.tls_host or []), tls_dir=args.tls_dir,
                       http_redirect_port=args.http_redirect_port,
                       allow_callback_hosts=list(args.allow_callback_host or []),
                       admin_allow=list(args.admin_allow or []), admin_hosts=list(args.admin_host or []),
                       shutdown_grace=args.shutdown_grace if args.shutdown_grace is not None else 2.0,
                       log_level=args.log_level or "info", log_format=args.log_format or "text",
                       ready_file=args.ready_file)
    serving.validate()
    if args.upstream_ca and not Path(args.upstream_ca).is_file():
        raise SettingsError(f"--upstream-ca {args.upstream_ca}: no such file")
    settings = ProxySettings(args.vendor, args.upstream, load_upstream(args.vendor, table), serving,
                             record=args.record, public_url=args.public_url, upstream_ca=args.upstream_ca,
                             client_allow=list(args.client_allow or []))
    settings.validate()
    return settings


def run_proxy(args: argparse.Namespace) -> int:
    """``mockserver proxy``: serve until interrupted."""
    settings = proxy_settings(args)
    configure_logging(settings.serving.log_level, settings.serving.log_format)
    asyncio.run(_serve(settings))
    return 0


async def _serve(settings: ProxySettings) -> None:
    app = build_proxy_app(settings)
    proxy = app[PROXY_STATE]
    sites = await start_sites(app, settings.serving)
    proxy.own_url = sites.url
    lines = [f"modmock proxy for {settings.vendor} on {sites.url}, forwarding to {settings.upstream}",
             f"  drift report: {sites.url}/__admin/drift  (mockserver drift-report --url {sites.url})",
             f"  callbacks the vendor sends: {proxy.receiver_base}<id>"]
    if settings.record:
        lines.append(f"  recording exchanges into {settings.record} (secrets scrubbed)")
    print("\n".join(lines), flush=True)
    if settings.serving.ready_file:
        write_ready_file(settings.serving.ready_file, {
            "url": sites.url, "port": sites.port, "admin_url": sites.url + "/__admin", "vendor": settings.vendor,
            "upstream": settings.upstream, "receiver": proxy.receiver_base,
            "ca_bundle": str(sites.ca_bundle) if sites.ca_bundle else None, "pid": os.getpid()})
    await serve_until_signalled(sites)


def drift_report(args: argparse.Namespace) -> int:
    """``mockserver drift-report``: a running proxy's report, or one made from recordings, as text."""
    if args.folder:
        try:
            records = read_recordings(args.folder)
        except ValueError as exc:
            raise SettingsError(f"--from {args.folder}: {exc}") from None
        reports: dict[str, DriftReport] = {}
        for record in records:
            report = reports.setdefault(record["vendor"], DriftReport())
            Checker(record["vendor"], report).recording(record)
        merged: dict[str, Any] = {"checked": {}, "differences": [], "dropped": 0, "inferred": 0}
        for report in reports.values():
            data = report.to_json()
            for side, n in data["checked"].items():
                merged["checked"][side] = merged["checked"].get(side, 0) + n
            merged["differences"] += data["differences"]
            merged["dropped"] += data["dropped"]
            merged["inferred"] += data["inferred"]
        data = merged
    else:
        url = (args.url or "http://127.0.0.1:8080").rstrip("/") + "/__admin/drift"
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                data = json.loads(answer.read())
        except (OSError, ValueError) as exc:
            raise SettingsError(f"--url: no drift report at {url}: {exc}") from None
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else render_text(data), end="" if not args.json
          else "\n")
    return 0
