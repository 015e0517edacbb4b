"""Checking an image v4 request: the schema, then the rules a schema cannot say.

Every broken rule becomes a :class:`Problem` (field, rule, sent, expected). Documented rules
answer 1902 naming the first field; inferred ones are served with a warning unless strict.
"""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass, field
from typing import Any

from ...core import schemas
from ...core.context import Notebook
from ...core.journal import Problem
from ...core.media import MediaError, decode_base64, inspect, is_url
from ...core.verdict import url_problem
from . import profile
from .auth import Credential

REQUEST_SCHEMA = "deepcleer/request.json"


@dataclass
class ImageRequest:
    """A valid request in the backend's terms."""

    body: dict[str, Any]
    data: dict[str, Any]
    types: list[str] = field(default_factory=list)
    business_types: list[str] = field(default_factory=list)
    accept_lang: str = profile.DEFAULT_ACCEPT_LANG

    @property
    def callback(self) -> str | None:
        return self.body.get("callback")

    @property
    def img(self) -> str:
        return str(self.data["img"])

    @property
    def img_is_url(self) -> bool:
        return is_url(self.img)

    def segments(self, frames: int) -> int:
        """Frames processed: every ``interval``-th frame, at most ``maxFrame``, at least one
        (seed: interval is raised to frames / maxFrame when interval x maxFrame < frames)."""
        max_frame = max(1, int(self.data.get("maxFrame", profile.DEFAULT_MAX_FRAME)))
        interval = max(1, int(self.data.get("interval", profile.DEFAULT_INTERVAL)))
        return max(1, min(-(-frames // interval), max_frame))


def codes(value: Any) -> list[str]:
    return [c for c in value.split("_") if c] if isinstance(value, str) else []


def _code_problems(fld: str, codes: list[str], known: frozenset[str] | dict[str, str],
                   older: frozenset[str] | dict[str, str], what: str) -> list[Problem]:
    found = []
    for code in codes:
        if code not in known and code not in older:
            choices = sorted(known)
            shown = f"{choices[:12]}..." if len(choices) > 12 else str(choices)
            close = difflib.get_close_matches(code, list(known), n=1, cutoff=0.5)
            found.append(Problem(fld, f"unknown {what}", code, f"{what}s from {shown}",
                                 suggestion=close[0] if close else None))
    return found


def cross_field(body: dict[str, Any], cluster: str) -> list[Problem]:
    """Rules the seed states in prose: type codes, BOCR, lang, URL and passThrough lengths."""
    found: list[Problem] = []
    data: dict[str, Any] = body["data"] if isinstance(body.get("data"), dict) else {}
    types = codes(body.get("type"))
    business = codes(body.get("businessType"))
    found += _code_problems("type", types, profile.TYPES, profile.OLDER_TYPES, "risk type")
    found += _code_problems("businessType", business, profile.BUSINESS_TYPES,
                            profile.OLDER_BUSINESS_TYPES, "business type")
    if ("type" in body or "businessType" in body) and not types and not business:
        found.append(Problem("type", "at least one of type or businessType", body.get("type", body.get("businessType")),
                             "at least one risk type or business type code"))
    if "BOCR" in types and cluster not in profile.BOCR_CLUSTERS:
        found.append(Problem("type", "BOCR cluster", "BOCR", "BOCR only on the Singapore (xjp) and "
                             f"Silicon Valley (gg) clusters; this mock is {cluster}"))
    lang = data.get("lang")
    if lang in ("en", "ar") and cluster not in profile.MULTILINGUAL_CLUSTERS:
        found.append(Problem("data.lang", "cluster languages", lang, f"zh on the {cluster} cluster: it supports "
                             "Chinese images only (English and Arabic on xjp and gg)", inferred=True))
    if lang == "auto" and "BOCR" not in types:
        found.append(Problem("data.lang", "auto needs BOCR", "auto", "lang auto only together with type BOCR"))
    found += _url_problems(body, data)
    img = data.get("img")
    if isinstance(img, str) and is_url(img) and len(img) > profile.IMG_URL_MAX:
        found.append(Problem("data.img", f"maxLength {profile.IMG_URL_MAX}", img,
                             f"an image URL of at most {profile.IMG_URL_MAX} characters"))
    base = data.get("imgCompareBase")
    if isinstance(base, str) and "FACECOMPARE" not in business:
        found.append(Problem("data.imgCompareBase", "only with FACECOMPARE", "businessType " + (
            "_".join(business) or "(none)"), "imgCompareBase together with businessType FACECOMPARE (it is "
            "ignored otherwise)", inferred=True))
    if isinstance(base, str) and not is_url(base) and len(base) * 3 // 4 <= profile.COMPARE_IMAGE_MAX:
        found += _compare_base_problems(base)  # (a larger one is refused for its size below)
    if isinstance(base, str):
        if is_url(base) and len(base) > profile.IMG_URL_MAX:
            found.append(Problem("data.imgCompareBase", f"maxLength {profile.IMG_URL_MAX}", base,
                                 f"a URL of at most {profile.IMG_URL_MAX} characters"))
        elif not is_url(base) and len(base) * 3 // 4 > profile.COMPARE_IMAGE_MAX:
            found.append(Problem("data.imgCompareBase", "max image size 10 MB", f"{len(base)} base64 characters",
                                 "a base image of at most 10 MB"))
    extra: dict[str, Any] = data["extra"] if isinstance(data.get("extra"), dict) else {}
    passthrough = extra.get("passThrough")
    if isinstance(passthrough, dict):
        size = len(json.dumps(passthrough, ensure_ascii=False, separators=(",", ":")))
        if size > profile.PASS_THROUGH_MAX:
            found.append(Problem("data.extra.passThrough", f"maxLength {profile.PASS_THROUGH_MAX}",
                                 f"{size} characters of JSON", "at most 1024 characters of JSON"))
    return found


def _compare_base_problems(base: str) -> list[Problem]:
    """A base64 base image: one of the seed's formats, not animated, not long (ratio inferred).
    The size rule (10 MB) is checked from the base64 length with the other limits."""
    where = "data.imgCompareBase"
    try:
        info = inspect(decode_base64(base))
    except MediaError as exc:
        return [Problem(where, "image", f"{len(base)} base64 characters", f"a base image ({exc.detail})")]
    fmt = profile.PILLOW_FORMAT_ALIASES.get(info.format, info.format)
    if fmt not in profile.COMPARE_FORMATS:
        return [Problem(where, "format", fmt, f"one of {', '.join(sorted(profile.COMPARE_FORMATS))}")]
    if info.frames > 1:
        return [Problem(where, "not animated", f"{info.frames} frames", "a still base image")]
    if info.width and info.height and max(info.width, info.height) > profile.LONG_IMAGE_RATIO * min(
            info.width, info.height):
        return [Problem(where, "not a long image", f"{info.width}x{info.height}",
                        f"no side over {profile.LONG_IMAGE_RATIO} times the other", inferred=True)]
    return []


def _url_problems(body: dict[str, Any], data: dict[str, Any]) -> list[Problem]:
    """callback must be a valid http(s) URL (seed); so must the image URLs."""
    found = []
    for name, value in (("callback", body.get("callback")), ("data.img", data.get("img")),
                        ("data.backupUrl", data.get("backupUrl")), ("data.imgCompareBase", data.get("imgCompareBase"))):
        if not isinstance(value, str) or (name != "callback" and name != "data.backupUrl" and not is_url(value)):
            continue
        broken = url_problem(value)
        if broken:
            found.append(Problem(name, "valid URL", value, f"a valid HTTP or HTTPS URL ({broken})"))
    return found


@functools.cache
def _documented(schema_name: str) -> tuple[frozenset[str], frozenset[str], dict[str, frozenset[str]],
                                           frozenset[str] | None]:
    """The documented field names of a request schema: the body's, data's, those of data's
    objects (extra, streamInfo) and of each batch image (None where there is no batch)."""
    root = schemas.schema(schema_name)
    data_node = root["properties"]["data"]
    inner = {name: frozenset(data_node["properties"][name]["properties"])
             for name in ("extra", "streamInfo") if name in data_node["properties"]}
    imgs = data_node["properties"].get("imgs")
    return (frozenset(root["properties"]), frozenset(data_node["properties"]), inner,
            frozenset(imgs["items"]["properties"]) if imgs is not None else None)


def unknown_fields(body: dict[str, Any], schema_name: str = REQUEST_SCHEMA) -> list[Problem]:
    """Fields the document does not list (a typo like ``callbackUrl`` silently makes a request
    synchronous): an inferred rule, so a warning unless strict."""
    root_known, data_known, inner, img_known = _documented(schema_name)
    data: dict[str, Any] = body["data"] if isinstance(body.get("data"), dict) else {}
    places: list[tuple[str, Any, frozenset[str]]] = [("", body, root_known), ("data.", data, data_known)]
    places += [(f"data.{name}.", data.get(name), known) for name, known in inner.items()]
    imgs = data.get("imgs")
    if img_known is not None and isinstance(imgs, list):
        places += [(f"data.imgs[{i}].", img, img_known) for i, img in enumerate(imgs)]
    found = []
    for where, value, known in places:
        if not isinstance(value, dict) or value.keys() <= known:
            continue
        for name in value:
            if name not in known:
                near = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f"; did you mean {where}{near[0]}?" if near else ""
                found.append(Problem(f"{where}{name}", "unknown field", value[name],
                                     f"only the documented fields{hint}", inferred=True))
    return found


def agreed_ids(body: dict[str, Any], cred: Credential) -> list[Problem]:
    """appId and eventId must be agreed with the vendor (seed); the code for it is inferred."""
    found = []
    app_id, event_id = body.get("appId"), body.get("eventId")
    if isinstance(app_id, str) and not cred.allows_app(app_id):
        found.append(Problem("appId", "not agreed for this accessKey", app_id, f"one of {list(cred.app_ids)}"))
    if isinstance(event_id, str) and not cred.allows_event(event_id):
        found.append(Problem("eventId", "not agreed for this accessKey", event_id, f"one of {list(cred.event_ids)}"))
    return found


def collect(body: dict[str, Any], cred: Credential, cluster: str) -> list[Problem]:
    """Every rule ``body`` breaks beyond its schema (documented and inferred), without raising:
    the seed's prose rules, the agreed ids, unknown fields."""
    return cross_field(body, cluster) + agreed_ids(body, cred) + unknown_fields(body)


def prepare(body: dict[str, Any], notes: Notebook) -> ImageRequest:
    """The valid body in the backend's terms; truncations and older codes noted."""
    data = body["data"]
    nickname = data.get("nickname")
    if isinstance(nickname, str) and len(nickname) > profile.NICKNAME_MAX:
        notes.note(f"data.nickname truncated from {len(nickname)} to {profile.NICKNAME_MAX} characters")
    type_value, business_value = body.get("type"), body.get("businessType")
    types, business, older = _codes_of(type_value if isinstance(type_value, str) else None,
                                       business_value if isinstance(business_value, str) else None)
    if older:
        notes.note(f"older codes read as current ones: {', '.join(older)}")
    accept = body.get("acceptLang") or data.get("acceptLang") or profile.DEFAULT_ACCEPT_LANG
    return ImageRequest(body, data, list(types), list(business), accept)


@functools.lru_cache(maxsize=1024)
def _codes_of(type_value: str | None, business_value: str | None) -> tuple[tuple[str, ...], tuple[str, ...],
                                                                           tuple[str, ...]]:
    """The current type codes (older ones read as current, each once), the business codes and the
    older codes sent: a pure function of the few combinations clients send (``codes`` reads no
    other value than a string)."""
    sent_types, business = codes(type_value), codes(business_value)
    older = tuple(c for c in sent_types + business if c in profile.OLDER_TYPES or c in profile.OLDER_BUSINESS_TYPES)
    types = tuple(dict.fromkeys(profile.OLDER_TYPES.get(c, c) for c in sent_types))
    return types, tuple(business), older
