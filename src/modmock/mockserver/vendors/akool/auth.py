"""AKOOL accounts and tokens: clientId/clientSecret pairs, bearer tokens from getToken (wall-time
lifetime), and the ``x-api-key`` header (the API key is the clientSecret)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...core.auth import find_by_secret, same
from ...core.tokens import TokenStore
from ...settings import SettingsError
from . import errors, profile, webhook


@dataclass(frozen=True)
class Account:
    """One API credential pair and the account behind it."""

    client_id: str
    client_secret: str
    uid: int
    banned: bool = False


DEFAULT = Account(profile.DEFAULT_CLIENT_ID, profile.DEFAULT_CLIENT_SECRET, profile.DEFAULT_UID)


def load_accounts(config: Mapping[str, Any]) -> list[Account]:
    """The default account (unless ``include_defaults = false``) plus configured ones, each
    checked for webhook encryption (16/24/32-byte secret, 16-byte clientId)."""
    accounts = [DEFAULT] if config.get("include_defaults", True) else []
    for i, item in enumerate(config.get("credentials", [])):
        where = f"[[akool.credentials]] #{i + 1}"
        if not isinstance(item, dict) or not item.get("client_id") or not item.get("client_secret"):
            raise SettingsError(f"{where} needs client_id and client_secret")
        extra = sorted(set(item) - {"client_id", "client_secret", "uid", "banned"})
        if extra:
            raise SettingsError(f"{where}: unknown key(s) {extra}; known: client_id, client_secret, uid, banned")
        client_id, client_secret = str(item["client_id"]), str(item["client_secret"])
        problem = webhook.check_keys(client_id, client_secret)
        if problem:
            raise SettingsError(f"{where}: {problem}")
        uid = item.get("uid", profile.DEFAULT_UID + 1 + i)
        if not isinstance(uid, int) or isinstance(uid, bool):
            raise SettingsError(f"{where}: uid must be an integer")
        accounts.append(Account(client_id, client_secret, uid, bool(item.get("banned", False))))
    if not accounts:
        raise SettingsError("akool: no credentials (include_defaults = false and none configured)")
    ids = [a.client_id for a in accounts]
    if len(set(ids)) != len(ids):
        raise SettingsError("akool: two credentials share a client_id")
    return accounts


def token_account(tokens: TokenStore, accounts: list[Account], token: str) -> Account:
    """The account of a valid token; raises 1101 for an unknown or expired one."""
    entry = tokens.lookup(token)
    account = next((a for a in accounts if entry is not None and a.client_id == entry[0]), None)
    if entry is None or account is None:
        raise errors.InvalidToken("the token is not one getToken issued")
    if time.time() >= entry[1]:
        raise errors.InvalidToken("the token has expired")
    return account


def login(accounts: list[Account], client_id: Any, client_secret: Any) -> Account:
    """The account for a getToken pair; 1101 (inferred) when the pair is wrong."""
    account = find_by_secret(client_id, accounts, "client_id") if isinstance(client_id, str) else None
    if account is None or not isinstance(client_secret, str) or not same(account.client_secret, client_secret):
        raise errors.InvalidToken("clientId or clientSecret is wrong")
    return account


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """The token of ``Authorization: Bearer {token}`` (when no x-api-key comes first), else None."""
    authorization = headers.get("Authorization")
    if headers.get("x-api-key") or not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def authorize(headers: Mapping[str, str], accounts: list[Account], tokens: TokenStore) -> Account:
    """The calling account from ``Authorization: Bearer`` or ``x-api-key``; 1102 without
    either, 1101 for a bad one, 1200 for a banned account."""
    api_key = headers.get("x-api-key")
    authorization = headers.get("Authorization")
    if api_key:
        account = find_by_secret(api_key, accounts, "client_secret")
        if account is None:
            raise errors.InvalidToken("x-api-key is not a configured API key (clientSecret)")
    elif authorization:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.InvalidToken("Authorization must be 'Bearer {token}'")
        account = token_account(tokens, accounts, token.strip())
    else:
        raise errors.MissingToken("send Authorization: Bearer {token} (from getToken) or x-api-key")
    assert account is not None
    if account.banned:
        raise errors.Banned()
    return account
