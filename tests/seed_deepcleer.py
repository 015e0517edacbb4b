"""The examples printed in seed 004 (Deepcleer image v4), as the vendor documents them."""

REQUEST = {
    "accessKey": "xxxx",
    "appId": "default",
    "callback": "http://callback.xx",
    "data": {"img": "http://xxxxxxxxxxx.jpg", "tokenId": "username123"},
    "eventId": "default",
    "type": "xxxxx",
}

RESPONSE = {"code": 1100, "message": "Success", "requestId": "69dbc1f81dc5c914b1f1b8a267fb9ec1"}

CALLBACK = {
    "allLabels": [{
        "probability": 0.922851562500734,
        "riskDescription": "Terrorism:Terrorism Scene:Bloody",
        "riskDetail": {"ocrText": {"text": "Cervical curvature: Normal thoracic curvature"}, "riskSource": 1002},
        "riskLabel1": "violence", "riskLabel2": "baokongchangjing", "riskLabel3": "xuexing", "riskLevel": "REJECT",
    }],
    "auxInfo": {"segments": 1, "typeVersion": {
        "BAN": "1002106.1", "MINOR": "2014055.1", "OCR": "2001038.1", "POLITICS": "2014055.1",
        "PORN": "3058001.1", "VIOLENCE": "2013019.1"}},
    "businessLabels": [
        {"businessDescription": "Face:Gender:Male",
         "businessDetail": {"face_ratio": 0.00106996833346784, "faces": [{
             "face_ratio": 0.00106996833346784, "id": "35da33429897372017bb7ad7c7302693",
             "location": [228, 588, 256, 622], "name": "", "probability": 0.967536687850952}],
             "location": [228, 588, 256, 622], "name": "", "probability": 0.967536687850952},
         "businessLabel1": "face", "businessLabel2": "gender", "businessLabel3": "male", "confidenceLevel": 2,
         "probability": 0.967536687850952},
        {"businessDescription": "Face:Face Type:Real Person",
         "businessDetail": {"face_num": 1, "face_ratio": 0.00106996833346784, "faces": [{
             "face_ratio": 0.00106996833346784, "id": "35da33429897372017bb7ad7c7302693",
             "location": [228, 588, 256, 622], "name": "Huang Daqian", "probability": 0.541935835649002}],
             "location": [228, 588, 256, 622], "name": "Huang Daqian", "probability": 0.541935835649002},
         "businessLabel1": "face", "businessLabel2": "renlianleixing", "businessLabel3": "zhenren",
         "confidenceLevel": 2, "probability": 0.996093758527634},
        {"businessDescription": "Face:Face Pose:Frontal Face", "businessDetail": {}, "businessLabel1": "face",
         "businessLabel2": "renlianzitai", "businessLabel3": "zhenglian", "confidenceLevel": 1,
         "probability": 0.450656906102068},
    ],
    "code": 1100, "finalResult": 1, "message": "Success", "requestId": "7cf340c0910b768e6904b342b908a4f0",
    "resultType": 0, "riskDescription": "Terrorism:Terrorism Scene:Bloody",
    "riskDetail": {"ocrText": {"text": "Cervical curvature: Normal thoracic curvature"}, "riskSource": 1002},
    "riskLabel1": "violence", "riskLabel2": "baokongchangjing", "riskLabel3": "xuexing", "riskLevel": "REJECT",
    "riskSource": 1002, "tokenLabels": {"UGC_account_risk": {}},
}
