"""The defaults each vendor declares (in ``behaviours.toml`` and its docs page) are the ones a
mock started with no configuration runs with."""

from __future__ import annotations

import modmock
from modmock.mockserver.vendors.jocloud import profile as jocloud


def test_akool_tokens_last_400_days_and_no_qps_limit_is_set() -> None:
    with modmock.serve("akool") as mock:
        backend = mock.state.vendors["akool"].backend
        assert backend.token_lifetime == 400 * 24 * 3600  # "valid for more than 1 year"
        assert backend.qps is None  # 1005 is off until configured


def test_alibaba_allows_100_qps_per_accesskey() -> None:
    with modmock.serve("alibaba") as mock:
        assert mock.state.vendors["alibaba"].backend.qps == 100


def test_jocloud_limits_text_and_audio_async_to_20_qps_and_nothing_else() -> None:
    with modmock.serve("jocloud") as mock:
        qps = mock.state.vendors["jocloud"].backend.qps
    assert qps[jocloud.TEXT_SYNC] == qps[jocloud.AUDIO_ASYNC] == 20
    assert all(qps[endpoint] is None for endpoint in qps if endpoint not in (jocloud.TEXT_SYNC, jocloud.AUDIO_ASYNC))
