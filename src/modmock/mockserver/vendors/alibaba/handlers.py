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


def _body_params(request: web.Request, raw: bytes) -> tuple[dict[str, str], dict[str, Any]]:
    """Form parameters (signed with V1) and JSON parameters (the seed's description)."""
    if not raw.strip():
        return {}, {}
    if request.content_type == FORM_TYPE:
        try:
            return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)), {}
        except UnicodeDecodeError:
            raise BodyProblem("utf-8", "the form body is not valid UTF-8") from None
    if is_json_content_type(request):
        value = parse_json(raw)
        if not isinstance(value, dict):
            raise BodyProblem("type", "a JSON body must be an object of parameters")
        return {}, value
    return {}, {}  # e.g. the SDK's empty application/octet-stream body


async def image_batch_moderation(request: web.Request) -> web.Response:
    """POST / with ImageBatchModeration."""
    ex: Exchange = request[EXCHANGE]
    vendor = cast("Alibaba", ex.vendor)
    raw, form, json_params = await ex.read_body(request, lambda raw: (raw, *_body_params(request, raw)),
                                                "parameters in the query, a form or a JSON object")
    query = dict(request.query)
    params: dict[str, Any] = {**query, **form, **json_params}
    ex.set_body(params)
    signed = SignedRequest(request.method, request.path, query, form, _headers(request), raw)
    return ex.json_response(await vendor.backend.moderate(signed, params, ex))
