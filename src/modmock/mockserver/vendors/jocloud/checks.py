"""A request body, field by field, without HTTP.

The seeds give no per-API body, so its shape is inferred (schemas in ``schemas/jocloud/`` say
why): ``{"data": [{"dataId", "url" | "content" | "roomId"}], "actions", "callbackUrl",
"interval", "operation"}``. ``collect`` is pure: every problem of a body. A problem marked
``inferred`` is a warning unless ``--strict``; the rest make the request a 400. What the items'
bytes say (base64, size, decoding, duration) is judged later, per item, by ``media.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ...core.journal import Problem
from . import profile

TOP_FIELDS = {
    **{eid: ("data", "actions") for eid in profile.SYNC},
    **{eid: ("data", "actions", "callbackUrl") for eid in profile.ASYNC},
    **{eid: ("data", "actions", "callbackUrl", "interval", "operation") for eid in profile.LIVE},
}
ITEM_FIELDS = {
    profile.IMAGE_SYNC: ("dataId", "url", "content"), profile.AUDIO_SYNC: ("dataId", "url", "content"),
    profile.TEXT_SYNC: ("dataId", "content"), profile.AUDIO_ASYNC: ("dataId", "url"),
    profile.VIDEO_ASYNC: ("dataId", "url"), profile.VIDEO_LIVE: ("dataId", "url", "taskId"),
    profile.INTERACTION_AUDIO: ("dataId", "roomId", "uid", "taskId"),
    profile.INTERACTION_VIDEO: ("dataId", "roomId", "uid", "taskId"),
}


@dataclass(frozen=True)
class Item:
    """One data item as sent."""

    index: int
    data_id: str
    url: str | None = None
    content: str | None = None
    room_id: str | None = None
    uid: str | None = None
    task_id: str | None = None

    @property
    def where(self) -> str:
        return f"data[{self.index}]"


@dataclass(frozen=True)
class Submission:
    """A checked request."""

    endpoint: str
    items: tuple[Item, ...]
    actions: tuple[str, ...]
    callback_url: str | None = None
    interval: float | None = None
    operation: str = "start"


def _url(field: str, value: Any, schemes: tuple[str, ...] = ("http", "https"), inferred: bool = False) -> Problem | None:
    if not isinstance(value, str):
        return Problem(field, "type", type(value).__name__, "a URL string")
    try:
        parts = urlsplit(value)
        ok = parts.scheme.lower() in schemes and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        return Problem(field, "url", value[:120], f"a {'/'.join(schemes)} URL", inferred=inferred)
    if len(value) > profile.URL_MAX:
        return Problem(field, f"maxLength {profile.URL_MAX}", f"{len(value)} characters",
                       f"a URL of at most {profile.URL_MAX} characters", inferred=True)
    return None


def _string(field: str, value: Any, what: str, *, limit: int | None = None, inferred: bool = False,
            allow_int: bool = False) -> Problem | None:
    if isinstance(value, bool) or not (isinstance(value, str) or (allow_int and isinstance(value, int))):
        return Problem(field, "type", type(value).__name__, what, inferred=inferred)
    if isinstance(value, str) and not value:
        return Problem(field, "minLength 1", value, what, inferred=inferred)
    if limit is not None and len(str(value)) > limit:
        return Problem(field, f"maxLength {limit}", f"{len(str(value))} characters", what, inferred=True)
    return None


def _item_problems(endpoint: str, i: int, item: Any, stop: bool) -> list[Problem]:
    where = f"data[{i}]"
    if not isinstance(item, dict):
        return [Problem(where, "type", type(item).__name__, "a JSON object")]
    found: list[Problem] = []
    if "dataId" not in item:
        if not stop:  # a stop names its task; the dataId is the task's
            found.append(Problem(f"{where}.dataId", "required", None, "the caller's id of this item", inferred=True))
    else:
        found += filter(None, [_string(f"{where}.dataId", item["dataId"], "a string id of this item",
                                       limit=profile.DATA_ID_MAX)])
    if stop:
        if "taskId" not in item:
            found.append(Problem(f"{where}.taskId", "required", None, "the taskId the start answer gave"))
        else:
            found += filter(None, [_string(f"{where}.taskId", item["taskId"], "the taskId the start answer gave")])
        return found
    if endpoint in (profile.IMAGE_SYNC, profile.AUDIO_SYNC):
        sources = [k for k in ("url", "content") if k in item]
        if len(sources) != 1:
            found.append(Problem(f"{where}.url|content", "exactly one", sources or None,
                                 "either url (http/https) or content (base64)"))
        elif sources == ["url"]:
            found += filter(None, [_url(f"{where}.url", item["url"])])
        else:
            found += filter(None, [_string(f"{where}.content", item["content"], "base64-encoded bytes")])
    elif endpoint == profile.TEXT_SYNC:
        if "content" not in item:
            found.append(Problem(f"{where}.content", "required", None, "the text, base64-encoded (UTF-8)"))
        else:
            found += filter(None, [_string(f"{where}.content", item["content"], "the text, base64-encoded (UTF-8)")])
    elif endpoint in (profile.AUDIO_ASYNC, profile.VIDEO_ASYNC):
        if "url" not in item:
            found.append(Problem(f"{where}.url", "required", None, "an http/https URL (URL only)"))
        else:
            found += filter(None, [_url(f"{where}.url", item["url"])])
    elif endpoint == profile.VIDEO_LIVE:
        if "url" not in item:
            found.append(Problem(f"{where}.url", "required", None, "the stream URL"))
        else:
            found += filter(None, [_url(f"{where}.url", item["url"], profile.STREAM_SCHEMES, inferred=True)])
    else:  # interaction: a room of the vendor's own live-streaming system
        if "roomId" not in item:
            found.append(Problem(f"{where}.roomId", "required", None, "the live room's id"))
        else:
            found += filter(None, [_string(f"{where}.roomId", item["roomId"], "the live room's id", allow_int=True)])
        if "uid" in item:
            found += filter(None, [_string(f"{where}.uid", item["uid"], "a user id in the room", allow_int=True,
                                           inferred=True)])
    for name in item:
        if name not in ITEM_FIELDS[endpoint]:
            found.append(Problem(f"{where}.{name}", "unknown field", item[name],
                                 f"one of {', '.join(ITEM_FIELDS[endpoint])}", inferred=True))
    return found


def collect(endpoint: str, body: Any) -> list[Problem]:
    """Every problem of a request body to ``endpoint`` (inferred ones marked)."""
    if not isinstance(body, dict):
        return [Problem("(body)", "type", type(body).__name__, "a JSON object")]
    found: list[Problem] = []
    operation = body.get("operation", "start") if endpoint in profile.LIVE else "start"
    if operation not in profile.OPERATIONS:
        found.append(Problem("operation", "enum", operation, "start or stop"))
        operation = "start"
    stop = operation == "stop"
    data = body.get("data")
    if data is None:
        found.append(Problem("data", "required", None, "an array of data items"))
    elif not isinstance(data, list):
        found.append(Problem("data", "type", type(data).__name__, "an array of data items"))
    elif not data:
        found.append(Problem("data", "minItems 1", 0, "at least one data item"))
    else:
        if len(data) > profile.MAX_ITEMS:
            found.append(Problem("data", f"maxItems {profile.MAX_ITEMS}", len(data),
                                 f"at most {profile.MAX_ITEMS} items (the mock's own bound)"))
        for i, item in enumerate(data):
            found += _item_problems(endpoint, i, item, stop)
    if "actions" in body:
        found += _actions(endpoint, body["actions"])
    if endpoint in profile.ASYNC or (endpoint in profile.LIVE and not stop):
        if "callbackUrl" not in body:
            found.append(Problem("callbackUrl", "required", None, "the http/https URL results are POSTed to"))
        else:
            found += filter(None, [_url("callbackUrl", body["callbackUrl"])])
    if "interval" in body and endpoint in profile.LIVE:
        value, (low, high) = body["interval"], profile.LIVE_INTERVAL_RANGE
        if not _whole(value) or not low <= value <= high:
            found.append(Problem("interval", f"integer {low}..{high}", value,
                                 f"seconds between two reports, {low} to {high}", inferred=True))
    for name in body:
        if name not in TOP_FIELDS[endpoint]:
            found.append(Problem(name, "unknown field", body[name], f"one of {', '.join(TOP_FIELDS[endpoint])}",
                                 inferred=True))
    return found


def _actions(endpoint: str, actions: Any) -> list[Problem]:
    known = profile.ACCEPTED_ACTIONS[endpoint]
    if not isinstance(actions, list) or not actions:
        return [Problem("actions", "type", actions, f"a non-empty array of {', '.join(known)}")]
    found = []
    for i, action in enumerate(actions):
        if action not in known:
            found.append(Problem(f"actions[{i}]", "enum", action, f"one of {', '.join(known)}"))
    if len(set(map(str, actions))) != len(actions):
        found.append(Problem("actions", "uniqueItems", actions, "each action once", inferred=True))
    return found


def _whole(value: Any) -> bool:
    """An integer, also written as a float (5.0), as JSON Schema counts integers."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer()


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def parse(endpoint: str, body: dict[str, Any]) -> Submission:
    """The submission of a body whose counting problems ``collect`` found none of."""
    operation = body.get("operation", "start") if endpoint in profile.LIVE else "start"
    def known(raw: dict[str, Any], name: str) -> Any:  # a field this API does not take is ignored
        return raw.get(name) if name in ITEM_FIELDS[endpoint] else None

    items = tuple(Item(
        index=i, data_id=_text(raw.get("dataId")) or "", url=known(raw, "url"), content=known(raw, "content"),
        room_id=_text(known(raw, "roomId")), uid=_text(known(raw, "uid")), task_id=_text(known(raw, "taskId")),
    ) for i, raw in enumerate(body["data"]))
    actions = body.get("actions") or profile.ACTIONS[endpoint]
    interval = body.get("interval")
    low, high = profile.LIVE_INTERVAL_RANGE
    seconds = float(interval) if interval is not None and _whole(interval) and low <= interval <= high else None
    return Submission(endpoint, items, tuple(dict.fromkeys(actions)), body.get("callbackUrl"), seconds, operation)
