"""Jocloud and Aivacom content moderation: every vendor fact in one place.

One API under two domains. Sources: seed 000_2e49f7685d3e1074.txt (English, Jocloud) and seed
002_353d9f9328b59255.txt (Chinese, Aivacom), "the seeds"; VENDOR-NOTES section 4 (the first
screens of the per-API pages, "the API pages"). The seeds give the paths, the envelope, the codes
and the token; the request bodies, callbacks and stop requests are inferred and say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.vendor import Endpoint

# -- Endpoint ids, the same under both profiles ----------------------------------------------------
IMAGE_SYNC, AUDIO_SYNC, AUDIO_ASYNC, TEXT_SYNC = "image_sync", "audio_sync", "audio_async", "text_sync"
VIDEO_ASYNC, VIDEO_LIVE = "video_async", "video_live"
INTERACTION_AUDIO, INTERACTION_VIDEO = "interaction_audio", "interaction_video"
SYNC = (IMAGE_SYNC, AUDIO_SYNC, TEXT_SYNC)
ASYNC = (AUDIO_ASYNC, VIDEO_ASYNC)
LIVE = (VIDEO_LIVE, INTERACTION_AUDIO, INTERACTION_VIDEO)
ENDPOINT_IDS = (*SYNC, *ASYNC, *LIVE)

SUMMARIES = {
    IMAGE_SYNC: "Synchronous image moderation",
    AUDIO_SYNC: "Synchronous voice moderation",
    AUDIO_ASYNC: "Asynchronous voice moderation; results by callback",
    TEXT_SYNC: "Synchronous text moderation (text sent base64-encoded)",
    VIDEO_ASYNC: "Asynchronous video moderation; results by callback",
    VIDEO_LIVE: "Real-time audio/video stream moderation; periodic reports by callback until stopped",
    INTERACTION_AUDIO: "Live-streaming audio interaction moderation (a room); reports by callback until stopped",
    INTERACTION_VIDEO: "Live-streaming video interaction moderation (a room); reports by callback until stopped",
}
REQUEST_SCHEMAS = {
    IMAGE_SYNC: "jocloud/image_sync_request.json", AUDIO_SYNC: "jocloud/audio_sync_request.json",
    TEXT_SYNC: "jocloud/text_sync_request.json", AUDIO_ASYNC: "jocloud/audio_async_request.json",
    VIDEO_ASYNC: "jocloud/video_async_request.json", VIDEO_LIVE: "jocloud/live_request.json",
    INTERACTION_AUDIO: "jocloud/interaction_audio_request.json",
    INTERACTION_VIDEO: "jocloud/interaction_video_request.json",
}
RESPONSE_SCHEMA = "jocloud/response.json"
ERROR_SCHEMA = "jocloud/error.json"  # request-level errors (HTTP 400, 429)
CALLBACK_SCHEMA = "jocloud/callback.json"


# What every API takes besides its body (seeds: Request Path, Identity Authentication).
PARAMETERS = (
    {"name": "appid", "in": "path", "required": True, "schema": {"type": "string"},
     "description": "The service id (the seeds' sample: 123456)."},
    {"name": "traceId", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "The caller's id of the request, echoed as traceId (absent: a warning; --strict: 400)."},
    {"name": "token", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "Basic base64(certificateId:certificateKey)."},
)


@dataclass(frozen=True)
class Profile:
    """One domain's dialect: its name, host and paths (what ``Vendor`` takes from a profile)."""

    NAME: str
    TITLE: str
    HOST: str
    PATHS: dict[str, str]
    LANGUAGE: str
    # an async task: processing, then done; a live one: running until stopped, or ended (mock names)
    TASK_STATUSES = ("processing", "done", "running", "stopped", "ended")

    @property
    def ENDPOINTS(self) -> tuple[Endpoint, ...]:
        return tuple(Endpoint(
            id=eid, method="POST", path=self.PATHS[eid], summary=SUMMARIES[eid],
            request_schema=REQUEST_SCHEMAS[eid], response_schemas=(RESPONSE_SCHEMA,),
            callback_schema=None if eid in SYNC else CALLBACK_SCHEMA, error_schema=ERROR_SCHEMA,
            parameters=PARAMETERS, route=self.route(eid),
        ) for eid in ENDPOINT_IDS)

    def route(self, endpoint: str) -> str:
        """The path pattern served: the interaction paths of Jocloud take a trailing slash (the
        English seed prints one); audio async also answers at ``.../audio/async/submit``."""
        path = self.PATHS[endpoint]
        if f"{self.NAME}:{endpoint}" in OPTIONAL_SLASH:
            return path + "{slash:/?}"
        if endpoint in ALSO_SUBMIT:
            return path + "{submit:(?:/submit)?}"
        return path

    @property
    def MAX_BODY(self) -> int:
        return MAX_BODY


_COMMON_PATHS = {
    IMAGE_SYNC: "/app/{appid}/v1/image/sync",
    AUDIO_SYNC: "/app/{appid}/v1/audio/sync",
    AUDIO_ASYNC: "/app/{appid}/v1/audio/async",
    TEXT_SYNC: "/app/{appid}/v1/text/sync",
    VIDEO_ASYNC: "/app/{appid}/v1/video/async",
    VIDEO_LIVE: "/app/{appid}/v1/video/live",
}
JOCLOUD = Profile(
    NAME="jocloud", TITLE="Jocloud content moderation (ai.jocloud.com)", HOST="ai.jocloud.com", LANGUAGE="en",
    PATHS={**_COMMON_PATHS, INTERACTION_AUDIO: "/app/{appid}/v1/ai/audio/live",
           INTERACTION_VIDEO: "/app/{appid}/v1/ai/video/live"},
)
AIVACOM = Profile(
    NAME="aivacom", TITLE="Aivacom content moderation (ai.aivacom.com)", HOST="ai.aivacom.com", LANGUAGE="zh",
    PATHS={**_COMMON_PATHS, INTERACTION_AUDIO: "/app/{appid}/v1/audio/stream",
           INTERACTION_VIDEO: "/app/{appid}/v1/video/stream"},
)
PROFILES = {p.NAME: p for p in (JOCLOUD, AIVACOM)}
# Alternative spellings served too: the English seed prints ".../ai/video/live/" with a trailing
# slash (both interaction paths take one, optionally), and ".../audio/async/submit" is served beside
# the seeds' ".../audio/async" (inferred: the audio-async API page's path as a session recalled it;
# VENDOR-NOTES section 4 does not record it, so the seeds' path is the one documented).
OPTIONAL_SLASH = frozenset({"jocloud:" + INTERACTION_AUDIO, "jocloud:" + INTERACTION_VIDEO})
ALSO_SUBMIT = frozenset({AUDIO_ASYNC})

# -- Credentials (seeds: Annex 1 sample values) --------------------------------------------------
DEFAULT_APPID = "123456"
DEFAULT_CERTIFICATE_ID = "qawsedrftg"
DEFAULT_CERTIFICATE_KEY = "abcdefghijk"
TOKEN_HEADER = "token"
TOKEN_SCHEME = "Basic"  # the seeds' text and Java sample
SAMPLE_SCHEME = "Base"  # the seeds' Python sample; accepted unless --strict

# -- HTTP status policy (DESIGN, inferred): the HTTP status equals the request-level code --------
OK = 200
BAD_REQUEST = 400
TOO_MANY_REQUESTS = 429
INTERNAL = 500  # the mock itself failed; no request-level code fits (inferred)
NOT_FOUND = 404  # no such path; the body keeps the envelope (inferred)
REQUEST_CODES = {OK: "OK", BAD_REQUEST: "Indeterminacy", TOO_MANY_REQUESTS: "Too many requests"}
# A wrong or missing token, or an appid the certificate does not serve: the seeds name no code, so
# the request-level 400 ("request content parsing exception or parameter error"), inferred.
AUTH_FAILURE = BAD_REQUEST

# -- Data- and action-level codes (seeds: "Error code in data and action") -----------------------
ITEM_MESSAGES = {
    200: "OK",
    400: "Indeterminacy",  # "general input exception": the message says what (seeds: Indeterminacy)
    401: "Download data from URL failed",
    402: "Decode BASE64 data failed",
    403: "Input too large",
    410: "Audio decode failed",
    411: "Input audio too long",
    412: "Convert audio to text failed",
    413: "Audio check failed",
    420: "Image decode failed",
    421: "Image check failed",
    500: "Indeterminacy",  # "internal service exception"
    503: "Service temporarily unavailable",
}
ITEM_CODES = frozenset(ITEM_MESSAGES) - {OK}

# -- Limits ---------------------------------------------------------------------------------------
MB = 1024 * 1024
DEFAULT_CONCURRENCY = 20  # seeds: default concurrency 20 for every API (requests in flight)
# QPS the API pages state (text 20 QPS; audio async 20 submissions a second); others unlimited.
DEFAULT_QPS = {TEXT_SYNC: 20, AUDIO_ASYNC: 20}
IMAGE_MAX = 10 * MB  # API pages: each picture under 10 MB
# Inferred: no audio-sync API page was read (VENDOR-NOTES section 4 lists the image, text and audio
# async pages); 10 MB is the image page's limit per file, 60 s the mock's choice for a sync call.
AUDIO_SYNC_MAX = 10 * MB
AUDIO_SYNC_SECONDS = 60
AUDIO_ASYNC_MAX = 50 * MB  # API pages: URL only, at most 5 minutes and 50 MB
AUDIO_ASYNC_SECONDS = 5 * 60
AUDIO_ASYNC_FORMATS = (".aac", ".mp3", ".m4a", ".mp4")  # API pages (judged by URL extension, inferred)
REQUEST_MEDIA_MAX = 50 * MB  # API pages: each request under 50 MB of media
TEXT_MAX_CHARS = 1000  # API pages: text of at most 1000 characters
VIDEO_MAX = 1024 * MB  # no page read: inferred, checked only on downloads
MAX_BODY = REQUEST_MEDIA_MAX * 4 // 3 + MB  # 50 MB of media as base64, plus the JSON around it
MAX_ITEMS = 100  # items in one request: the mock's own bound (the documents give none)
DATA_ID_MAX = 128  # inferred
URL_MAX = 2048  # inferred
STREAM_SCHEMES = ("rtmp", "rtmps", "rtsp", "http", "https")  # stream URLs (inferred)

# -- Tasks (inferred: the seeds' flowcharts show submit → callback, and start → reports) -----------
PROCESSING_SECONDS = {AUDIO_ASYNC: 10.0, VIDEO_ASYNC: 30.0}  # mock seconds until the callback
LIVE_INTERVAL_SECONDS = 10.0  # between two reports of a live task
LIVE_INTERVAL_RANGE = (1, 600)  # the request's "interval" (inferred)
LIVE_MAX_SECONDS = 3600.0  # a stream nobody stops ends after this long (inferred)
LIVE_REPORTS = ("all", "violations")  # report every segment, or only segments that are not pass
DEFAULT_LIVE_REPORTS = "all"
OPERATIONS = ("start", "stop")
RETRY_SCHEDULE = (5, 10, 30, 60, 120)  # seconds between callback attempts (inferred)
CALLBACK_SUCCESS = (200,)

# -- Actions and labels (API pages) ----------------------------------------------------------------
IMAGE_ACTIONS = ("porn", "terrorism", "antispam", "sface")
TEXT_ACTIONS = ("antispam",)
AUDIO_ACTIONS = ("porn", "antispam")
ACTIONS = {  # what an item gets when the request names no actions
    IMAGE_SYNC: IMAGE_ACTIONS, TEXT_SYNC: TEXT_ACTIONS, AUDIO_SYNC: AUDIO_ACTIONS, AUDIO_ASYNC: AUDIO_ACTIONS,
    VIDEO_ASYNC: IMAGE_ACTIONS, VIDEO_LIVE: IMAGE_ACTIONS, INTERACTION_AUDIO: AUDIO_ACTIONS,
    INTERACTION_VIDEO: IMAGE_ACTIONS,
}
# "asr" (a transcript; the audio API page lists it) may be requested wherever there is sound: video
# moderation covers "audio or video content" (seeds). The mock writes no transcript: its result
# is always normal (inferred), and it is not among the default actions.
TRANSCRIPT = "asr"
WITH_SOUND = frozenset({AUDIO_SYNC, AUDIO_ASYNC, VIDEO_ASYNC, VIDEO_LIVE, INTERACTION_AUDIO})
ACCEPTED_ACTIONS = {e: a + ((TRANSCRIPT,) if e in WITH_SOUND else ()) for e, a in ACTIONS.items()}
NORMAL = "normal"  # the label of a pass (documented for porn and text antispam; inferred elsewhere)
NORMAL_RATE = 0.99  # the confidence of "normal" (inferred)
IMAGE_LABELS = {
    "porn": ("normal", "sexy", "porn"),
    "terrorism": ("flag-terror", "riot", "uniform", "gun", "knife", "bloody", "withgun", "terrorist",
                  "disgusted", "fire_explosion", "crowd"),
    "antispam": ("flag", "flag-china", "tank", "fighter", "cannon", "battle-ship", "beard", "special_building",
                 "rmb", "map_of_China"),
    "sface": ("sface",),
}
TEXT_LABELS = ("terrorism", "porn", "illegal", "politics", "abuse", "ad", "feudalism", "religion", "affairs",
               "contraband", "minors", "banned-website")
AUDIO_LABELS = {"porn": ("moan",), "antispam": TEXT_LABELS, TRANSCRIPT: ()}  # antispam labels as text (inferred)
# A video's pictures and its sound track: the image labels, plus moan and the spoken-text ones.
VIDEO_LABELS = {**IMAGE_LABELS, "porn": IMAGE_LABELS["porn"] + ("moan",),
                "antispam": IMAGE_LABELS["antispam"] + TEXT_LABELS, TRANSCRIPT: ()}

# Canonical category → (action, label) per kind of content; a category missing from a table is
# one that kind of content does not detect (its findings are dropped).
IMAGE_MAP = {
    "porn": ("porn", "porn"), "sexy": ("porn", "sexy"), "violence": ("terrorism", "bloody"),
    "terrorism": ("terrorism", "terrorist"), "contraband": ("terrorism", "gun"), "politics": ("antispam", "flag"),
}
TEXT_MAP = {
    "porn": ("antispam", "porn"), "sexy": ("antispam", "porn"), "violence": ("antispam", "terrorism"),
    "terrorism": ("antispam", "terrorism"), "politics": ("antispam", "politics"), "ads": ("antispam", "ad"),
    "spam": ("antispam", "ad"), "qrcode": ("antispam", "banned-website"), "abuse": ("antispam", "abuse"),
    "bullying": ("antispam", "abuse"), "contraband": ("antispam", "contraband"),
    "religion": ("antispam", "religion"), "minors": ("antispam", "minors"), "custom": ("antispam", "illegal"),
}
AUDIO_MAP = {**TEXT_MAP, "porn": ("porn", "moan"), "sexy": ("porn", "moan"), "moan": ("porn", "moan")}
VIDEO_MAP = {**AUDIO_MAP, **IMAGE_MAP}  # what the pictures show first; the sound track for the rest
CATEGORY_MAPS = {
    IMAGE_SYNC: IMAGE_MAP, VIDEO_ASYNC: VIDEO_MAP, VIDEO_LIVE: VIDEO_MAP, INTERACTION_VIDEO: IMAGE_MAP,
    TEXT_SYNC: TEXT_MAP, AUDIO_SYNC: AUDIO_MAP, AUDIO_ASYNC: AUDIO_MAP, INTERACTION_AUDIO: AUDIO_MAP,
}
LABEL_SETS: dict[str, dict[str, tuple[str, ...]]] = {
    IMAGE_SYNC: IMAGE_LABELS, VIDEO_ASYNC: VIDEO_LABELS, VIDEO_LIVE: VIDEO_LABELS, INTERACTION_VIDEO: IMAGE_LABELS,
    TEXT_SYNC: {"antispam": TEXT_LABELS}, AUDIO_SYNC: AUDIO_LABELS, AUDIO_ASYNC: AUDIO_LABELS,
    INTERACTION_AUDIO: AUDIO_LABELS,
}
SUGGESTIONS = {"pass": "pass", "review": "review", "reject": "block"}
