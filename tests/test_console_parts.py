"""Small pure parts of the console, checked without a browser."""

from __future__ import annotations

import pytest

from office.devices import hub_address
from office.inbox import short


@pytest.mark.parametrize(("page_url", "hub"), [
    ("ws://127.0.0.1:8551/office/ws", "http://127.0.0.1:8551"),
    ("wss://hub.example.jp:8443/office/ws", "https://hub.example.jp:8443"),
    ("https://hub.example.jp/office/", "https://hub.example.jp"),
    ("http://10.0.0.5:8551/office?x=1#top", "http://10.0.0.5:8551"),
])
def test_the_hub_address_for_tablets_is_the_one_the_browser_used(page_url: str, hub: str
                                                                  ) -> None:
    assert hub_address(page_url) == hub


def test_chips_show_the_label_without_its_explanation() -> None:
    assert short("見守り（次回訪問時に確認）") == "見守り"
    assert short("High (same or next business day)") == "High"
    assert short("DV") == "DV"
