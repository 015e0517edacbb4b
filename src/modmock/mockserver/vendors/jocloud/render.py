"""The envelope (seeds: section 5): request → data items → per-action results, and the
canonical verdict in the vendor's actions, labels, rates and suggestions."""

from __future__ import annotations

from typing import Any

from ...core.verdict import Label, Verdict
from . import profile


def envelope(code: int, message: str, trace_id: str, request_id: str, timestamp: float,
             data: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The request-level answer; ``data`` is left out of a request-level error (inferred)."""
    body: dict[str, Any] = {"code": code, "message": message, "traceId": trace_id, "requestId": request_id,
                            "timestamp": int(timestamp)}
    if data is not None:
        body["data"] = data
    return body


def item(code: int, message: str, data_id: str, task_id: str, results: list[dict[str, Any]],
         **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "dataId": data_id, "taskId": task_id, "results": results, **extra}


def _action_of(endpoint: str, label: Label) -> tuple[str, str] | None:
    """Where a finding lands: a sub-label the API knows picks its action (``sface``,
    ``flag-china``), else the category's mapping; None when the API does not detect it."""
    if label.sublabel:
        for action, labels in profile.LABEL_SETS[endpoint].items():
            if label.sublabel in labels:
                return action, label.sublabel
    mapped = profile.CATEGORY_MAPS[endpoint].get(label.category)
    if mapped is not None and label.sublabel:
        return mapped[0], label.sublabel
    return mapped


def render(endpoint: str, verdict: Verdict, actions: tuple[str, ...]) -> list[dict[str, Any]]:
    """One result per requested action: its strongest finding, or ``normal`` / pass."""
    suggestion = profile.SUGGESTIONS[verdict.risk]
    found: dict[str, tuple[str, float]] = {}
    for label in verdict.labels:
        target = _action_of(endpoint, label)
        if target is None or target[0] not in actions:
            continue
        action, name = target
        if action not in found or label.confidence > found[action][1]:
            found[action] = (name, label.confidence)
    out = []
    for action in actions:
        if action in found and verdict.risk != "pass":
            name, rate = found[action]
            out.append({"code": profile.OK, "message": "OK", "action": action, "label": name, "rate": rate,
                        "suggestion": suggestion})
        else:
            out.append({"code": profile.OK, "message": "OK", "action": action, "label": profile.NORMAL,
                        "rate": profile.NORMAL_RATE, "suggestion": "pass"})
    return out


def failed_actions(code: int, message: str, actions: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every action failed with ``code``: no label, rate or suggestion (inferred)."""
    return [{"code": code, "message": message, "action": action} for action in actions]


def risk_of(results: list[dict[str, Any]]) -> str:
    """The strongest suggestion among results, as a canonical risk."""
    ranks = {"pass": 0, "review": 1, "block": 2}
    worst = max((ranks.get(r.get("suggestion", "pass"), 0) for r in results), default=0)
    return ("pass", "review", "reject")[worst]
