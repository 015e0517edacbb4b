"""Hints for the contract kit: what a drawn AKOOL request needs beyond its schema."""

from __future__ import annotations

import dataclasses
import json
import secrets
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from ...mockserver.vendors.akool import errors, profile, webhook
from ..calls import Call
from ..formats import image_urls
from ..strategies import REMOVE
from ..suite.hints import SuiteHints, WebhookHints


def _content_for(kind: int) -> st.SearchStrategy[str]:
    extensions = st.sampled_from(profile.EXTENSIONS[kind])
    urls = st.tuples(image_urls(), extensions).map(lambda pair: pair[0].rsplit(".", 1)[0] + pair[1])
    if kind == profile.TYPE_TEXT:
        return st.one_of(urls, st.text(min_size=1, max_size=200).filter(lambda t: not t.lower().startswith("http")))
    return urls


def request_hints(endpoint: str) -> dict[str, st.SearchStrategy[Any]]:
    """Dotted field → strategy (or REMOVE) applied over a schema-drawn request."""
    if endpoint == "get_token":
        return {"clientId": st.just(profile.DEFAULT_CLIENT_ID), "clientSecret": st.just(profile.DEFAULT_CLIENT_SECRET)}
    if endpoint == "sentiment":
        return {"webhookUrl": st.just(REMOVE), "input": st.one_of(st.just(REMOVE), st.text(max_size=64)),
                "language": st.one_of(st.just(REMOVE), st.sampled_from(["en", "zh", "es", "ar", "ja"]))}
    return {}


def finish_request(endpoint: str, doc: Any, draw: Callable[..., Any]) -> Any:
    if endpoint == "sentiment":
        doc["content"] = draw(_content_for(doc["type"]))
    return doc


def to_call(endpoint: str, doc: Any) -> Call:
    """A drawn request as a call; sentiment and infobyid carry the running mock's API key
    (``x-api-key``: the clientSecret of its first credential) when sent."""
    ep = {e.id: e for e in profile.ENDPOINTS}[endpoint]
    if ep.params_in == "query":
        return Call(ep.method, ep.path, params={k: str(v) for k, v in doc.items()}, signer=_keyed)
    return Call(ep.method, ep.path, body=doc, signer=None if endpoint == "get_token" else _keyed)


def _keyed(call: Call, credentials: Any) -> Call:
    accounts = (credentials or {}).get("credentials") or [{"clientSecret": profile.DEFAULT_CLIENT_SECRET}]
    return dataclasses.replace(call, headers={**call.headers, "x-api-key": accounts[0]["clientSecret"]})


# -- the client contract suite --------------------------------------------------------------------
_RISK = {conclusion: risk for risk, conclusion in profile.CONCLUSIONS.items()}


def _risk_of(body: Any) -> str | None:
    """The risk a job's final answer (infobyid, or a decrypted webhook payload) carries; None
    for an error code or a job not completed."""
    if isinstance(body, dict) and "code" in body:
        if body.get("code") != profile.SUCCESS or not isinstance(body.get("data"), dict):
            return None
        body = body["data"]
    if not isinstance(body, dict) or body.get("status") != profile.COMPLETED:
        return None
    return _RISK.get(str(body.get("final_conclusion")))


def _account(credentials: Any) -> tuple[str, str]:
    accounts = (credentials or {}).get("credentials") or [
        {"clientId": profile.DEFAULT_CLIENT_ID, "clientSecret": profile.DEFAULT_CLIENT_SECRET}]
    return accounts[0]["clientId"], accounts[0]["clientSecret"]


def _seal(payload: Any, credentials: Any, timestamp: int) -> bytes:
    client_id, client_secret = _account(credentials)
    return json.dumps(webhook.seal(payload, client_id, client_secret, timestamp, secrets.token_hex(8))).encode()


def _tamper(body: bytes) -> list[bytes]:
    """The same envelope with its signature changed, and with its ciphertext changed under the
    old signature."""
    envelope = json.loads(body)
    forged = dict(envelope, signature=envelope["signature"][::-1])
    data = envelope["dataEncrypt"]
    flipped = dict(envelope, dataEncrypt=data[:-8] + ("A" if data[-8] != "A" else "B") + data[-7:])
    return [json.dumps(forged).encode(), json.dumps(flipped).encode()]


def _final(job_id: str, risk: str) -> dict[str, Any]:
    return {"_id": job_id, "status": profile.COMPLETED, "type": profile.TYPE_IMAGE,
            "result": "- No inappropriate content was found.\nResult: Compliant" if risk == "pass"
            else "- Pornography: Matched this label\nResult: Non-Compliant",
            "final_conclusion": profile.CONCLUSIONS[risk]}


SUITE = SuiteHints(
    endpoint="sentiment",
    rate_limit_code=profile.RATE_LIMITED,
    responses=None,
    risk_of=_risk_of,
    flow="job",
    accepted=lambda answer: isinstance(answer, dict) and answer.get("code") == profile.SUCCESS,
    query_endpoint="infobyid",
    busy_status=profile.STATUS_NAMES[profile.PROCESSING],
    failed_job_error={"code": errors.JOB_FAILED},
    token_endpoint="get_token",
    webhooks=WebhookHints(
        job_id=lambda answer: str(answer["data"]["_id"]),
        final=_final,
        progress=lambda job_id: {"_id": job_id, "status": profile.PROCESSING, "type": profile.TYPE_IMAGE},
        seal=_seal,
        tamper=_tamper,
    ),
)
