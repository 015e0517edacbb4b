"""AKOOL without HTTP: the hooks and backends for tokens, submissions that become jobs on the
mock clock, job queries, and webhooks on status changes.

Precedence of a submission: body → authorization (1102/1101/1200) → QPS (1005, inferred) →
fields (1003) → media bytes where downloadable (1003, inferred code; a video with no sound track 1203) →
injected failure.
A job moves 1 queueing → 2 processing → 3 completed (or 4 failed), never backwards.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable
from typing import Any

from ...core.context import Context
from ...core.declaration import Item, Limit
from ...core.journal import Problem
from ...core.pipeline import verdict_of
from ...core.tasks import Step, Task
from ...core.verdict import Subject, Verdict
from ...settings import SettingsError, check_keys, config_number
from . import checks, errors, media, profile, render, webhook
from .auth import Account, authorize, bearer_token, load_accounts, login

SUBMIT, QUERY = "sentiment", "infobyid"
KEYS = ("credentials", "include_defaults", "token_lifetime_seconds", "qps", "queue_seconds",
        "processing_seconds", "webhook_on")


class Moderation:
    """The AKOOL backend for one server run."""

    def __init__(self, config: dict[str, Any]) -> None:
        check_keys("akool", config, KEYS)
        self.accounts: list[Account] = load_accounts(config)
        self.token_lifetime = float(config_number("akool", "token_lifetime_seconds", config.get(
            "token_lifetime_seconds", profile.TOKEN_LIFETIME_SECONDS)))
        qps = config.get("qps")
        self.qps = None if qps is None else int(config_number("akool", "qps", qps, integer=True, minimum=0,
                                                             exclusive=True))
        self.queue_seconds = float(config_number("akool", "queue_seconds",
                                                 config.get("queue_seconds", profile.QUEUE_SECONDS)))
        self.processing_seconds = _per_type(config.get("processing_seconds"))
        self.webhook_on = str(config.get("webhook_on", profile.DEFAULT_WEBHOOK_ON))
        if self.webhook_on not in profile.WEBHOOK_ON:
            raise SettingsError(f"akool webhook_on must be one of {list(profile.WEBHOOK_ON)}, not {self.webhook_on!r}")

    # -- getToken ------------------------------------------------------------------------------
    @staticmethod
    def token_checks(body: dict[str, Any], principal: Any) -> list[Problem]:
        for name in ("clientId", "clientSecret"):  # the first missing one, as getToken answers it
            if not isinstance(body.get(name), str) or not body.get(name):
                return [Problem(name, "required", body.get(name), "the string from the API Credentials page")]
        return []

    def login(self, ctx: Context) -> Account:
        account = login(self.accounts, ctx.body["clientId"], ctx.body["clientSecret"])
        if account.banned:
            raise errors.Banned()
        return account

    async def get_token(self, ctx: Context) -> dict[str, Any]:
        account: Account = ctx.principal
        ctx.note(f"token issued to uid {account.uid}, valid {self.token_lifetime:g} s (wall time)")
        token = await ctx.services.tokens.create(account.client_id, self.token_lifetime)
        return {"code": profile.SUCCESS, "msg": profile.MESSAGES[profile.SUCCESS], "token": token}

    # -- sentiment -----------------------------------------------------------------------------
    def authorize(self, ctx: Context) -> Account | Awaitable[Account]:
        tokens = ctx.services.tokens
        if tokens.shared:  # the token is read from the shared store first
            return self._authorize_shared(ctx)
        return authorize(ctx.incoming.headers, self.accounts, tokens)

    async def _authorize_shared(self, ctx: Context) -> Account:
        await ctx.services.tokens.prefetch(bearer_token(ctx.incoming.headers))
        return authorize(ctx.incoming.headers, self.accounts, ctx.services.tokens)

    def limits(self, ctx: Context) -> list[Limit]:
        return [Limit((profile.NAME, ctx.principal.client_id), errors.TooFrequent, qps=self.qps)]

    @staticmethod
    def sentiment_checks(body: dict[str, Any], principal: Any) -> list[Problem]:
        return checks.collect(body)

    @staticmethod
    def prepare(ctx: Context) -> checks.Submission:
        return checks.submission(ctx.body)

    async def subjects(self, ctx: Context) -> list[Item]:
        """The content; where it downloads (allow-listed hosts), its bytes judged by the limits,
        and a download failure kept as the job's failure."""
        sub: checks.Submission = ctx.request
        failure = None
        if sub.content_is_url:
            found = await media.judge(sub.content, sub.type, ctx.services.allow)
            if found.note:
                ctx.note(found.note)
            if found.problems:
                problem = ctx.notes.judge(list(found.problems))
                if problem is not None:
                    raise errors.InvalidParameter(f"content: {problem.rule}; expected {problem.expected}")
            if found.without_audio:
                ctx.notes.problem(Problem("content", "video with audio", "an MP4 with no sound track",
                                          "a video with a sound track"))
                raise errors.VideoWithoutAudio()
            failure = found.failure
        subject = Subject(url=sub.content if sub.content_is_url else None,
                          text=None if sub.content_is_url else sub.content)
        return [Item(subject, failure)]

    async def submit(self, ctx: Context) -> dict[str, Any]:
        """A job in status 1 (queueing), moving on the mock clock."""
        account: Account = ctx.principal
        sub: checks.Submission = ctx.request
        item = ctx.items[0]
        failure = item.outcome.text if item.outcome is not None else item.data
        verdict = item.verdict if item.verdict is not None else verdict_of(None, item.subject)
        job_id = ctx.uuid().hex[:24]
        ctx.new_request_id(job_id)
        data = {"create_time": int(time.time() * 1000), "uid": account.uid, "type": sub.type,
                "status": profile.QUEUEING, "webhookUrl": sub.webhook_url or "", "result": "", "_id": job_id,
                "__v": 0}
        self._start(job_id, account, sub, verdict, failure, data, ctx)
        answer = dict(data)
        if not sub.webhook_url:
            answer.pop("webhookUrl")
        return render.ok(answer)

    def _start(self, job_id: str, account: Account, sub: checks.Submission, verdict: Verdict,
               failure: str | None, data: dict[str, Any], ctx: Context) -> None:
        services = ctx.services
        final = profile.FAILED if failure else profile.COMPLETED

        async def changed(task: Task) -> None:
            status = _status(task)
            if status in (profile.COMPLETED, profile.FAILED):
                task.data["result"] = failure or render.result_text(verdict)
                task.data["final_conclusion"] = "Unknown" if failure else render.conclusion(verdict)
            notify = self.webhook_on == "every_status" or status in (profile.COMPLETED, profile.FAILED)
            if sub.webhook_url and notify:
                payload: dict[str, Any] = {"_id": job_id, "status": status, "type": sub.type,
                           **({"url": sub.content} if sub.content_is_url else {}),
                           **({k: task.data[k] for k in ("result", "final_conclusion") if k in task.data})}
                envelope = webhook.seal(payload, account.client_id, account.client_secret,
                                        int(time.time() * 1000), secrets.token_hex(8))
                services.callbacks.submit(vendor=profile.NAME, endpoint=SUBMIT, url=sub.webhook_url, body=envelope,
                                          request_id=job_id, schedule=profile.RETRY_SCHEDULE,
                                          success=profile.CALLBACK_SUCCESS)

        plan = [Step(self.queue_seconds, profile.STATUS_NAMES[profile.PROCESSING], changed),
                Step(self.processing_seconds[sub.type], profile.STATUS_NAMES[final], changed)]
        services.tasks.start(job_id, profile.NAME, SUBMIT, profile.STATUS_NAMES[profile.QUEUEING], plan,
                             {"uid": account.uid, "type": sub.type, "create_time": data["create_time"]})
        ctx.note(f"job {job_id}: queueing {self.queue_seconds:g} s, processing "
                 f"{self.processing_seconds[sub.type]:g} s (mock clock), then "
                 f"{profile.STATUS_NAMES[final]}" + (f" ({failure})" if failure else f" ({verdict.risk})"))

    # -- infobyid ------------------------------------------------------------------------------
    @staticmethod
    def info_checks(query: dict[str, Any], principal: Any) -> list[Problem]:
        job_id = query.get("_id") if isinstance(query, dict) else None
        return [] if job_id else [Problem("_id", "required", job_id, "the _id the sentiment answer gave")]

    async def info(self, ctx: Context) -> dict[str, Any]:
        account: Account = ctx.principal
        job_id = ctx.body["_id"]
        task = ctx.services.tasks.get(job_id)
        if task is None or task.vendor != profile.NAME:
            raise errors.NotFound(f"no job with _id {job_id}")
        if task.data["uid"] != account.uid:
            raise errors.NoPermission(f"job {job_id} belongs to another account")
        return render.ok({"_id": job_id, "uid": task.data["uid"], "status": _status(task),
                           "result": task.data.get("result", ""),
                           "final_conclusion": task.data.get("final_conclusion", "")})


def _status(task: Task) -> int:
    return {name: code for code, name in profile.STATUS_NAMES.items()}[task.status]


def _per_type(value: Any) -> dict[int, float]:
    """``processing_seconds``: one number for every type, or a table by type name."""
    seconds = dict(profile.PROCESSING_SECONDS)
    if value is None:
        return seconds
    if isinstance(value, dict):
        names = {name: kind for kind, name in profile.TYPES.items()}
        for name, number in value.items():
            if name not in names:
                raise SettingsError(f"akool processing_seconds: {name!r} is not one of {sorted(names)}")
            seconds[names[name]] = float(config_number("akool", f"processing_seconds.{name}", number))
        return seconds
    number = float(config_number("akool", "processing_seconds", value))
    return {kind: number for kind in seconds}


def describe_credentials(backend: Moderation) -> dict[str, Any]:
    return {"credentials": [{"clientId": a.client_id, "clientSecret": a.client_secret, "uid": a.uid,
                             **({"banned": True} if a.banned else {})} for a in backend.accounts]}
