"""What a vendor folder provides to the core: endpoints, routes, error rendering, banner.

A vendor subclasses :class:`Vendor`; the core never imports a vendor module by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .body import BodyProblem
from .errors import VendorError

if TYPE_CHECKING:
    from ..settings import Settings
    from .journal import Problem
    from .exchange import Exchange


@dataclass(frozen=True)
class Endpoint:
    """One documented operation: its id (used everywhere), method, path and schemas."""

    id: str
    method: str
    path: str
    summary: str
    request_schema: str | None = None
    response_schemas: tuple[str, ...] = ()
    callback_schema: str | None = None
    params_in: str = "body"  # "body" (a JSON body) or "query" (parameters in the query string)
    error_schema: str | None = None  # the body of 4xx answers, where the vendor has them
    parameters: tuple[dict[str, Any], ...] = ()  # OpenAPI path, query and header parameters


class Vendor(ABC):
    """One impersonated vendor, configured for one server run."""

    name: str = ""
    title: str = ""
    endpoints: tuple[Endpoint, ...] = ()
    max_body: int = 1024 * 1024

    def __init_subclass__(cls, profile: Any = None, **kwargs: Any) -> None:
        """``class Deepcleer(Vendor, profile=profile)`` takes name, title, endpoints and body
        limit from the vendor's profile module, where every vendor fact lives."""
        super().__init_subclass__(**kwargs)
        if profile is not None:
            cls.name, cls.title = profile.NAME, profile.TITLE
            cls.endpoints, cls.max_body = profile.ENDPOINTS, profile.MAX_BODY

    def __init__(self, config: dict[str, Any], settings: "Settings") -> None:
        self.config = config
        self.settings = settings

    def bind(self, state: Any) -> None:
        """Called once the run's shared state exists (nonce stores, ...); nothing by default."""
        return None

    def endpoint(self, endpoint_id: str) -> Endpoint:
        for ep in self.endpoints:
            if ep.id == endpoint_id:
                return ep
        raise KeyError(f"{self.name} has no endpoint {endpoint_id!r}")

    @abstractmethod
    def routes(self) -> list[web.RouteDef]:
        """The aiohttp routes, each named ``"<vendor>:<endpoint id>"``."""

    @abstractmethod
    def render_error(self, error: VendorError, exchange: "Exchange") -> web.Response:
        """The vendor's own error response."""

    @abstractmethod
    def body_error(self, problem: BodyProblem) -> VendorError:
        """The vendor's error for a body that cannot be read."""

    @abstractmethod
    def not_found(self, detail: str) -> VendorError:
        """The vendor's own answer (HTTP 404) for a request that matches no endpoint."""

    @abstractmethod
    def internal_error(self) -> VendorError:
        """The vendor's error for an unexpected failure inside the mock."""

    @property
    @abstractmethod
    def error_codes(self) -> frozenset[Any]:
        """The documented error codes a fault or rule may inject."""

    @property
    def injectable_codes(self) -> frozenset[Any]:
        """What a fault or rule may inject: the documented codes, and any pseudo-code the vendor
        adds (AKOOL's ``"job_failed"``)."""
        return self.error_codes

    @abstractmethod
    def check_request(self, endpoint: str, request: Any) -> list["Problem"]:
        """Every rule ``request`` breaks, without a server (the contract kit's request check)."""

    @abstractmethod
    def credentials(self) -> dict[str, Any]:
        """The accepted test credentials, for the banner, the fixture and the ready file."""

    def request_example(self, endpoint: str) -> Any | None:
        """A request the configured mock accepts (its credentials, a clean image), published as the
        OpenAPI example; None where a request cannot be written down (a signed one)."""
        return None

    def banner_lines(self) -> list[str]:
        """Human lines for the start-up banner."""
        return [f"{key}: {value}" for key, value in self.credentials().items()]
