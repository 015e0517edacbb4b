"""HTTPS for every vendor: a local test CA made per run, and a plain-HTTP redirect listener.

The certificate covers ``localhost``, ``127.0.0.1``, ``::1`` and any vendor host names listed
(``--tls-host api-img-bj.fengkongcloud.com``), so a client that insists on
``https://<vendor-host>`` can reach the mock through a hosts entry. Clients trust the run's
CA bundle (printed in the banner, written to the ready file, ``mock.ca_bundle`` on fixtures).
"""

from __future__ import annotations

import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

import trustme
from aiohttp import web

DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Tls:
    """The server's SSL context and where the CA bundle that verifies it was written."""

    context: ssl.SSLContext
    ca_bundle: Path
    names: tuple[str, ...]


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
    return Tls(context, bundle, names)


def redirect_app(https_port: int) -> web.Application:
    """Answer every plain-HTTP request with 308 to the same path over HTTPS (method kept)."""

    async def redirect(request: web.Request) -> web.Response:
        host = request.url.host or "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        location = f"https://{host}:{https_port}{request.path_qs}"
        return web.Response(status=308, headers={"Location": location})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", redirect)
    return app
