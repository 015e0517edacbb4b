"""AKOOL Jarvis Moderator: tokens, asynchronous jobs, polling and encrypted webhooks."""

from __future__ import annotations

from typing import Any

from ...core.body import BodyProblem
from ...core.context import Context
from ...core.declaration import Answer, Operation
from ...core.errors import VendorError
from ...core.journal import Problem
from ...core.vendor import INTERNAL_ERROR, Vendor
from ...settings import Settings
from . import declaration, errors, profile, render
from .backend import Moderation, describe_credentials


class Akool(Vendor, profile=profile):
    """The AKOOL profile: getToken, sentiment (a job), infobyid."""

    def __init__(self, config: dict[str, Any], settings: Settings) -> None:
        super().__init__(config, settings)
        self.backend = Moderation(config)

    def operations(self) -> list[Operation]:
        return declaration.operations(self.backend)

    def render_error(self, error: VendorError, ctx: Context) -> Answer:
        return Answer(render.error_body(error.code, error.text), error.http_status)

    def body_error(self, problem: BodyProblem) -> VendorError:
        return errors.InvalidParameter(problem.detail)

    def invalid(self, problem: Problem, endpoint: str, detail: str | None = None) -> VendorError:
        if detail is None and problem.rule == "required" and endpoint != "sentiment":
            detail = f"{problem.field} can not be empty"
        return errors.InvalidParameter(detail or f"{problem.field}: {problem.rule}; expected {problem.expected}")

    def for_code(self, code: Any, message: str | None) -> VendorError:
        return errors.for_code(code, message)

    def not_found(self, detail: str) -> VendorError:
        error = errors.NotFound(detail)
        error.http_status = 404  # no documented answer for an unknown path; the body keeps the shape
        return error

    def busy(self, detail: str) -> VendorError:
        return errors.TooFrequent(detail)

    def internal_error(self, detail: str = INTERNAL_ERROR) -> VendorError:
        return errors.VendorFailure(detail)

    @property
    def error_codes(self) -> frozenset[Any]:
        return frozenset(errors.BY_CODE)

    @property
    def injectable_codes(self) -> frozenset[Any]:
        return frozenset({*errors.BY_CODE, errors.JOB_FAILED})

    def injectable_at(self, endpoint: str | None) -> frozenset[Any]:
        """A poll fails as any call does, not as a submission's content does (1201-1203, or a job
        that fails): those are the submission's."""
        if endpoint == "infobyid":
            return frozenset(errors.BY_CODE) - errors.CONTENT_CODES
        return self.injectable_codes

    def credentials(self) -> dict[str, Any]:
        return describe_credentials(self.backend)

    def request_example(self, endpoint: str) -> Any | None:
        if endpoint == "sentiment":
            return {"type": 1, "content": "https://cdn.example.com/uploads/photo.jpg"}
        if endpoint == "get_token":
            account = self.backend.accounts[0]
            return {"clientId": account.client_id, "clientSecret": account.client_secret}
        if endpoint == "infobyid":
            return {"_id": "0" * 24}
        return None

    def example_headers(self, endpoint: str) -> dict[str, str]:
        if endpoint == "get_token":
            return {}
        return {"x-api-key": self.backend.accounts[0].client_secret}

    def banner_lines(self) -> list[str]:
        lines = ["POST /api/open/v3/getToken, POST .../content/analysis/sentiment, GET .../content/analysis/infobyid"]
        for a in self.backend.accounts:
            lines.append(f"clientId {a.client_id!r}  clientSecret {a.client_secret!r}  uid {a.uid}"
                         + ("  (banned)" if a.banned else ""))
        return lines


VENDOR_CLASS = Akool
