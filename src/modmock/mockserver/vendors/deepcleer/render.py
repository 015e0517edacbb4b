"""Rendering the canonical verdict as Deepcleer's image v4 result (seed: Callback Parameters)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ...core.verdict import Label, Verdict
from . import profile
from .checks import ImageRequest


def requested_categories(types: list[str]) -> dict[str, int]:
    """Categories the request's types ask for, each with the risk source that finds it."""
    return dict(_requested(tuple(types)))


@dataclass(frozen=True)
class _TypeFacts:
    """What a combination of type codes means for the answer (read only: shared by answers)."""

    asked: Mapping[str, int]  # category -> risk source
    versions: Mapping[str, str]  # auxInfo.typeVersion
    ocr: bool


@functools.lru_cache(maxsize=1024)  # a pure function of the (few) type combinations clients send
def _type_facts(types: tuple[str, ...]) -> _TypeFacts:
    versions = {model: version for t in types for model, version in profile.TYPE_VERSIONS.get(t, {}).items()}
    return _TypeFacts(MappingProxyType(dict(_requested(types))), MappingProxyType(versions),
                      bool(profile.OCR_TYPES.intersection(types)))


@functools.lru_cache(maxsize=1024)  # a pure function of the (few) type combinations clients send
def _requested(types: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    asked: dict[str, int] = {}
    for category, label in profile.LABELS.items():
        visual = label.type != "IMGTEXTRISK" and (label.type in types or (label.type == "*" and types))
        if visual:
            asked[category] = profile.RISK_SOURCE_IMAGE
        elif label.text and "IMGTEXTRISK" in types:
            asked[category] = profile.RISK_SOURCE_TEXT
    return tuple(asked.items())


def _names(label: Label) -> tuple[str, str, str, str, str]:
    mapped = profile.LABELS[label.category]
    l2, l3, zh, en = mapped.label2, mapped.label3, mapped.zh, mapped.en
    if label.sublabel:  # a rule may name level 2 (and level 3 as "level2/level3")
        l2, _, l3 = label.sublabel.partition("/")
        l3 = l3 or l2
        zh = en = f"{mapped.label1}:{l2}:{l3}"
    return mapped.label1, l2, l3, zh, en


def _detail(source: int, label: Label | None, ocr: bool) -> dict[str, Any]:
    detail: dict[str, Any] = {"riskSource": source}
    if ocr:
        detail["ocrText"] = {"text": str(label.details.get("ocrText", "")) if label else ""}
    if label is not None and label.category == "custom":
        detail["matchedLists"] = [{"name": str(label.details.get("list", "custom")),
                                   "words": [{"word": str(label.details.get("word", "")), "position": [0, 0]}]}]
    return detail


def render(verdict: Verdict, req: ImageRequest, request_id: str, segments: int) -> dict[str, Any]:
    """The full 1100 result for ``verdict``, in the request's acceptLang."""
    facts = _type_facts(tuple(req.types))
    asked, ocr = facts.asked, facts.ocr
    verdict = verdict.restricted_to(asked)
    lang = "en" if req.accept_lang == "en" else "zh"
    level = profile.RISK_LEVELS[verdict.risk]
    all_labels: list[dict[str, Any]] = []
    for label in sorted(verdict.labels, key=lambda lb: -lb.confidence):
        l1, l2, l3, zh, en = _names(label)
        all_labels.append({
            "probability": label.confidence, "riskDescription": en if lang == "en" else zh,
            "riskLabel1": l1, "riskLabel2": l2, "riskLabel3": l3, "riskLevel": level,
            "riskDetail": _detail(asked[label.category], label, ocr),
        })
    top = max(verdict.labels, key=lambda lb: lb.confidence) if verdict.labels else None
    result: dict[str, Any] = {
        "code": profile.SUCCESS, "message": profile.MESSAGES[profile.SUCCESS], "requestId": request_id,
        "riskLevel": level, "resultType": 0, "finalResult": 1,
    }
    if top is None or verdict.risk == "pass":
        result.update(riskLabel1=profile.PASS_LABEL1, riskLabel2="", riskLabel3="",
                      riskDescription=profile.PASS_DESCRIPTION[lang], allLabels=[],
                      riskDetail=_detail(profile.RISK_SOURCE_NONE, None, ocr))
    else:
        first = all_labels[0]
        result.update(riskLabel1=first["riskLabel1"], riskLabel2=first["riskLabel2"],
                      riskLabel3=first["riskLabel3"], riskDescription=first["riskDescription"],
                      allLabels=all_labels, riskDetail=dict(first["riskDetail"]))
    result["riskSource"] = result["riskDetail"]["riskSource"]
    result["auxInfo"] = _aux_info(req, segments, facts.versions)
    result["tokenLabels"] = {k: dict(v) for k, v in profile.TOKEN_LABELS.items()}
    if req.business_types:
        result["businessLabels"] = []
    return result


def _aux_info(req: ImageRequest, segments: int, versions: Mapping[str, str]) -> dict[str, Any]:
    aux: dict[str, Any] = {"segments": segments, "typeVersion": dict(versions)}
    extra = req.data.get("extra") or {}
    if "passThrough" in extra:
        aux["passThrough"] = extra["passThrough"]
    stream = req.data.get("streamInfo") or {}
    if stream.get("similarDedup"):
        aux["frameTime"] = stream["frameTime"]
        aux["streamId"] = stream["streamId"]
    return aux


def error_body(code: int, message: str, request_id: str) -> dict[str, Any]:
    """An error answer or callback: only code, message and requestId are guaranteed."""
    return {"code": code, "message": message, "requestId": request_id}
