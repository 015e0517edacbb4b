"""Checking ImageBatchModeration parameters and the ServiceParameters JSON string.

Each broken rule is journaled as a :class:`Problem`; the first one decides the business code:
empty → 400, length → 402, anything else → 401 (seed: Response codes).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from ...core import schemas
from ...core.journal import Problem
from ...core.verdict import url_problem
from . import profile
from .auth import Credential
from .errors import BusinessError, EmptyParameters, InvalidLength, InvalidParameters, PermissionDenied

REQUEST_SCHEMA = "alibaba/request.json"
SERVICE_PARAMETERS_SCHEMA = "alibaba/service_parameters.json"


@dataclass
class ModerationRequest:
    """A valid request in the backend's terms."""

    services: list[str]
    parameters: dict[str, Any]
    info_types: list[str] = field(default_factory=list)

    @property
    def image_url(self) -> str | None:
        return self.parameters.get("imageUrl")

    @property
    def oss_key(self) -> str | None:
        p = self.parameters
        if p.get("ossBucketName") and p.get("ossObjectName"):
            return f"{p['ossBucketName']}/{p['ossObjectName']}"
        return None

    @property
    def data_id(self) -> str | None:
        return self.parameters.get("dataId")


def code_for(problem: Problem) -> type[BusinessError]:
    """Which business code a broken rule earns."""
    if problem.rule in ("required", "minLength 1", "empty", "anyOf"):
        return EmptyParameters
    if problem.rule.startswith("maxLength"):
        return InvalidLength
    if problem.rule == "service not enabled":
        return PermissionDenied
    return InvalidParameters


def _services(value: str, region: str, cred: Credential) -> tuple[list[str], list[Problem]]:
    offered = profile.REGIONS[region]
    services = [s.strip() for s in value.split(",")]
    found = []
    for service in services:
        if not service:
            found.append(Problem("Service", "empty", value, "service names separated by single commas"))
        elif service not in offered:
            close = difflib.get_close_matches(service, list(offered), n=1, cutoff=0.5)
            found.append(Problem("Service", "offered in the region", service,
                                 f"a service offered in {region}: {', '.join(offered)}",
                                 suggestion=close[0] if close else None))
        elif cred.services is not None and service not in cred.services:
            found.append(Problem("Service", "service not enabled", service,
                                 f"a service enabled for this AccessKey: {', '.join(cred.services)}"))
    return list(dict.fromkeys(services)), found


def _service_parameters(raw: Any) -> tuple[dict[str, Any] | None, list[Problem]]:
    found: list[Problem] = []
    if isinstance(raw, dict):  # the seed's JSON example nests an object: accepted (inferred), same checks
        value: Any = raw
        found.append(Problem("ServiceParameters", "JSON string", "an object",
                             "a JSON string (the seed's example nests an object)", inferred=True))
    else:
        try:
            value = json.loads(raw)
        except (TypeError, ValueError, RecursionError):
            return None, [Problem("ServiceParameters", "JSON string", raw, "a JSON object encoded as a string")]
        if not isinstance(value, dict):
            return None, [Problem("ServiceParameters", "JSON object", raw, "a JSON object encoded as a string")]
    found += [Problem(f"ServiceParameters.{p.field}", p.rule, p.sent, p.expected, p.inferred)
             for p in schemas.problems(SERVICE_PARAMETERS_SCHEMA, value)]
    url = value.get("imageUrl")
    if isinstance(url, str) and any(0x20000 <= ord(c) <= 0x3134F for c in url):  # CJK beyond the BMP
        found.append(Problem("ServiceParameters.imageUrl", "no Chinese characters", url,
                             "a URL without Chinese characters"))
    if isinstance(url, str) and url and len(url) <= profile.IMAGE_URL_MAX:
        broken = url_problem(url)
        if broken:
            found.append(Problem("ServiceParameters.imageUrl", "valid URL", url, f"a public http(s) URL ({broken})"))
    return value, found


def collect(params: dict[str, Any], region: str, cred: Credential) -> list[Problem]:
    """Every rule the parameters break beyond the request schema (documented and inferred):
    services of the region and the credential, and the ServiceParameters JSON string; the
    signature is not part of it. The core ranks them by :func:`rank`."""
    found: list[Problem] = []
    if isinstance(params.get("Service"), str) and params["Service"]:
        _, service_problems = _services(params["Service"], region, cred)
        found += service_problems
    if params.get("ServiceParameters") not in (None, ""):
        found += _service_parameters(params["ServiceParameters"])[1]
    return found


def rank(problem: Problem) -> int:
    """400 before 401 before 402 before 408 (the first one counting is answered)."""
    return int(code_for(problem).code)


def prepare(params: dict[str, Any]) -> ModerationRequest:
    """Valid parameters in the backend's terms."""
    parameters, _ = _service_parameters(params["ServiceParameters"])
    assert parameters is not None
    services = [s.strip() for s in str(params.get("Service", "")).split(",")]
    info = [t for t in str(parameters.get("infoType") or "").split(",") if t]
    return ModerationRequest(list(dict.fromkeys(services)), parameters, info)
