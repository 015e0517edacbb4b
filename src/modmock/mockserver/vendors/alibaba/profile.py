"""Alibaba Cloud Image Moderation 2.0 (ImageBatchModeration, 2022-03-02): every vendor fact.

Sources: seed 003_71a0a73d50952b40.txt ("the seed"); VENDOR-NOTES.md section 1 and its
appendix (what the official SDK sends and parses, "SDK"). Inferred values say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.vendor import Endpoint

NAME = "alibaba"
TITLE = "Alibaba Cloud Image Moderation 2.0 (ImageBatchModeration)"
ACTION = "ImageBatchModeration"
VERSION = "2022-03-02"

ENDPOINTS = (
    Endpoint(
        id="image_batch_moderation", method="POST", path="/", any_method=True,
        summary="ImageBatchModeration: several services on one image (RPC style, signed)",
        request_schema="alibaba/request.json",
        response_schemas=("alibaba/response.json",),
        params_in="query", error_schema="alibaba/error.json",
    ),
)

# -- Regions and their services (seed: Supported regions and endpoints) -------------------------
_COMMON = ("baselineCheck", "baselineCheck_pro", "tonalityImprove", "aigcCheck", "profilePhotoCheck",
           "postImageCheck", "advertisingCheck", "liveStreamCheck", "aigcViolationDetection",
           "baselineCheckByVL", "postImageCheckByVL")
REGIONS: dict[str, tuple[str, ...]] = {
    "cn-shanghai": _COMMON + ("adCheckByVL",),
    "cn-hangzhou": _COMMON,
    "cn-beijing": _COMMON + ("adCheckByVL",),
    "cn-shenzhen": _COMMON,
    "cn-chengdu": _COMMON,
}
DEFAULT_REGION = "cn-shanghai"
ALL_SERVICES = frozenset(s for services in REGIONS.values() for s in services)
NO_VPC = frozenset({"cn-chengdu"})  # "Internal endpoint: Not available"
HOST_PREFIXES = ("green-cip.", "green-cip-vpc.")  # green-cip[-vpc].<region>.aliyuncs.com
HOST_SUFFIX = ".aliyuncs.com"

# -- Credentials (issue: defaults out of the box) ----------------------------------------------
DEFAULT_ACCESS_KEY_ID = "test-ak"
DEFAULT_ACCESS_KEY_SECRET = "test-secret"

# -- Business codes: HTTP 200 with the code in the body (seed: Response codes) -----------------
SUCCESS = 200
MESSAGES = {
    200: "OK",
    400: "The request parameters are empty.",
    401: "The request parameters are invalid.",
    402: "A request parameter has an invalid length.",
    403: "The request rate exceeds the QPS limit.",
    404: "Failed to download the image.",
    405: "The image download timed out.",
    406: "The input image is too large.",
    407: "The input image format is not supported.",
    408: "Permission to call this API was denied.",
    500: "A system error occurred.",
}
ERROR_PRECEDENCE = (
    ("gateway: no signature, wrong action/version, unknown AccessKeyId, stale date, bad signature, reused nonce",
     "4xx"),
    ("empty parameters", 400), ("invalid parameters (JSON, service, region, characters)", 401),
    ("invalid length", 402), ("service not enabled for the AccessKey", 408), ("QPS over the limit", 403),
    ("injected failure", 500), ("download failed", 404), ("download timeout", 405),
    ("image too large", 406), ("format not supported", 407),
)
CONFIG_KEYS = ("region", "qps", "include_defaults", "credentials", "oss_files")
DEFAULT_QPS = 100  # "The QPS limit for this API is 100 for a single user"

# -- Gateway errors: 4xx with Alibaba's OpenAPI error body (VENDOR-NOTES: inferred codes) -------
@dataclass(frozen=True)
class GatewayCode:
    code: str
    status: int
    message: str


GATEWAY = {
    "missing_signature": GatewayCode("MissingSignature", 400,
                                     'The input parameter "Signature" that is mandatory for processing this '
                                     "request is not supplied."),
    "missing_param": GatewayCode("MissingParameter", 400, "A required parameter of the signature is missing."),
    "bad_authorization": GatewayCode("InvalidAuthorization", 400,
                                     "The Authorization header is not a valid ACS3-HMAC-SHA256 header."),
    "unknown_key": GatewayCode("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found."),
    "bad_signature": GatewayCode("SignatureDoesNotMatch", 400,
                                 "Specified signature is not matched with our calculation."),
    "expired": GatewayCode("InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired."),
    "bad_timestamp": GatewayCode("InvalidTimeStamp.Format", 400,
                                 "Specified time stamp or date value is not well formatted."),
    "nonce_used": GatewayCode("SignatureNonceUsed", 400, "Specified signature nonce was used already."),
    "bad_signature_method": GatewayCode("InvalidSignatureMethod", 400,
                                        "Specified signature method or version is not supported."),
    "unknown_action": GatewayCode("InvalidAction.NotFound", 404,
                                  "Specified api is not found, please check your url and method."),
    "unknown_version": GatewayCode("InvalidVersion", 400, "Specified parameter Version is not valid."),
}
SIGNATURE_WINDOW_SECONDS = 15 * 60  # x-acs-date / Timestamp within 15 minutes of the request
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
V3_REQUIRED_SIGNED = ("host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce",
                      "x-acs-version")  # "all common request headers except Authorization must be signed"
V1_METHOD, V1_VERSION = "HMAC-SHA1", "1.0"
V1_REQUIRED = ("AccessKeyId", "Signature", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp")
DEBUG_HEADER = "x-modmock-debug"  # "true": signature errors show the string-to-sign the mock expected

# -- Request limits (seed: ServiceParameters, Image requirements) ------------------------------
IMAGE_URL_MAX = 2048
DATA_ID_MAX = 64
REFERER_MAX = 256
INFO_TYPES = ("customImage", "textInImage", "publicFigure", "logoData")  # inferred from the SDK's Ext model
IMAGE_MAX_BYTES = 20 * 1024 * 1024
IMAGE_MAX_SIDE = 16_384
IMAGE_MAX_PIXELS = 167_000_000
IMAGE_FORMATS = frozenset({"png", "jpg", "jpeg", "bmp", "webp", "tiff", "svg", "heic", "heif", "gif", "ico"})
PILLOW_FORMAT_ALIASES = {"mpo": "jpeg", "apng": "png"}  # an animated PNG is a PNG
DOWNLOAD_TIMEOUT_SECONDS = 3  # "The image must download within 3 seconds"
MAX_BODY = 1024 * 1024  # parameters only; images are passed by URL or OSS

# -- Results ------------------------------------------------------------------------------------
RISK_HIGH, RISK_MEDIUM, RISK_LOW, RISK_NONE = "high", "medium", "low", "none"
CLEAN_LABEL = {"Label": "nonLabel", "Description": "No risks detected"}
EXEMPT_LABEL = "nonLabel_lib"
EXEMPT_DESCRIPTION = "Matched an image in the image exemption library"
LOW_BELOW = 0.5  # a review verdict under this confidence reads "low", else "medium" (inferred)


@dataclass(frozen=True)
class AliLabel:
    label: str
    description: str
    inferred: bool = True


# Services grouped by what they look for. The seed documents violent_explosion,
# sexual_partialNudity (baselineCheck) and pt_programCode (tonalityImprove); the other names
# follow the label families of the risk label table (inferred).
BASELINE = frozenset(s for s in _COMMON + ("adCheckByVL",) if s not in ("tonalityImprove", "advertisingCheck",
                                                                        "adCheckByVL"))
BASELINE_LABELS: dict[str, AliLabel] = {
    "porn": AliLabel("pornographic_adultContent", "Adult pornographic content"),
    "sexy": AliLabel("sexual_partialNudity", "Partial nudity or sexually suggestive content", inferred=False),
    "violence": AliLabel("violent_explosion", "Fireworks-related content", inferred=False),
    "terrorism": AliLabel("violent_terrorism", "Terrorism-related content"),
    "politics": AliLabel("political_politicalFigure", "Political figures"),
    "contraband": AliLabel("contraband_drug", "Drug-related content"),
    "religion": AliLabel("religion_clothing", "Religious content"),
    "abuse": AliLabel("inappropriate_profanity", "Profanity or abusive content"),
    "minors": AliLabel("inappropriate_minors", "Content harmful to minors"),
    "bullying": AliLabel("inappropriate_bullying", "Bullying content"),
    "custom": AliLabel("customImage", "Matched an image in a custom image library"),
}
TONALITY_LABELS: dict[str, AliLabel] = {
    "qrcode": AliLabel("pt_programCode", "mini program code", inferred=False),
    "ads": AliLabel("pt_adLogo", "Advertising logo"),
    "spam": AliLabel("pt_toDirectContact", "Contact information for diversion"),
    "custom": AliLabel("customImage", "Matched an image in a custom image library"),
}
ADVERTISING_LABELS: dict[str, AliLabel] = {
    "ads": AliLabel("ad_promotion", "Promotional content"),
    "qrcode": AliLabel("ad_qrCode", "QR code"),
    "spam": AliLabel("ad_contactInfo", "Contact information"),
    "custom": AliLabel("customImage", "Matched an image in a custom image library"),
}
NOT_APPLICABLE = frozenset({"moan", "silence", "speech", "lyrics"})  # audio-only categories


def labels_for(service: str) -> dict[str, AliLabel]:
    """The canonical-category-to-label map of one service."""
    if service == "tonalityImprove":
        return TONALITY_LABELS
    if service in ("advertisingCheck", "adCheckByVL"):
        return ADVERTISING_LABELS
    return BASELINE_LABELS
