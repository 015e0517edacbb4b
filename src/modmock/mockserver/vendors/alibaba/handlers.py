"""ImageBatchModeration HTTP handler: gather parameters (query, form or JSON body) and headers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl

from aiohttp import web

from ...core.body import BodyProblem, is_json_content_type, parse_json
from ...core.exchange import EXCHANGE, Exchange
from .auth import SignedRequest

if TYPE_CHECKING:
    from . import Alibaba

FORM_TYPE = "application/x-www-form-urlencoded"


def _headers(request: web.Request) -> dict[str, str]:
    """Lower-case names; repeated headers joined with commas, as the signature canonicalises them."""
    out: dict[str, str] = {}
    for name in {k.lower() for k in request.headers}:
        out[name] = ",".join(sorted(v.strip() for v in request.headers.getall(name)))
    return out


def _body_params(request: web.Request, raw: bytes) -> tuple[dict[str, str], dict[str, Any], BodyProblem | None]:
    """Form parameters (signed with V1), JSON parameters (the seed's description), and the
    problem reading them, which is answered only after authentication."""
    if not raw.strip():
        return {}, {}, None
    try:
        if request.content_type == FORM_TYPE:
            return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True)), {}, None
        if is_json_content_type(request):
            value = parse_json(raw)
            if not isinstance(value, dict):
                raise BodyProblem("type", "a JSON body must be an object of parameters")
            return {}, value, None
    except UnicodeDecodeError:
        return {}, {}, BodyProblem("utf-8", "the form body is not valid UTF-8")
    except BodyProblem as problem:
        return {}, {}, problem
    return {}, {}, None  # e.g. the SDK's empty application/octet-stream body


async def image_batch_moderation(request: web.Request) -> web.Response:
    """GET or POST / with ImageBatchModeration (RPC style allows both)."""
    ex: Exchange = request[EXCHANGE]
    vendor = cast("Alibaba", ex.vendor)
    raw = await ex.read_body(request, bytes, "parameters in the query, a form or a JSON object")
    form, json_params, problem = _body_params(request, raw)
    signed = SignedRequest(request.method, request.path, dict(request.query), form, _headers(request), raw)
    return ex.json_response(await vendor.backend.moderate(signed, json_params, problem, ex))
