"""The vendor registry: names to vendor classes, imported on first use."""

from __future__ import annotations

import importlib
from typing import Any

from ..core.vendor import Vendor
from ..settings import Settings, SettingsError

# Vendors whose paths collide cannot share one port; list them here when they arrive.
MODULES: dict[str, str] = {
    "akool": "modmock.mockserver.vendors.akool",
    "alibaba": "modmock.mockserver.vendors.alibaba",
    "deepcleer": "modmock.mockserver.vendors.deepcleer",
}


def vendor_names() -> list[str]:
    return sorted(MODULES)


def vendor_class(name: str) -> type[Vendor]:
    try:
        module = importlib.import_module(MODULES[name])
    except KeyError:
        raise SettingsError(f"unknown vendor {name!r}; known vendors: {', '.join(vendor_names())}") from None
    return module.VENDOR_CLASS  # type: ignore[no-any-return]


def create_vendor(name: str, config: dict[str, Any], settings: Settings) -> Vendor:
    return vendor_class(name)(config, settings)
