"""Rendering the canonical verdict as ImageBatchModeration's ``Data`` (seed: Tables 2-4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core import schemas
from ...core.verdict import Label, Verdict
from . import profile
from .checks import ModerationRequest

EXT_SCHEMA = "alibaba/response.json#/$defs/ext"


def _risk_level(verdict: Verdict, labels: list[Label]) -> str:
    if verdict.risk == "pass" or not labels:
        return profile.RISK_NONE
    if verdict.risk == "reject":
        return profile.RISK_HIGH
    top = max(label.confidence for label in labels)
    return profile.RISK_MEDIUM if top >= profile.LOW_BELOW else profile.RISK_LOW


def _confidence(value: float) -> float:
    return round(max(0.0, min(value, 1.0)) * 100, 2)


def _service_result(service: str, verdict: Verdict) -> tuple[str, list[dict[str, Any]], list[Label]]:
    mapping = profile.labels_for(service)
    found = [label for label in verdict.labels if label.category in mapping]
    if verdict.risk == "pass" or not found:
        exempt = [label for label in verdict.labels if label.sublabel == profile.EXEMPT_LABEL]
        if exempt:
            return profile.RISK_NONE, [{"Label": profile.EXEMPT_LABEL, "Confidence": _confidence(exempt[0].confidence),
                                        "Description": profile.EXEMPT_DESCRIPTION}], []
        return profile.RISK_NONE, [dict(profile.CLEAN_LABEL)], []
    items = []
    for label in sorted(found, key=lambda lb: -lb.confidence):
        mapped = mapping[label.category]
        items.append({"Label": label.sublabel or mapped.label, "Confidence": _confidence(label.confidence),
                      "Description": str(label.details.get("description", mapped.description))})
    return _risk_level(verdict, found), items, found


def _ext(req: ModerationRequest, labels: list[Label], warn: Callable[[str], None]) -> dict[str, Any]:
    """The Ext object for the infoType values asked for (the SDK's model; contents are empty
    unless a rule's label details supply them)."""
    ext: dict[str, Any] = {}
    details: dict[str, Any] = {}
    for label in labels:
        details.update(label.details)
    if "customImage" in req.info_types:
        ext["CustomImage"] = details.get("CustomImage", [])
    if "textInImage" in req.info_types:
        ocr = details.get("ocrText", [])
        texts = ocr if isinstance(ocr, list) else [ocr]
        ext["TextInImage"] = {"OcrResult": [{"Text": str(t)} for t in texts],
                              "RiskWord": details.get("RiskWord", []), "CustomText": []}
    if "publicFigure" in req.info_types:
        ext["PublicFigure"] = details.get("PublicFigure", [])
    if "logoData" in req.info_types:
        ext["LogoData"] = details.get("LogoData", {})
    for key in list(ext):  # rule details must have the SDK model's shapes, or the SDK drops the body
        found = schemas.problems(EXT_SCHEMA, {key: ext[key]})
        if found:
            warn(f"Ext.{key} from the rule's label details left out: {found[0].describe()}")
            del ext[key]
    return ext


_ORDER = [profile.RISK_NONE, profile.RISK_LOW, profile.RISK_MEDIUM, profile.RISK_HIGH]


def render(verdict: Verdict, req: ModerationRequest, warn: Callable[[str], None]) -> dict[str, Any]:
    """``Data``: overall RiskLevel and Result, and one Results entry per requested service."""
    results = []
    overall: list[dict[str, Any]] = []
    level = profile.RISK_NONE
    for service in req.services:
        service_level, items, found = _service_result(service, verdict)
        entry: dict[str, Any] = {"Service": service, "RiskLevel": service_level, "Result": items}
        ext = _ext(req, found, warn)
        if ext:
            entry["Ext"] = ext
        results.append(entry)
        level = max(level, service_level, key=_ORDER.index)
        for item in items:
            if item not in overall:
                overall.append(item)
    risky = [i for i in overall if i["Label"] not in (profile.CLEAN_LABEL["Label"], profile.EXEMPT_LABEL)]
    data: dict[str, Any] = {"RiskLevel": level, "Result": risky or overall[:1], "Results": results}
    if req.data_id is not None:
        data["DataId"] = req.data_id
    return data
