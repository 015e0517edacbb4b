"""ImageBatchModeration without HTTP: the hooks the core calls and the backend function.

Precedence (profile.ERROR_PRECEDENCE): gateway (action, signature, time, nonce) → 400 / 401 /
402 / 408 → QPS 403 → injected failure → media (404 / 405 / 406 / 407).
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from ...core.body import JSON_TYPES, BodyProblem, parse_json
from ...core.context import Context
from ...core.declaration import Item, Limit
from ...core.fetch import fetch
from ...core.journal import Problem
from ...core.media import MediaError, inspect
from ...core.pipeline import verdict_of
from ...core.verdict import MediaProblem, Subject, check_media
from ...settings import SettingsError, check_keys, config_number
from . import checks, errors, profile, render
from .auth import Credential, SignedRequest, Verifier, load_credentials

FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class RpcBody:
    """The body as read before the caller is known: form parameters (signed with V1), JSON
    parameters (the seed's description), and the problem reading them, answered only after
    authentication (profile.ERROR_PRECEDENCE)."""

    raw: bytes
    form: dict[str, str] = field(default_factory=dict)
    json_params: dict[str, Any] = field(default_factory=dict)
    problem: BodyProblem | None = None


@dataclass(frozen=True)
class Caller:
    """A correctly signed caller: the credential, the signature scheme, and the region served."""

    credential: Credential
    scheme: str
    region: str


class ImageBatchModeration:
    """The ImageBatchModeration hooks and backend for one server run (its configuration)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.credentials: list[Credential] = load_credentials(config)
        self.region = str(config.get("region", profile.DEFAULT_REGION))
        if self.region not in profile.REGIONS:
            raise SettingsError(f"alibaba region {self.region!r} is not one of {sorted(profile.REGIONS)}")
        self.qps = int(config_number("alibaba", "qps", config.get("qps", profile.DEFAULT_QPS), integer=True,
                                     minimum=0, exclusive=True))
        oss = config.get("oss_files", {})
        if not isinstance(oss, dict):
            raise SettingsError('[alibaba.oss_files] must map "bucket/object" to a local file path')
        self.oss_files = {str(k): Path(str(v)) for k, v in oss.items()}
        check_keys("alibaba", config, profile.CONFIG_KEYS)

    # -- hooks, in the declared order ------------------------------------------------------------
    def decode(self, ctx: Context) -> RpcBody:
        """Form or JSON parameters; a problem reading them is kept for later."""
        raw, ctype = ctx.raw, ctx.incoming.content_type
        if not raw.strip():
            return RpcBody(raw)
        try:
            if ctype == FORM_TYPE:
                pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
                return RpcBody(raw, form=dict(reversed(pairs)))  # a repeated key: its first value, as in the query
            if ctype.lower() in JSON_TYPES or ctype.lower().endswith("+json"):
                value = parse_json(raw)
                if not isinstance(value, dict):
                    raise BodyProblem("type", "a JSON body must be an object of parameters")
                return RpcBody(raw, json_params=value)
        except UnicodeDecodeError:
            return RpcBody(raw, problem=BodyProblem("utf-8", "the form body is not valid UTF-8"))
        except BodyProblem as problem:
            return RpcBody(raw, problem=problem)
        return RpcBody(raw)  # e.g. the SDK's empty application/octet-stream body

    def authenticate(self, ctx: Context) -> Caller | Awaitable[Caller]:
        """The method and action, then the signature (V3 or V1), the time window and the nonce
        (a shared store's nonce is awaited)."""
        body: RpcBody = ctx.body
        incoming = ctx.incoming
        headers = {name: ",".join(sorted(v.strip() for v in values))
                   for name, values in incoming.header_lists().items()}
        signed = SignedRequest(incoming.method, incoming.path, dict(incoming.query), body.form, headers, body.raw)
        if signed.method not in ("GET", "POST"):
            raise errors.GatewayError("unknown_action", f"{signed.method} is not served; RPC calls use GET or POST")
        _check_action(signed)
        verifier = Verifier(self.credentials, ctx.services.nonces)
        cred, scheme = verifier.verify(signed)
        caller = Caller(cred, scheme, self._region(headers.get("host", ""), ctx))
        if verifier.unclaimed is None:
            return caller
        return _claimed(verifier, caller)

    def shape(self, ctx: Context) -> dict[str, Any]:
        """The parameters: the body's problem (once the caller is known), then query and form,
        plus a JSON body's under V3 (whose body hash is signed). V1 signs only the query and
        the form, so a JSON body is not read there."""
        body: RpcBody = ctx.body
        if body.problem is not None:
            error = errors.for_body(body.problem)
            error.problems.append(Problem("(body)", body.problem.rule, None,
                                          f"parameters as a form or a JSON object ({body.problem.detail})"))
            raise error
        params: dict[str, Any] = {**ctx.incoming.query, **body.form}
        if body.json_params and ctx.principal.scheme == "v1":
            ctx.notes.warn(Problem("(body)", "unsigned parameters", sorted(body.json_params),
                                   "V1 signs the query and form only: a JSON body is ignored", inferred=True))
        elif body.json_params:
            twice = sorted(set(params) & set(body.json_params))
            if twice:
                raise errors.InvalidParameters(f"{', '.join(twice)} set both in the query and in the JSON body",
                                               problems=[Problem(twice[0], "set twice", body.json_params[twice[0]],
                                                                 "each parameter in one place only")])
            params = {**params, **body.json_params}
        ctx.notes.set_body(params)
        return params

    def field_checks(self, params: dict[str, Any], caller: Caller) -> list[Problem]:
        return checks.collect(params, caller.region, caller.credential)

    def prepare(self, ctx: Context) -> checks.ModerationRequest:
        return checks.prepare(ctx.body)

    def limits(self, ctx: Context) -> list[Limit]:
        key_id = ctx.principal.credential.access_key_id
        return [Limit((profile.NAME, key_id), lambda detail: errors.QpsExceeded(f"{detail} for {key_id}"),
                      qps=self.qps)]

    async def subjects(self, ctx: Context) -> list[Item]:
        """The image: an OSS object's mapped file, or an ``imageUrl`` on an allow-listed host
        downloaded (within 20 MB and the documented 3 s; what went wrong is kept for ``moderate``,
        so a rule or fault still answers first). Any other URL is judged by what it says."""
        req: checks.ModerationRequest = ctx.request
        url = req.image_url or (f"oss://{req.oss_key}" if req.oss_key else None)
        content, failure = self._oss_bytes(req), None
        if req.image_url:
            try:
                content = await fetch(req.image_url, ctx.services.allow, profile.IMAGE_MAX_BYTES,
                                      timeout=profile.DOWNLOAD_TIMEOUT_SECONDS)
            except MediaError as exc:
                failure = exc
            if content is not None:
                ctx.note(f"downloaded {len(content)} bytes from {req.image_url}")
        return [Item(Subject(url=url, data_id=req.data_id, content=content), failure)]

    async def moderate(self, ctx: Context) -> dict[str, Any]:
        """The media checks (404-407), then the answer with every service's result."""
        req: checks.ModerationRequest = ctx.request
        item = ctx.items[0]
        if isinstance(item.data, MediaError):
            _download_failed(item.data)
        self._check_media(req, item.subject)
        return {"Code": profile.SUCCESS, "Msg": profile.MESSAGES[profile.SUCCESS], "RequestId": ctx.request_id,
                "Data": render.render(item.verdict or verdict_of(item.rule, item.subject), req, ctx.note)}

    # -- helpers ---------------------------------------------------------------------------------
    def _region(self, host: str, ctx: Context) -> str:
        """The region a ``green-cip[-vpc].<region>.aliyuncs.com`` Host names, else the configured one."""
        name = host.split(":")[0].lower()
        for prefix in profile.HOST_PREFIXES:
            if name.startswith(prefix) and name.endswith(profile.HOST_SUFFIX):
                region = name[len(prefix):-len(profile.HOST_SUFFIX)]
                if region not in profile.REGIONS:
                    ctx.note(f"Host {name}: the document lists no such region; answering as {self.region}")
                    return self.region
                if prefix.startswith("green-cip-vpc") and region in profile.NO_VPC:
                    ctx.note(f"Host {name}: {region} has no internal endpoint in the document")
                return region
        return self.region

    def _oss_bytes(self, req: checks.ModerationRequest) -> bytes | None:
        key = req.oss_key
        if req.image_url or key is None or key not in self.oss_files:
            return None
        try:
            return self.oss_files[key].read_bytes()
        except OSError:
            return None

    def _check_media(self, req: checks.ModerationRequest, subject: Subject) -> None:
        """404 / 405 from the default rule's markers; 406 / 407 where the bytes are known."""
        if subject.url and subject.url.startswith("http") and subject.content is not None:
            _check_image(subject.content)  # downloaded from an allow-listed host
        elif subject.url and subject.url.startswith("http"):
            try:
                check_media(subject)
            except MediaProblem as exc:
                if exc.kind == "download_timeout":
                    raise errors.DownloadTimeout(f"{exc.detail} (limit {profile.DOWNLOAD_TIMEOUT_SECONDS} s)") from None
                raise errors.DownloadFailed(exc.detail) from None
        key = req.oss_key
        if key is not None and not req.image_url and key in self.oss_files:
            if subject.content is None:
                raise errors.DownloadFailed(f"OSS object {key} maps to {self.oss_files[key]}, which cannot be read")
            _check_image(subject.content)


def _check_action(signed: SignedRequest) -> None:
    params = {**signed.query, **signed.form}
    action = signed.headers.get("x-acs-action") or params.get("Action")
    version = signed.headers.get("x-acs-version") or params.get("Version")
    if action != profile.ACTION:
        raise errors.GatewayError("unknown_action", f"action {action!r}; this endpoint serves {profile.ACTION}")
    if version != profile.VERSION:
        raise errors.GatewayError("unknown_version", f"version {version!r}; expected {profile.VERSION}")


def _download_failed(failure: MediaError) -> None:
    """A download from an allow-listed host that went wrong: over 20 MB (406), past the 3 s
    (405), or failed (404)."""
    if failure.rule == "size":
        raise errors.ImageTooLarge(f"the image is over 20 MB ({failure.detail})")
    if failure.rule == "timeout":
        raise errors.DownloadTimeout(f"{failure.detail} (limit {profile.DOWNLOAD_TIMEOUT_SECONDS} s)")
    raise errors.DownloadFailed(failure.detail)


def _check_image(data: bytes) -> None:
    """Size, format and pixel limits (seed: Image requirements)."""
    if len(data) > profile.IMAGE_MAX_BYTES:
        raise errors.ImageTooLarge(f"{len(data)} bytes is over 20 MB")
    try:
        info = inspect(data)
    except MediaError as exc:
        if exc.rule == "pixels":
            raise errors.ImageTooLarge(exc.detail) from None
        raise errors.UnsupportedFormat(exc.detail) from None
    fmt = profile.PILLOW_FORMAT_ALIASES.get(info.format, info.format)
    if fmt not in profile.IMAGE_FORMATS:
        raise errors.UnsupportedFormat(f"format {fmt} is not one of {sorted(profile.IMAGE_FORMATS)}")
    if info.width is None or info.height is None:
        return
    side, pixels = max(info.width, info.height), info.width * info.height
    if side > profile.IMAGE_MAX_SIDE or pixels > profile.IMAGE_MAX_PIXELS:
        raise errors.ImageTooLarge(f"{info.width}x{info.height} is over 16,384 px a side or 167 million pixels")


async def _claimed(verifier: Verifier, caller: Caller) -> Caller:
    """``caller`` once its nonce is used in the shared store."""
    await verifier.claim()
    return caller
