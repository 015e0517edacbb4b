"""A proxy running in a background thread, for tests and scripts::

    with serve_proxy("deepcleer", upstream="https://api-img-sh.fengkongcloud.com",
                     credentials={"access_key": os.environ["DEEPCLEER_KEY"]}, record="recordings") as proxy:
        requests.post(proxy.url + "/image/v4", json=...)   # the real vendor answers
        print(proxy.drift_text())
"""

from __future__ import annotations

from typing import Any

from ..mockserver.runner import ServerThread
from ..mockserver.settings import Settings
from .app import PROXY_STATE, Proxy, ProxySettings, build_proxy_app
from .report import render_text
from .upstream import load_upstream


class RunningProxy:
    """A started proxy: its URL, its drift report, and ``stop()`` (or use it as a context manager)."""

    def __init__(self, settings: ProxySettings) -> None:
        self.settings = settings
        app = build_proxy_app(settings)
        self.proxy: Proxy = app[PROXY_STATE]
        self._server: ServerThread | None = ServerThread(app, settings.serving).start()
        self.proxy.own_url = self._server.url

    @property
    def url(self) -> str:
        assert self._server is not None, "the proxy is not running"
        return self._server.url

    @property
    def admin_url(self) -> str:
        return self.url + "/__admin"

    @property
    def receiver(self) -> str:
        """Where the callback addresses of forwarded requests point (the id follows)."""
        return self.proxy.receiver_base

    def drift(self) -> dict[str, Any]:
        """The drift report, as ``GET /__admin/drift`` gives it."""
        return self.proxy.report.to_json()

    def drift_text(self) -> str:
        return render_text(self.drift())

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> RunningProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_proxy(vendor: str, upstream: str, credentials: dict[str, str], *, record: str | None = None,
                public_url: str | None = None, allow_callback_hosts: list[str] | None = None,
                host: str = "127.0.0.1", port: int = 0, upstream_ca: str | None = None,
                client_allow: list[str] | None = None) -> RunningProxy:
    """A proxy for ``vendor`` in front of ``upstream``, authenticating with ``credentials`` (the
    keys of the config's ``[upstream]`` table), started; ``upstream_ca``: the CA bundle an HTTPS
    upstream's certificate is checked with (default: the system's)."""
    serving = Settings(vendors=[vendor], host=host, port=port, allow_callback_hosts=list(allow_callback_hosts or []))
    settings = ProxySettings(vendor, upstream, load_upstream(vendor, credentials), serving, record=record,
                             public_url=public_url, upstream_ca=upstream_ca, client_allow=list(client_allow or []))
    return RunningProxy(settings)
