"""Synchronous POST /image/v4 over HTTP: results, labels, languages, auxInfo."""

from __future__ import annotations

import pytest

from helpers import image_request
from modmock.fixtures.media import image_base64
from modmock.mockserver.core import schemas
from modmock.mockserver.core.verdict import CATEGORIES
from modmock.mockserver.vendors.deepcleer import profile


def test_clean_image_passes_with_the_full_result(post, deepcleer_mock) -> None:
    result = post(image_request())
    assert schemas.problems("deepcleer/result.json", result) == []
    assert (result["code"], result["message"], result["riskLevel"]) == (1100, "Success", "PASS")
    assert (result["riskLabel1"], result["riskLabel2"], result["riskLabel3"]) == ("normal", "", "")
    assert result["riskDescription"] == "正常"  # acceptLang defaults to zh
    assert result["allLabels"] == [] and result["riskDetail"]["riskSource"] == 1000
    assert (result["resultType"], result["finalResult"]) == (0, 1)
    assert result["tokenLabels"] == {"UGC_account_risk": {}}
    assert len(result["requestId"]) == 32
    entry = deepcleer_mock.assert_called("image_v4", times=1)[0]
    assert entry.valid and entry.request_id == result["requestId"]


def test_seed_style_violence_result_in_english(post) -> None:
    result = post(image_request({"img": "https://cdn.example.com/gore/1.jpg"}, acceptLang="en"))
    assert result["riskLevel"] == "REJECT"
    assert (result["riskLabel1"], result["riskLabel2"], result["riskLabel3"]) == (
        "violence", "baokongchangjing", "xuexing")
    assert result["riskDescription"] == "Terrorism:Terrorism Scene:Bloody"
    assert result["riskSource"] == 1002
    label = result["allLabels"][0]
    assert label["probability"] == 0.97 and label["riskLevel"] == "REJECT"


def test_accept_lang_inside_data_as_the_seed_lists_it(post) -> None:
    result = post(image_request({"img": "https://cdn.example.com/clean.jpg", "acceptLang": "en"}))
    assert result["riskDescription"] == "Normal"


def test_review_word_gives_review(post) -> None:
    result = post(image_request({"img": "https://cdn.example.com/porn-review.jpg"}))
    assert result["riskLevel"] == "REVIEW" and result["allLabels"][0]["probability"] == 0.6


def test_only_requested_types_are_reported(post) -> None:
    assert post(image_request({"img": "https://x.example/porn.jpg"}, type="POLITY"))["riskLevel"] == "PASS"
    assert post(image_request({"img": "https://x.example/porn.jpg"}, type="EROTIC"))["riskLabel1"] == "porn"


def test_data_id_is_scanned(post) -> None:
    result = post(image_request({"dataId": "sex.jpg"}))
    assert (result["riskLabel1"], result["riskLevel"]) == ("sexy", "REJECT")


def test_text_in_image_risk_comes_from_imgtextrisk_with_ocr_text(post) -> None:
    result = post(image_request({"img": "https://x.example/profanity.png"}, type="IMGTEXTRISK"))
    assert result["riskLevel"] == "REJECT"
    assert result["riskDetail"]["riskSource"] == 1001
    assert result["riskDetail"]["ocrText"] == {"text": ""}


def test_ocr_text_only_with_imgtextrisk_or_advert(post) -> None:
    assert "ocrText" in post(image_request(type="ADVERT"))["riskDetail"]
    assert "ocrText" not in post(image_request(type="POLITY"))["riskDetail"]


def test_aux_info_echoes_pass_through_and_type_versions(post) -> None:
    result = post(image_request({"extra": {"passThrough": {"order": 7, "tag": "x"}}}, type="POLITY_QRCODE"))
    assert result["auxInfo"]["passThrough"] == {"order": 7, "tag": "x"}
    assert set(result["auxInfo"]["typeVersion"]) == {"POLITICS", "QR"}  # keyed by model, as the seed's example
    assert result["auxInfo"]["segments"] == 1


def test_type_versions_of_every_type_are_the_seeds_models(post) -> None:
    versions = post(image_request(type="POLITY_EROTIC_VIOLENT_IMGTEXTRISK"))["auxInfo"]["typeVersion"]
    assert versions == {"POLITICS": "2014055.1", "PORN": "3058001.1", "MINOR": "2014055.1",  # the seed's example
                        "VIOLENCE": "2013019.1", "BAN": "1002106.1", "OCR": "2001038.1"}


@pytest.mark.parametrize(("frames", "max_frame", "interval", "segments"), [
    (5, None, None, 3), (5, 20, None, 5), (2, 1, None, 1), (9, 20, 2, 5), (9, 20, 4, 3), (9, 2, 2, 2),
    (5, 0, None, 1), (5, -5, None, 1), (5, 20, 0, 5),  # maxFrame/interval below 1 (inferred rules) still give >= 1
])
def test_segments_count_frames_by_interval_up_to_max_frame(post, frames: int, max_frame: int | None,
                                                           interval: int | None, segments: int) -> None:
    data = {"img": image_base64(40, 40, "GIF", frames=frames), "maxFrame": max_frame, "interval": interval}
    result = post(image_request(data))
    assert result["auxInfo"]["segments"] == segments
    assert schemas.problems("deepcleer/result.json", result) == []


def test_stream_info_similarity_fields_are_returned(post) -> None:
    stream = {"similarDedup": True, "frameTime": 1_795_000_000_123, "streamId": "s1", "timeWindow": 10}
    aux = post(image_request({"streamInfo": stream}))["auxInfo"]
    assert (aux["frameTime"], aux["streamId"]) == (1_795_000_000_123, "s1")


def test_business_type_alone_is_accepted_and_reports_no_risk(post) -> None:
    result = post(image_request({"img": "https://x.example/porn.jpg"}, type=None, businessType="AGE_GENDER"))
    assert result["code"] == 1100 and result["riskLevel"] == "PASS" and result["businessLabels"] == []


@pytest.mark.parametrize("category", [c for c in CATEGORIES if c not in profile.NOT_APPLICABLE])
def test_every_canonical_category_renders_as_a_deepcleer_label(deepcleer_mock, post, category: str) -> None:
    deepcleer_mock.add_rule(verdict={"risk": "reject", "labels": [{"category": category, "confidence": 0.9}]})
    result = post(image_request(type="POLITY_EROTIC_VIOLENT_QRCODE_ADVERT_IMGTEXTRISK"))
    mapped = profile.LABELS[category]
    assert (result["riskLabel1"], result["riskLabel2"], result["riskLabel3"]) == (
        mapped.label1, mapped.label2, mapped.label3)
    assert result["riskDescription"] == mapped.zh
    assert schemas.problems("deepcleer/result.json", result) == []


def test_audio_only_categories_are_not_reported(deepcleer_mock, post) -> None:
    deepcleer_mock.add_rule(verdict={"risk": "reject", "labels": [{"category": "moan"}]})
    assert post(image_request())["riskLevel"] == "PASS"


def test_rule_sublabel_names_levels_two_and_three(deepcleer_mock, post) -> None:
    deepcleer_mock.add_rule(match={"token_id": "user-123"}, times=1, verdict={
        "risk": "review", "labels": [{"category": "politics", "sublabel": "lingdaoren/lingdaorenguaxiang"}]})
    result = post(image_request())
    assert (result["riskLevel"], result["riskLabel2"], result["riskLabel3"]) == (
        "REVIEW", "lingdaoren", "lingdaorenguaxiang")
    assert post(image_request())["riskLevel"] == "PASS"  # times=1 used it up


def test_backup_url_is_used_when_img_cannot_be_downloaded(post) -> None:
    result = post(image_request({"img": "https://img.invalid/a.jpg", "backupUrl": "https://cdn.example.com/porn/b.jpg"}))
    assert (result["code"], result["riskLabel1"]) == (1100, "porn")  # the verdict comes from the backup
    assert post(image_request({"img": "https://cdn.example.com/clean.jpg",
                               "backupUrl": "https://cdn.example.com/porn/b.jpg"}))["riskLevel"] == "PASS"
    failed = post(image_request({"img": "https://img.invalid/a.jpg", "backupUrl": "https://b.invalid/b.jpg"}))
    assert failed["code"] == 1911 and "backupUrl" in failed["message"]


def test_a_custom_label_reports_the_matched_list_and_word(deepcleer_mock, post) -> None:
    deepcleer_mock.add_rule(verdict={"risk": "reject", "labels": [
        {"category": "custom", "details": {"list": "brand-blocklist", "word": "acme"}}]})
    result = post(image_request())
    matched = [{"name": "brand-blocklist", "words": [{"word": "acme", "position": [0, 0]}]}]
    assert result["riskDetail"]["matchedLists"] == result["allLabels"][0]["riskDetail"]["matchedLists"] == matched
    deepcleer_mock.add_rule(verdict={"risk": "reject", "labels": [{"category": "porn"}]}, priority=10)
    assert "matchedLists" not in post(image_request())["riskDetail"]
