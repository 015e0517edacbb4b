"""ImageBatchModeration without HTTP: gateway checks, parameters, limits, verdict, Data.

Precedence (profile.ERROR_PRECEDENCE): gateway (action, signature, time, nonce) → 400 / 401 /
402 / 408 → QPS 403 → injected failure → media (404 / 405 / 406 / 407).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...core.body import BodyProblem
from ...core.exchange import Exchange
from ...core.journal import Problem
from ...core.injection import inject
from ...core.media import MediaError, inspect
from ...core.nonces import NonceStore
from ...core.verdict import MediaProblem, Subject, check_media, default_verdict
from ...settings import SettingsError, check_keys, config_number
from . import errors, profile, results, validation
from .auth import Credential, SignedRequest, Verifier, load_credentials

ENDPOINT = "image_batch_moderation"


def request_id(ex: Exchange) -> str:
    """Alibaba's request id form, e.g. ``70ED13B0-BC22-576D-9CCF-1CC12FEAC477``."""
    return str(ex.random_uuid()).upper()


class ImageBatchModeration:
    """The ImageBatchModeration backend for one server run."""

    def __init__(self, config: dict[str, Any], strict: bool, nonces: NonceStore) -> None:
        self.credentials: list[Credential] = load_credentials(config)
        self.verifier = Verifier(self.credentials, nonces)
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
        self.strict = strict

    async def moderate(self, signed: SignedRequest, json_params: dict[str, Any], problem: BodyProblem | None,
                       ex: Exchange) -> dict[str, Any]:
        """The response body for one call, or raise the vendor error that answers it."""
        rid = ex.new_request_id(request_id(ex))
        if signed.method not in ("GET", "POST"):
            raise errors.GatewayError("unknown_action", f"{signed.method} is not served; RPC calls use GET or POST")
        _check_action(signed)
        cred, scheme = self.verifier.verify(signed)
        if problem is not None:  # answered only once the caller is known
            ex.problem(Problem("(body)", problem.rule, None,
                               f"parameters as a form or a JSON object ({problem.detail})"))
            raise ex.vendor.body_error(problem)
        params = self._parameters(signed, json_params, scheme, ex)
        ex.set_body(params)
        region = self._region(signed.headers.get("host", ""), ex)
        req = validation.check(params, region, cred, self.strict, ex)
        if not ex.state.limiter.allow((profile.NAME, cred.access_key_id), self.qps):
            raise errors.QpsExceeded(f"more than {self.qps} requests in one second for {cred.access_key_id}")
        url = req.image_url or (f"oss://{req.oss_key}" if req.oss_key else None)
        subject = Subject(url=url, data_id=req.data_id, content=self._oss_bytes(req))
        rule = await inject(ex, subject, errors.for_code)
        self._check_media(req, subject)
        verdict = rule.verdict if rule is not None and rule.verdict is not None else default_verdict(subject)
        return {"Code": profile.SUCCESS, "Msg": profile.MESSAGES[profile.SUCCESS], "RequestId": rid,
                "Data": results.render(verdict, req, ex.note)}

    @staticmethod
    def _parameters(signed: SignedRequest, json_params: dict[str, Any], scheme: str, ex: Exchange) -> dict[str, Any]:
        """Query and form parameters, plus a JSON body's under V3 (whose body hash is signed).
        V1 signs only the query and the form, so a JSON body is not read there."""
        params: dict[str, Any] = {**signed.query, **signed.form}
        if not json_params:
            return params
        if scheme == "v1":
            ex.warn(Problem("(body)", "unsigned parameters", sorted(json_params),
                            "V1 signs the query and form only: a JSON body is ignored", inferred=True))
            return params
        twice = sorted(set(params) & set(json_params))
        if twice:
            ex.problem(Problem(twice[0], "set twice", json_params[twice[0]], "each parameter in one place only"))
            raise errors.InvalidParameters(f"{', '.join(twice)} set both in the query and in the JSON body")
        return {**params, **json_params}

    def _region(self, host: str, ex: Exchange) -> str:
        """The region a ``green-cip[-vpc].<region>.aliyuncs.com`` Host names, else the configured one."""
        name = host.split(":")[0].lower()
        for prefix in profile.HOST_PREFIXES:
            if name.startswith(prefix) and name.endswith(profile.HOST_SUFFIX):
                region = name[len(prefix):-len(profile.HOST_SUFFIX)]
                if region not in profile.REGIONS:
                    ex.note(f"Host {name}: the document lists no such region; answering as {self.region}")
                    return self.region
                if prefix.startswith("green-cip-vpc") and region in profile.NO_VPC:
                    ex.note(f"Host {name}: {region} has no internal endpoint in the document")
                return region
        return self.region

    def _oss_bytes(self, req: validation.ModerationRequest) -> bytes | None:
        key = req.oss_key
        if req.image_url or key is None or key not in self.oss_files:
            return None
        try:
            return self.oss_files[key].read_bytes()
        except OSError:
            return None

    def _check_media(self, req: validation.ModerationRequest, subject: Subject) -> None:
        """404 / 405 from the default rule's markers; 406 / 407 where the bytes are known."""
        if subject.url and subject.url.startswith("http"):
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
