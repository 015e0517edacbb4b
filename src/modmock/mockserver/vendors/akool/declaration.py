"""AKOOL's endpoints as declarations: the core runs the pipeline in the declared order."""

from __future__ import annotations

from ...core.declaration import Operation
from . import profile
from .backend import Moderation

# getToken: the fields, then the pair (1101) and a banned account (1200); nothing is injected.
TOKEN_ORDER = ("read", "decode", "shape", "validate", "authenticate", "backend")
# sentiment: body → authorization (1102/1101/1200) → QPS (1005, inferred) → fields (1003) →
# media bytes where downloadable (1003; a video with no sound track: 1203) → injected failure → the job.
SUBMIT_ORDER = ("read", "decode", "authenticate", "limits", "shape", "validate", "subjects", "inject", "verdict",
                "backend")
# infobyid: authorization, then _id; faults and queued answers that name it (a poll fails too; the
# ones that name no endpoint are the submission's, as before); the job as it stands.
QUERY_ORDER = ("decode", "authenticate", "validate", "inject", "backend")


def operations(backend: Moderation) -> list[Operation]:
    ep = {e.id: e for e in profile.ENDPOINTS}
    return [
        Operation(ep["get_token"], backend.get_token, authenticate=backend.login, checks=backend.token_checks,
                  schema=False, order=TOKEN_ORDER),
        Operation(ep["sentiment"], backend.submit, authenticate=backend.authorize, checks=backend.sentiment_checks,
                  schema=False, prepare=backend.prepare, limits=backend.limits, subjects=backend.subjects,
                  order=SUBMIT_ORDER),
        Operation(ep["infobyid"], backend.info, body="query", shape=None, authenticate=backend.authorize,
                  checks=backend.info_checks, schema=False, order=QUERY_ORDER, injection="targeted"),
    ]
