"""Deepcleer image v4: every vendor fact in one place.

Sources: seed 004_39d46afeace4444a.txt ("the seed"), and the vendor's public repository
``ishumei/api-doc`` (V4/智能图片识别产品API文档*.md|json, "api-doc"). Inferred values say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.vendor import Endpoint

NAME = "deepcleer"
TITLE = "Deepcleer (Shumei) image moderation v4"

ENDPOINTS = (
    Endpoint(
        id="image_v4", method="POST", path="/image/v4",
        summary="Single image moderation; synchronous, or asynchronous with a callback URL",
        request_schema="deepcleer/request.json",
        response_schemas=("deepcleer/result.json", "deepcleer/ack.json"),
        callback_schema="deepcleer/callback.json",
    ),
    Endpoint(
        id="images_v4", method="POST", path="/images/v4",
        summary="Batch of up to 12 images; synchronous, or asynchronous with a callback URL",
        request_schema="deepcleer/batch_request.json",
        response_schemas=("deepcleer/batch_result.json", "deepcleer/batch_ack.json", "deepcleer/ack.json"),
        callback_schema="deepcleer/batch_result.json",
    ),
    Endpoint(
        id="async_img", method="POST", path="/v4/saas/async/img",
        summary="Asynchronous single image: acknowledged, the result kept for the active query",
        request_schema="deepcleer/request.json", response_schemas=("deepcleer/ack.json",),
        callback_schema="deepcleer/callback.json",
    ),
    Endpoint(
        id="async_imgs", method="POST", path="/v4/saas/async/imgs",
        summary="Asynchronous batch of up to 12 images: acknowledged, results kept for the active query",
        # An error is answered as by image_v4: {code, message, requestId} (ack.json).
        request_schema="deepcleer/batch_request.json", response_schemas=("deepcleer/batch_ack.json", "deepcleer/ack.json"),
        callback_schema="deepcleer/batch_result.json",
    ),
    Endpoint(
        id="image_query", method="POST", path="/v4/image/query",
        summary="Active query: the results of up to 10 asynchronous requests of the last 15 days",
        request_schema="deepcleer/query_request.json", response_schemas=("deepcleer/query_response.json",),
        host="api-img-active-query.fengkongcloud.com",
    ),
)
# Sources of the endpoints beyond image_v4: ishumei/api-doc V4/智能图片识别产品API文档-同步批量.json
# (images_v4), -异步单张请求.json (async_img), -异步批量请求.json (async_imgs), -异步回调单张/批量.json
# (the callback formats), -主动查询.json (image_query).

# -- HTTP status policy (DESIGN): always 200 with the vendor code in the body ------------------
HTTP_STATUS = 200

# -- Clusters (seed: Request URL) --------------------------------------------------------------
CLUSTERS = {
    "bj": "api-img-bj.fengkongcloud.com",
    "sh": "api-img-sh.fengkongcloud.com",
    "gg": "api-img-gg.fengkongcloud.com",
    "xjp": "api-img-xjp.fengkongcloud.com",
}
DEFAULT_CLUSTER = "bj"  # the vendor's demo calls the Beijing cluster
BOCR_CLUSTERS = frozenset({"gg", "xjp"})  # BOCR and lang=auto: Singapore and Silicon Valley only
# Seed, Request URL: bj and sh support "Chinese images", gg and xjp also English and Arabic ones.
MULTILINGUAL_CLUSTERS = frozenset({"gg", "xjp"})

# -- Credentials (seed: Request Example) -------------------------------------------------------
DEFAULT_ACCESS_KEY = "xxxx"
DEFAULT_APP_IDS = ("default",)
DEFAULT_EVENT_IDS = ("default",)
ANY = "*"

# -- Codes and messages (seed: Response Parameters) --------------------------------------------
SUCCESS = 1100
MESSAGES = {
    1100: "Success",
    1901: "QPS limit exceeded",
    1902: "Invalid parameters",
    1903: "Service failure",
    1911: "Image download failed",
    9101: "Unauthorized operation",
}
# Per-request codes of an active query's contents (api-doc 主动查询.json: contents[].code).
QUERY_DONE, QUERY_PROCESSING, QUERY_FAILED, QUERY_TIMED_OUT = 1100, 1102, 1910, 1912
QUERY_MESSAGES = {1100: "Success", 1102: "Processing", 1910: "Failed", 1912: "Processing timed out (24 h)"}
# The order in which a request's problems are answered (the first one found wins).
ERROR_PRECEDENCE = (
    ("unparsable body (size, UTF-8, JSON, not an object)", 1902),
    ("unknown accessKey", 9101),
    ("invalid fields, unknown appId/eventId", 1902),
    ("configured QPS exceeded", 1901),
    ("injected failure (fault or rule)", 1903),
    ("base64 image unusable (size, format, resolution); async: in the callback", 1902),
    ("image download failed or timed out; async: in the callback", 1911),
)

# -- Request limits (seed: Image Requirements, data Object Parameters) -------------------------
IMG_URL_MAX = 1024
SYNC_IMAGE_MAX = 10 * 1024 * 1024
ASYNC_IMAGE_MAX = 30 * 1024 * 1024
COMPARE_IMAGE_MAX = 10 * 1024 * 1024
# imgCompareBase (seed): jpg, jpeg, png, webp, gif, tiff, tif, heif; no long or animated images.
COMPARE_FORMATS = frozenset({"jpg", "jpeg", "png", "webp", "gif", "tiff", "tif", "heif"})
LONG_IMAGE_RATIO = 4  # inferred: the seed names no ratio; one side over 4x the other is a long image
MIN_PIXELS, MAX_PIXELS = 20, 6000
# Seed, Image Requirements: a download times out after 2 s to connect and 3 s to read, and is
# tried once more; then backupUrl is used.
DOWNLOAD_CONNECT_SECONDS, DOWNLOAD_READ_SECONDS, DOWNLOAD_TRIES = 2.0, 3.0, 2
NICKNAME_MAX = 150  # longer nicknames are truncated, not rejected
PASS_THROUGH_MAX = 1024  # extra.passThrough, as serialised JSON
DEFAULT_MAX_FRAME = 3
DEFAULT_INTERVAL = 1
# Base64 of a 30 MB image is 40 MB; allow 1 MB of JSON around it.
MAX_BODY = ASYNC_IMAGE_MAX * 4 // 3 + 1024 * 1024
IMAGE_FORMATS = frozenset({
    "jpg", "jpeg", "png", "webp", "gif", "tiff", "tif", "heif", "heic", "avif", "apng", "bmp", "svg",
})
PILLOW_FORMAT_ALIASES = {"mpo": "jpeg"}  # multi-picture JPEG is a JPEG

# -- Batch, asynchronous endpoints and the active query (api-doc) -----------------------------
BATCH_MAX = 12  # data.imgs: 要求数组长度在12以内
QUERY_MAX = 10  # requestIds: 最多支持10个流水号
RETENTION_SECONDS = 15 * 24 * 3600  # 支持近十五天结果的查询 (mock time)
QUERY_TIMEOUT_SECONDS = 24 * 3600  # 1912 处理超时(默认24h) (mock time)
TASK_STATUSES = ("processing", "done", "timed_out")  # an async request's task (mock names)
ASYNC_CLUSTERS = frozenset({"bj", "sh"})  # the async endpoints are served in Beijing and Shanghai only
ASYNC_ENDPOINTS = frozenset({"async_img", "async_imgs"})  # acknowledged, results kept for the query

# -- Async (seed: Callback Mechanism, Moderation Timing) ---------------------------------------
RETRY_SCHEDULE = (1, 2, 3, 4, 5, 6, 7, 8)  # seconds between attempts; 8 retries at most
CALLBACK_SUCCESS = (200,)
PROCESSING_SECONDS = 0.5  # "average internal processing time is approximately 500 milliseconds"

# -- Human review (seed: resultType, finalResult; api-doc V4/数美人工审核结果API回调接口文档 §2.2) -
# A result under review is the machine one (resultType 0) and not final (finalResult 0); the
# reviewer's result (resultType 1, finalResult 1) is POSTed to the account's review callback
# URL, which answers {"code": 1100} for success ("non-1100 is considered a failure").
MACHINE_RESULT, HUMAN_RESULT = 0, 1
NOT_FINAL, FINAL = 0, 1
REVIEW_SECONDS = 600.0  # inferred: no review time is documented; ten mock minutes by default
REVIEW_CALLBACK_FIELDS = ("requestId", "code", "message", "riskLevel", "riskLabel1", "riskLabel2", "riskLabel3",
                          "riskDescription", "finalResult", "resultType")  # §2.2, without the custom `disposal`
REVIEW_RETRY_SCHEDULE = RETRY_SCHEDULE  # inferred: §2.2 documents no retries; the image callback's

# -- Risk types (seed: type; api-doc adds nothing current beyond BOCR) -------------------------
TYPES: dict[str, str] = {
    "POLITY": "Political sensitivity detection",
    "EROTIC": "Pornography & sexual content detection",
    "VIOLENT": "Terrorism & prohibited content detection",
    "QRCODE": "QR code detection",
    "ADVERT": "Advertisement detection",
    "IMGTEXTRISK": "Image text violation detection",
    "BOCR": "OCR for minority languages with automatic language detection (gg, xjp only)",
}
# Codes api-doc listed before 2022-06-20 (struck through since), which the vendor's own Python
# demo (ishumei/api-demo v4/python/image/main.py) sent as "POLITICS_PORN_AD_BAN": accepted,
# read as the current code, noted in the journal.
OLDER_TYPES: dict[str, str] = {
    "POLITICS": "POLITY", "PORN": "EROTIC", "VIOLENCE": "VIOLENT", "BAN": "VIOLENT",
    "AD": "ADVERT", "OCR": "IMGTEXTRISK",
}
OCR_TYPES = frozenset({"IMGTEXTRISK", "ADVERT"})  # riskDetail.ocrText is returned for these
# auxInfo.typeVersion: the version of each model a request ran, keyed by model as the seed's
# callback example is (BAN, MINOR, OCR, POLITICS, PORN, VIOLENCE, with those values). Which model
# each requested type runs is inferred (the example's request says only "xxxxx"): the older codes
# of OLDER_TYPES name the models; MINOR shares POLITICS's version in the example and is read as
# part of EROTIC; AD and QR, absent from the example, carry versions of the mock's own.
TYPE_VERSIONS: dict[str, dict[str, str]] = {
    "POLITY": {"POLITICS": "2014055.1"},
    "EROTIC": {"PORN": "3058001.1", "MINOR": "2014055.1"},
    "VIOLENT": {"VIOLENCE": "2013019.1", "BAN": "1002106.1"},
    "IMGTEXTRISK": {"OCR": "2001038.1"}, "BOCR": {"OCR": "2001038.1"},
    "ADVERT": {"AD": "1002106.1"}, "QRCODE": {"QR": "1001001.1"},
}

# api-doc appendix "Business Label Types" (71 codes).
BUSINESS_TYPES = frozenset("""
AGE GENDER BEAUTY RACE FACEDETECTION FAKEFACE FACECOMPARE PUBLICFIGURE TAINTEDSTAR POSTURE DRESS
TEMPERAMENT BODY PICTUREFORM PICTURESTRUCT LOWVISION LOWCONTNET LIVEPICTURE SCREENSHOT FITNESS CATE
MUSIC SPORTS SCENERY CITYVIEW 3CPRODUCTSLOGO SHOPPINGAPPSLOGO RETOUCHAPPSLOGO SOCIALAPPSLOGO
PHOTOMATERIALLOGO NEWSAPPSLOGO ENTERTAINMENTAPPSLOGO SPORTSLOGO APPARELLOGO ACCESSORIESLOGO
COSMETICSLOGO FOODLOGO AUTOTRADEAPPSLOGO VEHICLE BUILDING TABLEWARE FOOD HOMEAPPLICATION
OFFICESUPPLIES FASHION SPORTEQUIPMENT TOY MAKEUP DRUGS PAINTING ELECTRONIC LOTTERY DEFORMITY
MEDICALIMAGE FURNITURE DAILYSUPPLIES CONSTELLATION KITCHENWARE KEEPSAKE MAMMAL BIRDS REPTILE FISH
ARTHROPOD COELENTERATE MOLLUSKS CRUSTACEAN PLANT SETTING EXTREMEWEATHER LICENCEPLATE
""".split())
# The pre-2022 list of api-doc; accepted like the older risk types.
OLDER_BUSINESS_TYPES = frozenset("""
LOGO OCR MINOR SCREEN SCENCE QR QUALITY FACE STAR PORTRAIT ANIMAL OBJECT IMAGECONTENT
""".split())

DEFAULT_ACCEPT_LANG = "zh"  # the lang and acceptLang values are enums in schemas/deepcleer/request.json

# -- Results -----------------------------------------------------------------------------------
RISK_LEVELS = {"pass": "PASS", "review": "REVIEW", "reject": "REJECT"}
PASS_LABEL1 = "normal"
PASS_DESCRIPTION = {"zh": "正常", "en": "Normal"}
RISK_SOURCE_NONE, RISK_SOURCE_TEXT, RISK_SOURCE_IMAGE = 1000, 1001, 1002
TOKEN_LABELS: dict[str, dict[str, int]] = {"UGC_account_risk": {}}  # as in the seed's callback example


@dataclass(frozen=True)
class LabelMap:
    """How one canonical category reads in Deepcleer's labels, and which type detects it."""

    label1: str
    label2: str
    label3: str
    zh: str
    en: str
    type: str  # the visual type code that asks for it
    text: bool = True  # also found in text in images (IMGTEXTRISK)
    inferred: bool = False


# riskLabel1 values and their type codes: api-doc table "riskLabel返回一级标签内容为".
# Level 2/3 examples documented: violence/baokongchangjing/xuexing (seed), politics/shezheng/
# shezheng and ad/ad/ad (api-doc); the others are inferred in the same style.
LABELS: dict[str, LabelMap] = {
    "politics": LabelMap("politics", "shezheng", "shezheng", "涉政:涉政:涉政", "Politics:Politics:Politics", "POLITY"),
    "porn": LabelMap("porn", "porn", "porn", "色情:色情:色情", "Porn:Porn:Porn", "EROTIC"),
    "sexy": LabelMap("sexy", "sexy", "sexy", "性感:性感:性感", "Sexy:Sexy:Sexy", "EROTIC", inferred=True),
    "violence": LabelMap("violence", "baokongchangjing", "xuexing", "暴恐:暴恐场景:血腥",
                         "Terrorism:Terrorism Scene:Bloody", "VIOLENT"),
    "terrorism": LabelMap("violence", "baokongzuzhi", "baokongzuzhi", "暴恐:暴恐组织:暴恐组织",
                          "Terrorism:Terrorist Organization:Terrorist Organization", "VIOLENT", inferred=True),
    "contraband": LabelMap("ban", "ban", "ban", "违禁:违禁:违禁", "Prohibited:Prohibited:Prohibited", "VIOLENT",
                           inferred=True),
    "ads": LabelMap("ad", "ad", "ad", "广告:广告:广告", "Advertisement:Advertisement:Advertisement", "ADVERT"),
    "spam": LabelMap("ad", "guanshui", "guanshui", "广告:灌水:灌水", "Advertisement:Spam:Spam", "ADVERT",
                     inferred=True),
    "qrcode": LabelMap("qr", "qr", "qr", "二维码:二维码:二维码", "QR Code:QR Code:QR Code", "QRCODE",
                       text=False, inferred=True),
    # No image label of their own: mapped to the nearest, "ban" (prohibited).
    "abuse": LabelMap("ban", "maren", "maren", "违禁:谩骂:谩骂", "Prohibited:Abuse:Abuse", "IMGTEXTRISK",
                      inferred=True),
    "religion": LabelMap("ban", "zongjiao", "zongjiao", "违禁:宗教:宗教", "Prohibited:Religion:Religion", "VIOLENT",
                         inferred=True),
    "minors": LabelMap("ban", "weichengnianren", "weichengnianren", "违禁:未成年人:未成年人",
                       "Prohibited:Minors:Minors", "VIOLENT", inferred=True),
    "bullying": LabelMap("ban", "qiling", "qiling", "违禁:欺凌:欺凌", "Prohibited:Bullying:Bullying", "VIOLENT",
                         inferred=True),
    "custom": LabelMap("ban", "zidingyi", "zidingyi", "违禁:自定义名单:自定义名单",
                       "Prohibited:Custom List:Custom List", "*", inferred=True),
}
# Audio-only categories: image v4 has nothing to report them with.
NOT_APPLICABLE = frozenset({"moan", "silence", "speech", "lyrics"})

# A clean image URL for the published request example (the default rule passes it).
EXAMPLE_IMAGE_URL = "https://cdn.example.com/uploads/photo.jpg"
