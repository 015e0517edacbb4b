"""Jocloud/Aivacom without HTTP: sync answers, async tasks and live tasks on the mock clock.

Precedence of a request: token and appid (400, inferred) → concurrency in flight and QPS (429)
→ body and fields (400) → each item: its content (401-420, the client's faults journaled) →
injected codes (per item: a rule or fault) → the verdict. Async items answer a ``taskId`` and
their result arrives by callback; live items answer a ``taskId`` and report by callback every
``interval`` seconds until a stop request (or ``live_max_seconds``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...core.context import Context, Services, seeded_uuid
from ...core.declaration import Answer, Item, Limit
from ...core.journal import Problem
from ...core.pipeline import verdict_of
from ...core.tasks import Step, Task
from ...core.verdict import Subject, Verdict
from ...settings import SettingsError, check_keys, config_number
from . import checks, errors, media, profile, render
from .auth import Certificate, authenticate, load_certificates
from .profile import Profile

KEYS = ("credentials", "include_defaults", "concurrency", "qps", "processing_seconds", "live_interval_seconds",
        "live_max_seconds", "live_reports")
RUNNING, ENDED, STOPPED = "running", "ended", "stopped"


class Moderation:
    """The backend of one profile (jocloud or aivacom) for one server run."""

    def __init__(self, dialect: Profile, config: dict[str, Any]) -> None:
        self.name = table = dialect.NAME
        check_keys(table, config, KEYS)
        self.certificates: list[Certificate] = load_certificates(table, config)
        self.concurrency = _per_endpoint(table, "concurrency", config.get("concurrency"),
                                         dict.fromkeys(profile.ENDPOINT_IDS, profile.DEFAULT_CONCURRENCY))
        self.qps = _per_endpoint(table, "qps", config.get("qps"), dict(profile.DEFAULT_QPS))
        seconds = _per_endpoint(table, "processing_seconds", config.get("processing_seconds"),
                                dict(profile.PROCESSING_SECONDS), integer=False, allowed=profile.ASYNC,
                                can_be_off=False)
        self.processing_seconds: dict[str, float] = {k: float(v) for k, v in seconds.items() if v is not None}
        self.live_interval = float(config_number(table, "live_interval_seconds", config.get(
            "live_interval_seconds", profile.LIVE_INTERVAL_SECONDS), exclusive=True))
        self.live_max = float(config_number(table, "live_max_seconds", config.get(
            "live_max_seconds", profile.LIVE_MAX_SECONDS), exclusive=True))
        self.live_reports = str(config.get("live_reports", profile.DEFAULT_LIVE_REPORTS))
        if self.live_reports not in profile.LIVE_REPORTS:
            raise SettingsError(f"[{table}] live_reports must be one of {list(profile.LIVE_REPORTS)}")

    # -- hooks, in the declared order ---------------------------------------------------------
    def authenticate(self, ctx: Context) -> Caller:
        """The certificate the ``token`` header names for the path's appid, and the traceId."""
        appid = ctx.incoming.params["appid"]
        cert = authenticate(ctx.incoming.headers, appid, self.certificates, ctx.strict, ctx.notes)
        return Caller(cert, appid, self._trace_id(ctx))

    def _trace_id(self, ctx: Context) -> str:
        found = trace_id_of(ctx)
        if found is not None:
            return found
        problem = Problem("traceId", "required", None, "?traceId= in the query (the caller's id of the request)",
                          inferred=True)
        if ctx.notes.judge([problem]) is not None:
            raise errors.BadRequest("traceId is missing from the query")
        return ""

    def limits(self, ctx: Context) -> list[Limit]:
        """Concurrency in flight, then QPS, per appid and API (429 for either)."""
        endpoint = ctx.endpoint
        key = (self.name, ctx.principal.appid, endpoint)
        busy, qps = self.concurrency[endpoint], self.qps[endpoint]

        def refuse(note: str) -> Callable[[str], errors.JocloudError]:
            def error(detail: str) -> errors.JocloudError:
                ctx.note(note)
                return errors.TooManyRequests()
            return error

        return [
            Limit(key, refuse(f"429: {busy} requests to {endpoint} already in flight (concurrency {busy})"),
                  concurrency=busy),
            Limit(key, refuse(f"429: more than {qps} requests to {endpoint} in one second (QPS)"), qps=qps),
        ]

    @staticmethod
    def checks_for(endpoint: str) -> Callable[[Any, Any], list[Problem]]:
        return lambda body, caller: checks.collect(endpoint, body)

    @staticmethod
    def prepare(ctx: Context) -> checks.Submission:
        return checks.parse(ctx.endpoint, ctx.body)

    async def subjects(self, ctx: Context) -> list[Item]:
        """Each item's content checked (downloaded where allow-listed); an item whose content
        fails ends with its data-level code and is not judged. A stop request judges nothing."""
        sub: checks.Submission = ctx.request
        if sub.operation == "stop":
            return []
        checked = [await media.check(sub.endpoint, item, ctx.services.allow) for item in sub.items]
        total = sum(c.size for c in checked)
        if sub.endpoint in (profile.IMAGE_SYNC, profile.AUDIO_SYNC) and total > profile.REQUEST_MEDIA_MAX:
            raise errors.BadRequest(f"Input too large: {total} bytes of media in one request, over 50 MB",
                                    problems=[Problem("data", f"size {profile.REQUEST_MEDIA_MAX // profile.MB} MB",
                                                      f"{total} bytes", "at most 50 MB of media in one request")])
        items = []
        for item, check in zip(sub.items, checked):
            for note in check.notes:
                ctx.note(note)
            fatal = ctx.notes.judge(check.problems)
            if check.failure is None and fatal is not None:
                code, detail = check.refusals.get(id(fatal), (400, f"{fatal.field}: {fatal.rule}; expected {fatal.expected}"))
                check.failure = errors.ItemFailure(code, detail)
            if check.failure is not None:
                failure = check.failure
                ctx.note(f"item {check.subject.data_id!r}: {failure.code} {failure.message}: {failure.detail}")
            items.append(Item(check.subject, item, outcome=check.failure))
        if sub.endpoint not in profile.SYNC:  # before any rule or fault is used up on the request
            self._within_concurrency(sub, ctx.principal, ctx, items)
        return items

    async def moderate(self, ctx: Context) -> Answer:
        """The envelope: each item's result (sync), task (async) or live task; or a stop."""
        sub: checks.Submission = ctx.request
        caller: Caller = ctx.principal
        data = self._stop(sub, caller.appid, ctx) if sub.operation == "stop" else \
            self._answers(sub, caller, ctx)
        body = render.envelope(profile.OK, "OK", caller.trace_id, ctx.request_id or "", ctx.services.clock.now(),
                                data)
        return Answer(body, body["code"])

    def _answers(self, sub: checks.Submission, caller: Caller, ctx: Context) -> list[dict[str, Any]]:
        if sub.endpoint not in profile.SYNC:  # every task or none: a request is accepted whole
            ctx.services.tasks.ensure_room(len(ctx.items))
        answers = []
        for judged in ctx.items:
            item: checks.Item = judged.data
            outcome: Verdict | errors.ItemFailure | None = judged.verdict
            if judged.outcome is not None:
                assert isinstance(judged.outcome, errors.ItemFailure)  # the only item errors Jocloud raises
                outcome = judged.outcome
            assert outcome is not None
            task_id = ctx.uuid_text()
            if sub.endpoint in profile.SYNC:
                answers.append(_render(sub, item, task_id, outcome))
            elif sub.endpoint in profile.ASYNC:
                self._start_async(sub, item, task_id, caller.trace_id, outcome, ctx)
                answers.append(render.item(profile.OK, "OK", item.data_id, task_id, []))
            elif not _starts_task(sub.endpoint, outcome):
                answers.append(_render(sub, item, task_id, outcome))  # a stream that cannot be pulled
            else:
                self._start_live(sub, item, task_id, caller.trace_id, caller.appid, judged.subject, outcome, ctx)
                answers.append(render.item(profile.OK, "OK", item.data_id, task_id, []))
        return answers

    def _group(self, endpoint: str, appid: str) -> tuple[str, str, str]:
        return (self.name, appid, endpoint)

    def _within_concurrency(self, sub: checks.Submission, caller: Caller, ctx: Context, items: list[Item]) -> None:
        """The seeds' concurrency (20 per API by default) counts the jobs and streams still running,
        not only requests in flight: the one that would pass it is a 429 and starts nothing."""
        starting = sum(1 for judged in items if _starts_task(sub.endpoint, judged.outcome))
        limit = self.concurrency[sub.endpoint]
        if limit is None:  # turned off in the config
            return
        running = ctx.services.tasks.running_in(self._group(sub.endpoint, caller.appid))
        if starting and running + starting > limit:
            ctx.note(f"429: {running} {sub.endpoint} tasks of appid {caller.appid} still running; {starting} more "
                     f"would pass the concurrency of {limit}")
            raise errors.TooManyRequests()

    # -- async ---------------------------------------------------------------------------------------
    def _start_async(self, sub: checks.Submission, item: checks.Item, task_id: str, trace_id: str,
                     outcome: Verdict | errors.ItemFailure, ctx: Context) -> None:
        state, url = ctx.services, str(sub.callback_url)
        request_id = ctx.uuid_text()

        async def deliver(task: Task) -> None:
            body = render.envelope(profile.OK, "OK", trace_id, request_id, state.clock.now(),
                                    [_render(sub, item, task_id, outcome)])
            delivery = state.callbacks.submit(vendor=self.name, endpoint=sub.endpoint, url=url, body=body,
                                              request_id=task_id, schedule=profile.RETRY_SCHEDULE,
                                              success=profile.CALLBACK_SUCCESS)
            task.data["delivery"] = delivery.id

        seconds = self.processing_seconds[sub.endpoint]
        state.tasks.start(task_id, self.name, sub.endpoint, "processing", [Step(seconds, "done", deliver)],
                          {"callback": url, "dataId": item.data_id}, group=self._group(sub.endpoint, ctx.principal.appid))
        ctx.note(f"task {task_id}: result after {seconds:g} mock seconds, POSTed to {url}")

    # -- live ----------------------------------------------------------------------------------------
    def _start_live(self, sub: checks.Submission, item: checks.Item, task_id: str, trace_id: str,
                    appid: str, subject: Subject, first: Verdict | errors.ItemFailure, ctx: Context) -> None:
        """Report every ``interval`` mock seconds (the next report is scheduled by the last, so a
        task holds one timer) until a stop request or ``live_max_seconds``."""
        state, url = ctx.services, str(sub.callback_url)
        interval = sub.interval or self.live_interval

        async def report() -> None:
            task = state.tasks.get(task_id)
            if task is None or task.status == STOPPED or state.clock.now() > task.data["ends"]:
                return  # (a report due the instant the stream ends is still sent)
            outcome = first if "reports" not in task.data else await self._live_outcome(sub.endpoint, subject, state)
            task.data["reports"] = task.data.get("reports", 0) + 1
            if state.clock.now() + interval <= task.data["ends"]:
                task.data["timer"] = state.scheduler.call_later(interval, report, label=f"live task {task_id} report")
            state.tasks.touch(task)  # (another process may send the next report)
            rendered = _render(sub, item, task_id, outcome)
            if self.live_reports == "violations" and rendered["code"] == profile.OK and all(
                    r["code"] == profile.OK for r in rendered["results"]) and \
                    render.risk_of(rendered["results"]) == "pass":
                return
            body = render.envelope(profile.OK, "OK", trace_id, str(seeded_uuid(state.random)), state.clock.now(), [rendered])
            state.callbacks.submit(vendor=self.name, endpoint=sub.endpoint, url=url, body=body,
                                   request_id=task_id, schedule=profile.RETRY_SCHEDULE,
                                   success=profile.CALLBACK_SUCCESS)

        task = state.tasks.start(task_id, self.name, sub.endpoint, RUNNING, [Step(self.live_max, ENDED)],
                                 {"callback": url, "dataId": item.data_id, "appid": appid,
                                  "ends": state.clock.now() + self.live_max}, group=self._group(sub.endpoint, appid))
        task.data["timer"] = state.scheduler.call_later(interval, report, label=f"live task {task_id} report")
        ctx.note(f"live task {task_id}: a report every {interval:g} mock seconds to {url} until stopped "
                f"(or after {self.live_max:g} s)")

    async def _live_outcome(self, endpoint: str, subject: Subject, state: Services) -> Verdict | errors.ItemFailure:
        """A later report consults the rules again, so a test can change what a stream shows."""
        rule = await state.store.take_rule(self.name, endpoint, subject, reviews=False)  # no review flow
        if rule is not None and rule.error is not None:
            error = errors.for_code(rule.error["code"], rule.error.get("message"))
            if isinstance(error, errors.ItemFailure):
                return error
            return errors.ItemFailure(500, error.text)
        return verdict_of(rule, subject)  # type: ignore[no-any-return]

    def _stop(self, sub: checks.Submission, appid: str, ctx: Context) -> list[dict[str, Any]]:
        answers = []
        for item in sub.items:
            task = ctx.services.tasks.get(item.task_id or "")
            ours = task is not None and task.vendor == self.name and task.endpoint == sub.endpoint \
                and task.data.get("appid") == appid
            if not ours:
                ctx.notes.problem(Problem(f"{item.where}.taskId", "known task", item.task_id,
                                   f"a taskId this {sub.endpoint} API started for appid {appid}", inferred=True))
                answers.append(render.item(400, f"no task {item.task_id} on {sub.endpoint}", item.data_id,
                                            item.task_id or "", []))
                continue
            assert task is not None
            if task.status == RUNNING:
                ctx.services.tasks.stop(task.id, STOPPED)
                task.data.pop("timer").cancel()
                ctx.services.tasks.touch(task)
                ctx.note(f"live task {task.id} stopped")
            else:
                ctx.note(f"live task {task.id} was already {task.status}")
            answers.append(render.item(profile.OK, "OK", item.data_id or task.data.get("dataId", ""), task.id, []))
        return answers


def trace_id_of(ctx: Context) -> str | None:
    """The request's ``?traceId=``, or None."""
    return ctx.incoming.query.get("traceId") or None


@dataclass(frozen=True)
class Caller:
    """The certificate that signed the request, the path's appid and the query's traceId."""

    certificate: Certificate
    appid: str
    trace_id: str


def _starts_task(endpoint: str, outcome: Any) -> bool:
    """Whether an item of an async or live API starts a task: every async item does (its result,
    an error too, comes by callback); a live item does unless its stream cannot be pulled at all."""
    if endpoint in profile.ASYNC:
        return True
    return not (isinstance(outcome, errors.ItemFailure) and not isinstance(outcome, errors.ActionFailure))


def _render(sub: checks.Submission, item: checks.Item, task_id: str,
            outcome: Verdict | errors.ItemFailure) -> dict[str, Any]:
    if isinstance(outcome, errors.ActionFailure):
        return render.item(profile.OK, "OK", item.data_id, task_id,
                            render.failed_actions(int(outcome.code), outcome.text, sub.actions))
    if isinstance(outcome, errors.ItemFailure):
        return render.item(int(outcome.code), outcome.text, item.data_id, task_id, [])
    return render.item(profile.OK, "OK", item.data_id, task_id, render.render(sub.endpoint, outcome, sub.actions))


def _per_endpoint(table: str, key: str, value: Any, defaults: dict[str, Any], *, integer: bool = True,
                  allowed: tuple[str, ...] = profile.ENDPOINT_IDS, can_be_off: bool = True) -> dict[str, Any]:
    """A limit for every endpoint: one number for all, or a table by endpoint id (an endpoint
    left out keeps its default); ``false`` turns a limit off."""
    out = {eid: defaults.get(eid) for eid in allowed}
    if not can_be_off and (value is False or (isinstance(value, dict) and False in value.values())):
        raise SettingsError(f"[{table}] {key} cannot be false: give a number of seconds")
    if value is None:
        return out
    if isinstance(value, dict):
        for eid, number in value.items():
            if eid not in allowed:
                raise SettingsError(f"[{table}] {key}: {eid!r} is not one of {list(allowed)}")
            out[eid] = None if number is False else config_number(table, f"{key}.{eid}", number, integer=integer,
                                                                  exclusive=True)
        return out
    if value is False:
        return dict.fromkeys(allowed)
    number = config_number(table, key, value, integer=integer, exclusive=True)
    return dict.fromkeys(allowed, number)


def describe_credentials(backend: Moderation) -> dict[str, Any]:
    """The accepted certificates and the ready-made token header of each."""
    return {"vendor": backend.name, "credentials": [
        {"appid": c.appid, "certificateId": c.certificate_id, "certificateKey": c.certificate_key,
         "token": c.token()} for c in backend.certificates]}
