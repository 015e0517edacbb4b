"""AKOOL answer bodies: the queued job, the job query, the webhook payload, errors."""

from __future__ import annotations

from typing import Any

from ...core.verdict import Verdict
from . import profile


def error_body(code: Any, message: str) -> dict[str, Any]:
    return {"code": code, "msg": message}


def ok(data: Any) -> dict[str, Any]:
    return {"code": profile.SUCCESS, "msg": profile.MESSAGES[profile.SUCCESS], "data": data}


def conclusion(verdict: Verdict) -> str:
    return profile.CONCLUSIONS[verdict.risk]


def result_text(verdict: Verdict) -> str:
    """Readable text in the vendor's style: one ``- label: finding`` line each, then the result."""
    if verdict.risk == "pass" or not verdict.labels:
        return "- No inappropriate content was found.\nResult: Compliant"
    lines = []
    for label in verdict.labels:
        name = profile.LABELS.get(label.category, label.category)
        finding = profile.FINDINGS.get(name, "Matched this label")
        hedge = ", though not with certainty" if verdict.risk == "review" else ""
        lines.append(f"- {name}: {finding}{hedge}.")
    return "\n".join(lines) + f"\nResult: {conclusion(verdict)}"
