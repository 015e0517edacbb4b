"""The vendor registry: names to vendor classes, imported on first use."""

from __future__ import annotations

import importlib
from typing import Any

from ..core.vendor import Vendor
from ..settings import Settings, SettingsError

# Name → the module of its vendor folder. One folder may serve several profiles (jocloud and
# aivacom): its module then maps names to classes in ``VENDOR_CLASSES``. Profiles whose paths
# collide cannot share one port (MockState refuses them with a clear message).
MODULES: dict[str, str] = {
    "aivacom": "modmock.mockserver.vendors.jocloud",
    "akool": "modmock.mockserver.vendors.akool",
    "alibaba": "modmock.mockserver.vendors.alibaba",
    "deepcleer": "modmock.mockserver.vendors.deepcleer",
    "jocloud": "modmock.mockserver.vendors.jocloud",
}


def vendor_names() -> list[str]:
    return sorted(MODULES)


def vendor_module(name: str) -> str:
    """The import path of the folder serving vendor ``name``."""
    try:
        return MODULES[name]
    except KeyError:
        raise SettingsError(f"unknown vendor {name!r}; known vendors: {', '.join(vendor_names())}") from None


def vendor_class(name: str) -> type[Vendor]:
    module = importlib.import_module(vendor_module(name))
    classes = getattr(module, "VENDOR_CLASSES", None)
    return classes[name] if classes else module.VENDOR_CLASS  # type: ignore[no-any-return]


def create_vendor(name: str, config: dict[str, Any], settings: Settings) -> Vendor:
    return vendor_class(name)(config, settings)
