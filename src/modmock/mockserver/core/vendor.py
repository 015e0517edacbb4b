"""What a vendor folder provides to the core: its endpoints as declarations, its error
catalogue and renderer, its credentials and banner.

A vendor subclasses :class:`Vendor`; the core never imports a vendor module by name. Routes are
built by the core from the declarations (:meth:`Vendor.operations`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .body import BodyProblem
from .errors import VendorError

if TYPE_CHECKING:
    from ..settings import Settings
    from .context import Context
    from .declaration import Answer, Operation
    from .journal import Problem


@dataclass(frozen=True)
class Endpoint:
    """One documented operation: its id (used everywhere), method, path and schemas.

    ``route`` is the aiohttp path pattern when it differs from the documented ``path`` (an
    optional trailing slash, say); ``any_method`` routes every method to the endpoint, which
    then answers the ones it does not serve with the vendor's own error.
    """

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
    route: str = ""
    any_method: bool = False
    host: str = ""  # where the vendor serves it from another host than the vendor's main one


INTERNAL_ERROR = "internal error in the mock (see the journal)"


class Vendor(ABC):
    """One impersonated vendor, configured for one server run."""

    name: str = ""
    title: str = ""
    endpoints: tuple[Endpoint, ...] = ()
    max_body: int = 1024 * 1024
    reviews: bool = False  # has a human-review flow: a rule's ``review`` applies (core.reviews)
    task_statuses: tuple[str, ...] = ()  # every status one of its tasks may enter (surface coverage)

    def __init_subclass__(cls, profile: Any = None, **kwargs: Any) -> None:
        """``class Deepcleer(Vendor, profile=profile)`` takes name, title, endpoints and body
        limit from the vendor's profile module, where every vendor fact lives."""
        super().__init_subclass__(**kwargs)
        if profile is not None:
            cls.name, cls.title = profile.NAME, profile.TITLE
            cls.endpoints, cls.max_body = profile.ENDPOINTS, profile.MAX_BODY
            cls.task_statuses = tuple(getattr(profile, "TASK_STATUSES", ()))

    def __init__(self, config: dict[str, Any], settings: Settings) -> None:
        self.config = config
        self.settings = settings

    def endpoint(self, endpoint_id: str) -> Endpoint:
        for ep in self.endpoints:
            if ep.id == endpoint_id:
                return ep
        raise KeyError(f"{self.name} has no endpoint {endpoint_id!r}")

    # -- the declaration -------------------------------------------------------------------------
    @abstractmethod
    def operations(self) -> list[Operation]:
        """Every endpoint as a declaration, in the order of ``endpoints``."""

    @cached_property
    def declared(self) -> dict[str, Operation]:
        """The declarations by endpoint id."""
        return {op.id: op for op in self.operations()}

    def begin(self, ctx: Context) -> None:
        """Called first for every request (before any stage): e.g. set the request id."""
        return None

    # -- the error catalogue and renderer --------------------------------------------------------
    @abstractmethod
    def render_error(self, error: VendorError, ctx: Context) -> Answer:
        """The vendor's own error answer."""

    @abstractmethod
    def body_error(self, problem: BodyProblem) -> VendorError:
        """The vendor's error for a body that cannot be read."""

    @abstractmethod
    def invalid(self, problem: Problem, endpoint: str, detail: str | None = None) -> VendorError:
        """The vendor's error for the first broken rule of a request (``detail`` overrides the
        default wording ``field: rule; expected ...``)."""

    @abstractmethod
    def for_code(self, code: Any, message: str | None) -> VendorError:
        """The error a fault, rule or replayed answer injects by code."""

    @abstractmethod
    def not_found(self, detail: str) -> VendorError:
        """The vendor's own answer (HTTP 404) for a request that matches no endpoint."""

    def busy(self, detail: str) -> VendorError:
        """The vendor's answer when the mock's unfinished work is at its bound (its throttling
        error where it has one); by default its service failure."""
        error = self.internal_error()
        error.detail = detail
        return error

    @abstractmethod
    def internal_error(self, detail: str = INTERNAL_ERROR) -> VendorError:
        """The vendor's service-failure error: an unexpected failure inside the mock (``detail``
        says which; a shared store out of reach, say)."""

    @property
    @abstractmethod
    def error_codes(self) -> frozenset[Any]:
        """The documented error codes a fault or rule may inject."""

    @property
    def injectable_codes(self) -> frozenset[Any]:
        """What a fault or rule may inject: the documented codes, and any pseudo-code the vendor
        adds (AKOOL's ``"job_failed"``)."""
        return self.error_codes

    def injectable_at(self, endpoint: str | None) -> frozenset[Any]:
        """What a fault or rule may inject at ``endpoint`` (None: anywhere): by default the same."""
        return self.injectable_codes

    # -- offline checks, credentials, banner -----------------------------------------------------
    def check_request(self, endpoint: str, request: Any) -> list[Problem]:
        """Every rule ``request`` breaks, without a server (the contract kit's request check):
        the body's shape, the schema and the checks, for the default caller."""
        from .journal import Problem
        from .pipeline import problems

        op = self.declared.get(endpoint)
        if op is None:
            raise KeyError(f"{self.name} has no endpoint {endpoint!r}")
        if isinstance(op.shape, type) and not isinstance(request, op.shape):
            return [Problem("(body)", "type", type(request).__name__, "a JSON object")]
        return problems(self, op, request, self.offline_principal(endpoint, request))

    def offline_principal(self, endpoint: str, request: Any) -> Any:
        """The caller an offline check assumes (the first configured credential, say)."""
        return None

    @abstractmethod
    def credentials(self) -> dict[str, Any]:
        """The accepted test credentials, for the banner, the fixture and the ready file."""

    def request_example(self, endpoint: str) -> Any | None:
        """A request the configured mock accepts (its credentials, a clean image), published as the
        OpenAPI example; None where a request cannot be written down (a signed one)."""
        return None

    def example_headers(self, endpoint: str) -> dict[str, str]:
        """Headers that go with :meth:`request_example` (an API key, say)."""
        return {}

    def banner_lines(self) -> list[str]:
        """Human lines for the start-up banner."""
        return [f"{key}: {value}" for key, value in self.credentials().items()]
