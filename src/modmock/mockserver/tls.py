"""HTTPS for every vendor: a local test CA made per run, and a plain-HTTP redirect listener.

The certificate covers ``localhost``, ``127.0.0.1``, ``::1`` and any vendor host names listed
(``--tls-host api-img-bj.fengkongcloud.com``), so a client that insists on
``https://<vendor-host>`` can reach the mock through a hosts entry. Clients trust the run's
CA bundle (printed in the banner, written to the ready file, ``mock.ca_bundle`` on fixtures).
"""

from __future__ import annotations

import ipaddress
import re
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

import trustme
from aiohttp import web

DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")


HOST_NAME = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$")


def _host_name(host: str) -> str | None:
    """The name of a ``Host`` header (``name``, ``name:port``, ``[v6]:port``), or None when it is not one."""
    value = host.strip().lower()
    if value.startswith("["):
        name, closed, rest = value[1:].partition("]")
        if not closed or (rest and not rest.startswith(":")):
            return None
        port = rest[1:] if rest.startswith(":") else rest
    else:
        name, _, port = value.partition(":")
    if port and not (port.isdigit() and int(port) <= 65535):
        return None
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return name if len(name) <= 253 and HOST_NAME.match(name) else None


@dataclass(frozen=True)
class Tls:
    """The server's SSL context and where the CA bundle that verifies it was written."""

    context: ssl.SSLContext
    ca_bundle: Path
    names: tuple[str, ...]
    temporary: Path | None = None  # the folder made for this run (removed when it stops)


def make_tls(hosts: list[str], folder: str | None = None) -> Tls:
    """A fresh CA and a server certificate for the default names plus ``hosts``."""
    names = tuple(dict.fromkeys([*DEFAULT_NAMES, *hosts]))
    ca = trustme.CA(organization_name="modmock test CA")
    cert = ca.issue_cert(*names)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    where = Path(folder or tempfile.mkdtemp(prefix="modmock-tls-"))
    where.mkdir(parents=True, exist_ok=True)
    bundle = where / "modmock-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return Tls(context, bundle, names, temporary=None if folder else where)


def redirect_app(https_port: int, names: tuple[str, ...] = DEFAULT_NAMES,
                 default_host: str = "127.0.0.1") -> web.Application:
    """Answer every plain-HTTP request with 308 to the same path over HTTPS (method kept): to the
    name the client asked for when the certificate carries it, else to ``default_host``; a
    ``Host`` that is no host name at all is a 400. The client's ``Host`` never shapes ``Location``
    beyond choosing one of the certificate's names."""
    known = {n.lower() for n in names}

    async def redirect(request: web.Request) -> web.Response:
        asked = _host_name(request.headers.get("Host", ""))
        if asked is None:
            return web.Response(status=400, text="400: the Host header is not a host name\n")
        host = asked if asked in known else default_host
        host = f"[{host}]" if ":" in host else host
        return web.Response(status=308, headers={"Location": f"https://{host}:{https_port}{request.path_qs}"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", redirect)
    return app
