"""The contract suite against Alibaba's official SDK (alibabacloud-green20220302), in ten lines.

    python -m modmock contract --vendor alibaba --client examples.alibaba_sdk_adapter:adapter
"""

import json

from alibabacloud_green20220302 import client as green
from alibabacloud_green20220302 import models
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_util.models import RuntimeOptions
from Tea.exceptions import TeaException, UnretryableException

RISK = {"high": "reject", "medium": "review", "low": "review", "none": "pass"}


class ModerationError(Exception):
    """A business error code in the answer."""


def adapter(url, credentials):
    key = credentials["accessKeys"][0]
    config = Config(access_key_id=key["accessKeyId"], access_key_secret=key["accessKeySecret"],
                    endpoint=url.split("://", 1)[1], protocol="http")
    request = models.ImageBatchModerationRequest(
        service="baselineCheck", service_parameters=json.dumps({"imageUrl": "https://cdn.example.com/1.jpg"}))
    body = green.Client(config).image_batch_moderation_with_options(request, RuntimeOptions()).body
    if body.code != 200:
        raise ModerationError(body.code, body.msg)
    return RISK[body.data.risk_level]


adapter.errors = (ModerationError, TeaException, UnretryableException)
