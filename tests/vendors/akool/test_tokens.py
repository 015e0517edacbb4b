"""getToken, Bearer and x-api-key auth, and every auth code over loopback."""

from __future__ import annotations

import pytest
import requests

import modmock
from akool_helpers import CLIENT_ID, CLIENT_SECRET, SUBMIT, bearer, info, submit, token
from modmock.mockserver.core import schemas
from modmock.mockserver.settings import SettingsError

IMAGE = {"type": 1, "content": "https://cdn.example.com/uploads/photo.jpg"}


def test_get_token_then_bearer_submits(akool_mock) -> None:
    issued = requests.post(akool_mock.url + "/api/open/v3/getToken", timeout=10,
                           json={"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}).json()
    assert schemas.validator("akool/token_response.json").is_valid(issued) and issued["token"]
    answer = submit(akool_mock, IMAGE, {"Authorization": f"Bearer {issued['token']}"})
    assert answer["code"] == 1000 and answer["data"]["status"] == 1
    akool_mock.assert_all_requests_valid()


def test_the_x_api_key_header_is_the_client_secret(akool_mock) -> None:
    assert submit(akool_mock, IMAGE, {"x-api-key": CLIENT_SECRET})["code"] == 1000
    assert submit(akool_mock, IMAGE, {"x-api-key": "not-the-secret"})["code"] == 1101


@pytest.mark.parametrize(("client_id", "client_secret"), [(CLIENT_ID, "wrong-secret-00000000000"),
                                                          ("someone-else-id1", CLIENT_SECRET)])
def test_wrong_credentials_get_1101(akool_mock, client_id: str, client_secret: str) -> None:
    answer = requests.post(akool_mock.url + "/api/open/v3/getToken",
                           json={"clientId": client_id, "clientSecret": client_secret}, timeout=10).json()
    assert answer == {"code": 1101, "msg": answer["msg"]} and "clientId or clientSecret" in answer["msg"]


@pytest.mark.parametrize("body", [{}, {"clientId": CLIENT_ID}, {"clientId": 5, "clientSecret": CLIENT_SECRET}])
def test_get_token_without_a_field_is_1003(akool_mock, body: dict) -> None:
    answer = requests.post(akool_mock.url + "/api/open/v3/getToken", json=body, timeout=10).json()
    assert answer["code"] == 1003
    (entry,) = akool_mock.requests
    assert not entry.valid and entry.problems[0].field in ("clientId", "clientSecret")


@pytest.mark.parametrize(("headers", "code"), [
    ({}, 1102),
    ({"Authorization": "Bearer not-a-token"}, 1101),
    ({"Authorization": "Basic abc"}, 1101),
    ({"Authorization": "Bearer "}, 1101),
])
def test_missing_or_bad_authorization(akool_mock, headers: dict, code: int) -> None:
    assert submit(akool_mock, IMAGE, headers)["code"] == code
    assert info(akool_mock, "0" * 24, headers)["code"] == code


def test_an_expired_token_is_1101() -> None:
    with modmock.serve("akool", config={"akool": {"token_lifetime_seconds": 1e-9}}) as mock:
        answer = submit(mock, IMAGE, bearer(mock))
    assert answer["code"] == 1101 and "expired" in answer["msg"]


def test_expiring_tokens_through_the_vendor(akool_mock) -> None:
    headers = bearer(akool_mock)
    akool_mock.state.store.tokens.expire()
    assert submit(akool_mock, IMAGE, headers)["code"] == 1101


def test_a_banned_account_gets_1200() -> None:
    config = {"akool": {"credentials": [{"client_id": "banned-client-01", "client_secret": "b" * 24,
                                         "banned": True}]}}
    with modmock.serve("akool", config=config) as mock:
        answer = requests.post(mock.url + "/api/open/v3/getToken",
                               json={"clientId": "banned-client-01", "clientSecret": "b" * 24}, timeout=10).json()
        assert answer["code"] == 1200
        assert submit(mock, IMAGE, {"x-api-key": "b" * 24})["code"] == 1200
        assert submit(mock, IMAGE, bearer(mock))["code"] == 1000  # the default account still works


@pytest.mark.parametrize(("client_id", "client_secret", "says"), [
    ("short", "c" * 24, "clientId must be 16 bytes"),
    ("client-id-0000001", "c" * 24, "clientId must be 16 bytes"),
    ("client-id-000001", "c" * 20, "clientSecret must be 16, 24 or 32 bytes"),
])
def test_configured_credentials_must_suit_the_webhook_cipher(client_id: str, client_secret: str, says: str) -> None:
    config = {"akool": {"credentials": [{"client_id": client_id, "client_secret": client_secret}]}}
    with pytest.raises(SettingsError, match=says):
        modmock.serve("akool", config=config)


def test_tokens_are_per_account() -> None:
    config = {"akool": {"credentials": [{"client_id": "second-client-01", "client_secret": "s" * 32}]}}
    with modmock.serve("akool", config=config) as mock:
        assert token(mock, client_id="second-client-01", client_secret="s" * 32) != token(mock)
        assert requests.post(mock.url + SUBMIT, json=IMAGE, timeout=10).json()["code"] == 1102
