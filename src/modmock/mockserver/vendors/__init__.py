"""The vendor registry: every folder under ``vendors/`` is found, none is listed by hand.

A folder's package defines ``VENDOR_CLASS`` (one vendor, named by its profile) or
``VENDOR_CLASSES`` (several profiles served by one folder, e.g. jocloud and aivacom). Profiles
whose paths collide cannot share one port (MockState refuses them with a clear message).
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from functools import cache
from typing import Any

from ..core.behaviours import Behaviours, load_behaviours
from ..core.vendor import Vendor
from ..settings import Settings, SettingsError


@cache
def _registry() -> dict[str, tuple[str, type[Vendor]]]:
    """Vendor name → (the import path of its folder, its class)."""
    found: dict[str, tuple[str, type[Vendor]]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        classes: dict[str, type[Vendor]] = getattr(module, "VENDOR_CLASSES", None) or {
            module.VENDOR_CLASS.name: module.VENDOR_CLASS}
        for name, cls in classes.items():
            found[name] = (module.__name__, cls)
    return dict(sorted(found.items()))


def vendor_names() -> list[str]:
    return list(_registry())


def _entry(name: str) -> tuple[str, type[Vendor]]:
    try:
        return _registry()[name]
    except KeyError:
        near = difflib.get_close_matches(str(name), vendor_names(), n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise SettingsError(f"unknown vendor {name!r}{hint} (known vendors: {', '.join(vendor_names())})") from None


def vendor_module(name: str) -> str:
    """The import path of the folder serving vendor ``name``."""
    return _entry(name)[0]


def vendor_class(name: str) -> type[Vendor]:
    return _entry(name)[1]


def create_vendor(name: str, config: dict[str, Any], settings: Settings) -> Vendor:
    return vendor_class(name)(config, settings)


def vendor_behaviours(name: str) -> Behaviours:
    """What vendor ``name`` declares it does, behaviour by behaviour (its ``behaviours.toml``)."""
    return load_behaviours(vendor_module(name))
