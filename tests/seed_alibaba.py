"""The examples printed in seed 003 (Alibaba ImageBatchModeration), as the vendor documents them."""

REQUEST = {
    "Service": "baselineCheck,tonalityImprove",
    "ServiceParameters": {"imageUrl": "https://img.alicdn.com/tfs/TB1U4r9AeH2gK0jSZJnXXaT1FXa-2880-480.png",
                          "dataId": "img123****"},
}

RISKY = {"Msg": "OK", "Code": 200, "Data": {"DataId": "img123****", "RiskLevel": "high", "Result": [
    {"Label": "violent_explosion", "Confidence": 81.88, "Description": "Fireworks-related content"},
    {"Label": "sexual_partialNudity", "Confidence": 98.18, "Description": "Partial nudity or sexually suggestive content"},
    {"Label": "pt_programCode", "Confidence": 70.11, "Description": "mini program code"}], "Results": [
    {"Result": [{"Label": "violent_explosion", "Confidence": 81.88, "Description": "Fireworks-related content"},
                {"Label": "sexual_partialNudity", "Confidence": 98.18,
                 "Description": "Partial nudity or sexually suggestive content"}],
     "RiskLevel": "high", "Service": "baselineCheck"},
    {"Result": [{"Label": "pt_programCode", "Confidence": 70.11, "Description": "mini program code"}],
     "RiskLevel": "high", "Service": "tonalityImprove"}]}, "RequestId": "ABCD1234-2024-0307-8888-666ZHY"}

CLEAN = {"Msg": "OK", "Code": 200, "Data": {"DataId": "img123****", "RiskLevel": "none",
    "Result": [{"Label": "nonLabel", "Description": "No risks detected"}], "Results": [
    {"Result": [{"Label": "nonLabel", "Description": "No risks detected"}], "RiskLevel": "none", "Service": "baselineCheck"},
    {"Result": [{"Label": "nonLabel", "Description": "No risks detected"}], "RiskLevel": "none",
     "Service": "tonalityImprove"}]}, "RequestId": "ABCD1234-2024-0307-8888-666ZHY"}

EXEMPT = {"Msg": "OK", "Code": 200, "Data": {"DataId": "img123****", "RiskLevel": "none", "Result": [
    {"Label": "nonLabel_lib", "Confidence": 83.18, "Description": "Matched an image in the image exemption library"}],
    "Results": [{"Result": [{"Label": "nonLabel_lib", "Confidence": 83.18,
                             "Description": "Matched an image in the image exemption library"}],
                 "RiskLevel": "none", "Service": "baselineCheck"},
                {"Result": [{"Label": "nonLabel_lib", "Confidence": 83.18,
                             "Description": "Matched an image in the image exemption library"}],
                 "RiskLevel": "none", "Service": "tonalityImprove"}]},
    "RequestId": "ABCD1234-1234-1234-1234-1234XYZ"}
