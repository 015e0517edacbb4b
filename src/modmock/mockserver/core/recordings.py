"""Recorded exchanges (``mockserver proxy --record DIR``) as answers the mock replays offline
(``mockserver run --replay DIR``, a scenario's ``"replay"``, ``mock.respond_with(*recordings(DIR))``).

A recording is one JSON file per exchange, numbered in the order it happened (the format is
the proxy's; see :mod:`modmock.proxy.recording`). Each vendor answer becomes a queued answer for
its endpoint, in order: the next valid request to that endpoint gets the recorded body and HTTP
status. Callbacks the vendor sent are recorded for the drift report and not replayed (the mock
makes its own).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .replay import Answer

log = logging.getLogger("modmock")

FORMAT = 1
# Answers that hold a credential the mock itself hands out: replayed, the scrubbed value would
# break every later call, so the mock answers these itself.
NOT_REPLAYED = {("akool", "get_token"): "its token is scrubbed in the recording; the mock issues its own"}


@dataclass(frozen=True)
class Recorded:
    """One recorded vendor answer: what :meth:`~modmock.MockServer.respond_with` queues."""

    body: Any
    status: int
    vendor: str
    endpoint: str
    file: str

    def answer(self) -> Answer:
        return Answer(self.body, self.status, self.vendor, self.endpoint)


def read_recordings(folder: str | Path) -> list[dict[str, Any]]:
    """The recordings in ``folder``, in the order they were made; a file that is not one is an error."""
    where = Path(folder)
    if not where.is_dir():
        raise ValueError(f"{where}: no such folder of recordings")
    found = []
    for path in sorted(where.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: not a recording ({exc})") from None
        if not isinstance(record, dict) or record.get("modmock-recording") != FORMAT:
            raise ValueError(f"{path}: not a modmock recording (no \"modmock-recording\": {FORMAT})")
        for key in ("vendor", "endpoint", "kind", "request", "response"):
            if key not in record:
                raise ValueError(f"{path}: a recording needs {key!r}")
        record["file"] = str(path)
        found.append(record)
    return found


def recordings(folder: str | Path, vendor: str | None = None) -> list[Recorded]:
    """The vendor answers recorded in ``folder`` (of ``vendor``, or every one), in order, as
    :class:`Recorded` answers; those the mock must answer itself are left out."""
    out = []
    for record in read_recordings(folder):
        if record["kind"] != "answer" or (vendor is not None and record["vendor"] != vendor):
            continue
        if (record["vendor"], record["endpoint"]) in NOT_REPLAYED or not record["endpoint"]:
            continue
        response = record["response"]
        body = response.get("body")
        status = response.get("status", 200)
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            raise ValueError(f"{record['file']}: the answer's status must be an HTTP status, not {status!r}")
        if not isinstance(body, (dict, list)):
            # Not JSON (a gateway's page, say): what the mock can send in its place is a malformed
            # body, so the answers after it still go to the requests they answered.
            log.warning("%s: the recorded answer is not JSON; replayed as a malformed body", record["file"])
            body = "malformed"
        out.append(Recorded(body, status, record["vendor"], record["endpoint"], record["file"]))
    return out
