"""Deepcleer credentials: accessKey in the body, with the appIds and eventIds agreed for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core.auth import find_by_secret
from ...settings import SettingsError, config_strings
from . import profile


@dataclass(frozen=True)
class Credential:
    """One accessKey and the appId / eventId values agreed for it (``*`` accepts any)."""

    access_key: str
    app_ids: tuple[str, ...] = profile.DEFAULT_APP_IDS
    event_ids: tuple[str, ...] = profile.DEFAULT_EVENT_IDS

    def allows_app(self, app_id: str) -> bool:
        return profile.ANY in self.app_ids or app_id in self.app_ids

    def allows_event(self, event_id: str) -> bool:
        return profile.ANY in self.event_ids or event_id in self.event_ids


DEFAULT = Credential(profile.DEFAULT_ACCESS_KEY)


def load_credentials(config: dict[str, Any]) -> list[Credential]:
    """The default credential (unless ``include_defaults = false``) plus configured ones."""
    creds = [DEFAULT] if config.get("include_defaults", True) else []
    for i, item in enumerate(config.get("credentials", [])):
        try:
            key = str(item["access_key"])
        except (KeyError, TypeError):
            raise SettingsError(f"[[deepcleer.credentials]] #{i + 1} needs access_key") from None
        if not key or len(key) > 20:
            raise SettingsError(f"[[deepcleer.credentials]] #{i + 1}: access_key must be 1-20 characters")
        table = f"[deepcleer.credentials] #{i + 1}"
        creds.append(Credential(
            key,
            config_strings(table, "app_ids", item.get("app_ids", list(profile.DEFAULT_APP_IDS))),
            config_strings(table, "event_ids", item.get("event_ids", list(profile.DEFAULT_EVENT_IDS))),
        ))
    if not creds:
        raise SettingsError("deepcleer: no credentials (include_defaults = false and none configured)")
    return creds


def authenticate(access_key: object, credentials: list[Credential]) -> Credential | None:
    """The credential for ``access_key``, or None when it is unknown."""
    if not isinstance(access_key, str):
        return None
    return find_by_secret(access_key, credentials, "access_key")
