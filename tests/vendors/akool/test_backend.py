"""AKOOL's hooks and backends without a socket: tokens in the store, jobs on the mock clock."""

from __future__ import annotations

import pytest

from modmock.mockserver.core.context import Incoming, make_context
from modmock.mockserver.core.declaration import Item
from modmock.mockserver.core.verdict import Subject, Verdict
from modmock.mockserver.vendors.akool import checks, errors, profile
from modmock.mockserver.vendors.akool.auth import DEFAULT
from modmock.mockserver.vendors.akool.backend import Moderation


async def test_a_token_is_issued_into_the_store_and_authorizes() -> None:
    backend = Moderation({})
    ctx = make_context("akool", "get_token", principal=DEFAULT)
    token = (await backend.get_token(ctx))["token"]
    keyed = make_context("akool", "sentiment", incoming=Incoming(
        "POST", "/", "/", "127.0.0.1", headers={"Authorization": f"Bearer {token}"}))
    keyed.services.tokens = ctx.services.tokens  # the same store
    assert backend.authorize(keyed) == DEFAULT
    ctx.services.tokens.expire()
    with pytest.raises(errors.InvalidToken):
        backend.authorize(keyed)


async def test_a_job_moves_queueing_processing_completed_on_the_mock_clock() -> None:
    backend = Moderation({"queue_seconds": 1, "processing_seconds": 2})
    body = {"type": profile.TYPE_IMAGE, "content": "https://cdn.example.com/a.jpg"}
    ctx = make_context("akool", "sentiment", body=body, principal=DEFAULT, request=checks.submission(body),
                       items=[Item(Subject(url=body["content"]), verdict=Verdict.passed())])
    job = (await backend.submit(ctx))["data"]
    (task,) = ctx.services.tasks.list()
    assert job["status"] == profile.QUEUEING and task.id == job["_id"]
    await ctx.services.scheduler.advance(1)
    assert task.status == profile.STATUS_NAMES[profile.PROCESSING]
    await ctx.services.scheduler.advance(2)
    assert task.status == profile.STATUS_NAMES[profile.COMPLETED] and task.data["final_conclusion"]
