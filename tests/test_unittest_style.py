"""modmock.serve() in a plain unittest.TestCase, no pytest fixtures involved."""

from __future__ import annotations

import json
import unittest
import urllib.request

import modmock


class ModerationClientTest(unittest.TestCase):
    mock: modmock.MockServer

    @classmethod
    def setUpClass(cls) -> None:
        cls.mock = modmock.serve("deepcleer")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.mock.stop()

    def setUp(self) -> None:
        self.mock.reset()

    def _moderate(self, img: str) -> dict:
        body = json.dumps({"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "EROTIC",
                           "data": {"img": img, "tokenId": "u1"}}).encode()
        request = urllib.request.Request(self.mock.url + "/image/v4", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as resp:
            return json.load(resp)

    def test_risky(self) -> None:
        self.assertEqual(self._moderate("https://cdn.example.com/nude/1.jpg")["riskLevel"], "REJECT")
        self.mock.assert_called("image_v4", times=1)

    def test_outage(self) -> None:
        self.mock.fail_next(1903)
        self.assertEqual(self._moderate("https://cdn.example.com/a.jpg")["code"], 1903)
        self.mock.assert_all_requests_valid()


if __name__ == "__main__":
    unittest.main()
