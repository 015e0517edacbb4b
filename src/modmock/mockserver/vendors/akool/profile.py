"""AKOOL Jarvis Moderator: every vendor fact in one place.

Sources: seed 001_d5523bbd1f30a73a.txt ("the seed") and VENDOR-NOTES section 3 (the token and
webhook pages AKOOL publishes elsewhere). Inferred values say so.
"""

from __future__ import annotations

from ...core.vendor import Endpoint

NAME = "akool"
TITLE = "AKOOL Jarvis Moderator (asynchronous content analysis)"

ENDPOINTS = (
    Endpoint(
        id="get_token", method="POST", path="/api/open/v3/getToken",
        summary="Exchange clientId and clientSecret for a bearer token",
        request_schema="akool/token_request.json", response_schemas=("akool/token_response.json",),
    ),
    Endpoint(
        id="sentiment", method="POST", path="/api/open/v3/content/analysis/sentiment",
        summary="Submit content (image, video, audio, text) for moderation; answers a queued job",
        request_schema="akool/sentiment_request.json", response_schemas=("akool/sentiment_response.json",),
        callback_schema="akool/webhook.json",
    ),
    Endpoint(
        id="infobyid", method="GET", path="/api/open/v3/content/analysis/infobyid",
        summary="Poll a job by _id: status, result text and final conclusion",
        request_schema="akool/infobyid_request.json", response_schemas=("akool/infobyid_response.json",),
        params_in="query",
    ),
)

# -- HTTP status policy: every answer is HTTP 200 with the code in the body (inferred: the
# seed shows only bodies and says "if the value of the response code is not equal to 1000,
# the request is failed or wrong").
HTTP_STATUS = 200

# -- Credentials (issue: 16- and 24-character defaults, as the webhook encryption needs) -------
DEFAULT_CLIENT_ID = "mock-client-id01"
DEFAULT_CLIENT_SECRET = "mock-client-secret-00001"
DEFAULT_UID = 101690  # the seed's example uid
KEY_SIZES = (16, 24, 32)  # AES key from clientSecret (UTF-8 bytes)
IV_SIZE = 16  # AES-CBC IV from clientId
TOKEN_LIFETIME_SECONDS = 400 * 24 * 3600  # "valid for more than 1 year" (wall time)

# -- Codes (seed: Response Code Description) ---------------------------------------------------
SUCCESS = 1000
MESSAGES = {
    1000: "OK",
    1003: "Parameter error or Parameter can not be empty",
    1008: "The content you get does not exist",
    1009: "You do not have permission to operate",
    1101: "Invalid authorization or The request token has expired",
    1102: "Authorization cannot be empty",
    1200: "The account has been banned",
    1201: "create audio error, please try again later",
    1202: "The same video cannot be translated lipSync in the same language more than 1 times",
    1203: "video should be with audio",
    1005: "Operation is too frequent",  # inferred: quoted by a third-party design note
}
INFERRED_CODES = frozenset({1005})
WRONG_CREDENTIALS = 1101  # getToken with an unknown pair: undocumented, inferred
RATE_LIMITED = 1005  # over a configured QPS: undocumented, inferred
LIMIT_BREACH = 1003  # a media limit broken: the seed lists limits but no code, inferred
NOT_APPLICABLE = {
    1201: "creating audio (text to speech) is not part of the moderation API",
    1202: "lipSync translation is not part of the moderation API",
}
# 1203 "video should be with audio" applies to type 2: a downloaded MP4 or AVI without a sound track gets
# it; a rule or fault injects it anywhere.

# -- Content (seed: Body Attributes and limits) -------------------------------------------------
TYPE_IMAGE, TYPE_VIDEO, TYPE_AUDIO, TYPE_TEXT = 1, 2, 3, 4
TYPES = {TYPE_IMAGE: "image", TYPE_VIDEO: "video", TYPE_AUDIO: "audio", TYPE_TEXT: "text"}
EXTENSIONS = {
    TYPE_IMAGE: (".png", ".jpeg", ".jpg", ".webp", ".gif"),
    TYPE_AUDIO: (".flac", ".mp3", ".mp4", ".mpeg", ".mpga", ".m4a", ".ogg", ".wav", ".webm"),
    TYPE_VIDEO: (".mp4", ".avi"),
    TYPE_TEXT: (".txt", ".docx", ".xml", ".pdf", ".csv", ".md", ".json"),
}
MB = 1024 * 1024
SIZE_LIMITS = {TYPE_IMAGE: 20 * MB, TYPE_AUDIO: 25 * MB, TYPE_VIDEO: 1024 * MB}
AUDIO_MAX_SECONDS = 60 * 60
VIDEO_MAX_LINES = 1080  # "resolution limited to 1080p": the picture's short side
VIDEO_MAX_WIDTH = 1920  # its long side, at 16:9 (inferred: the seed names lines only)
IMAGE_FORMATS = {"png": "png", "jpeg": "jpeg", "webp": "webp", "gif": "gif", "mpo": "jpeg"}
TEXT_MAX = 100_000  # characters of inline text (inferred; the seed gives no limit)
INPUT_MAX = 1024  # the optional "input" words (inferred)
URL_MAX = 2048  # inferred
MAX_BODY = 1 * MB  # media come by URL, so a body is small (inferred)

# -- Jobs (seed: status 1 queueing, 2 processing, 3 completed, 4 failed) ------------------------
QUEUEING, PROCESSING, COMPLETED, FAILED = 1, 2, 3, 4
STATUS_NAMES = {QUEUEING: "queueing", PROCESSING: "processing", COMPLETED: "completed", FAILED: "failed"}
TASK_STATUSES = tuple(STATUS_NAMES.values())
# Mock seconds in each status, by type (inferred: "realistic", longer for longer media).
QUEUE_SECONDS = 2.0
PROCESSING_SECONDS = {TYPE_IMAGE: 5.0, TYPE_VIDEO: 60.0, TYPE_AUDIO: 30.0, TYPE_TEXT: 3.0}
CONCLUSIONS = {"pass": "Compliant", "review": "Unknown", "reject": "Non-Compliant"}

# -- Webhooks (VENDOR-NOTES 3: envelope and signature documented; when and how often inferred) --
WEBHOOK_ON = ("every_status", "completion")
DEFAULT_WEBHOOK_ON = "every_status"  # inferred
RETRY_SCHEDULE = (5, 10, 30, 60, 120)  # seconds between attempts (inferred)
CALLBACK_SUCCESS = (200,)

# Canonical category → the seed's label names ("Internationalization labels"), as the result
# text names them.
LABELS = {
    "porn": "sexual content", "sexy": "sexual content", "violence": "violence", "terrorism": "violence",
    "politics": "political content", "ads": "advertising", "abuse": "profane language",
    "contraband": "contraband", "religion": "religious content", "minors": "harmful content",
    "bullying": "cyberbullying", "spam": "advertising", "qrcode": "advertising", "moan": "moaning sounds",
    "silence": "silent audio", "speech": "specified speech", "lyrics": "specified lyrics",
    "custom": "customized content",
}
# What the result text says was found, in the vendor's style ("- violence: Presence of ...").
FINDINGS = {
    "sexual content": "Presence of nudity or sexual activity",
    "violence": "Presence of weapons, blood or violent acts",
    "political content": "Presence of sensitive political symbols or figures",
    "advertising": "Presence of advertising or redirection to other sites",
    "profane language": "Presence of profane or vulgar language",
    "contraband": "Presence of illegal or prohibited goods",
    "religious content": "Presence of content that may offend religious beliefs",
    "harmful content": "Presence of harmful or inappropriate content",
    "cyberbullying": "Presence of insults or harassment aimed at a person",
    "moaning sounds": "Presence of sounds related to sexual activity",
    "silent audio": "The audio is silent",
    "specified speech": "Presence of specified speech or voice content",
    "specified lyrics": "Presence of specified lyrics",
    "customized content": "Matched a customized rule",
}
