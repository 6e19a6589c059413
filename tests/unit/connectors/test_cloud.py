"""The helpers the Zendesk, Freshdesk and Zammad connectors share (connectors/cloud.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from agent_assist.connectors.base import ConnectorError, TicketNotFoundError
from agent_assist.connectors.cloud import (
    BoundedCache,
    display_name,
    numeric_id,
    parse_time,
    same_tool_path,
    text_to_html,
)


@pytest.mark.parametrize(("given", "expected"), [("123", "123"), (" 7 ", "7"), ("zammad:42", "42")])
def test_numeric_id_accepts_numbers(given: str, expected: str) -> None:
    assert numeric_id("zammad", given) == expected


@pytest.mark.parametrize("given", ["", "abc", "1/../2", "12?x=1", "rt:5", "1" * 19, "-3"])
def test_numeric_id_refuses_anything_else(given: str) -> None:
    with pytest.raises(TicketNotFoundError, match=r"^zammad: .* is not a ticket id"):
        numeric_id("zammad", given)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-02T09:01:00Z", dt.datetime(2026, 3, 2, 9, 1, tzinfo=dt.UTC)),
        ("2021-11-03T11:51:13.790Z", dt.datetime(2021, 11, 3, 11, 51, 13, 790000, tzinfo=dt.UTC)),
        ("2026-03-02T10:01:00+01:00", dt.datetime(2026, 3, 2, 9, 1, tzinfo=dt.UTC)),
    ],
)
def test_parse_time_gives_aware_utc(value: str, expected: dt.datetime) -> None:
    parsed = parse_time("zendesk", value)
    assert parsed == expected and parsed.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("value", [None, "", "yesterday", 12])
def test_parse_time_refuses_garbage(value: object) -> None:
    with pytest.raises(ConnectorError, match=r"^zendesk: "):
        parse_time("zendesk", value)


@pytest.mark.parametrize(
    ("base", "link", "expected"),
    [
        (
            "https://a.zendesk.com",
            "https://a.zendesk.com/api/v2/x.json?page=2",
            "/api/v2/x.json?page=2",
        ),
        ("https://A.zendesk.com", "https://a.zendesk.com/api/v2/x.json", "/api/v2/x.json"),
        ("https://h/zammad", "https://h/zammad/api/v1/x?page=2", "/api/v1/x?page=2"),
        ("https://h", "/api/v2/x?page=3", "/api/v2/x?page=3"),
    ],
)
def test_next_page_links_back_to_the_tool_are_followed(base: str, link: str, expected: str) -> None:
    assert same_tool_path("t", base, link) == expected


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/api/v2/x.json",
        "http://a.zendesk.com/api/v2/x.json",  # TLS downgrade
        "https://a.zendesk.com:8443/api/v2/x.json",
    ],
)
def test_next_page_links_elsewhere_are_refused(link: str) -> None:
    with pytest.raises(ConnectorError, match="another host"):
        same_tool_path("zendesk", "https://a.zendesk.com", link)


def test_next_page_link_outside_the_api_prefix_is_refused() -> None:
    with pytest.raises(ConnectorError, match="leaves its API"):
        same_tool_path("zammad", "https://h/zammad", "https://h/other/api/v1/x")


def test_text_to_html_escapes_and_keeps_lines() -> None:
    assert text_to_html("Hi <b>Ana</b>,\nline 2\n\n\nBye & thanks") == (
        "<p>Hi &lt;b&gt;Ana&lt;/b&gt;,<br>line 2</p><p>Bye &amp; thanks</p>"
    )
    assert text_to_html("") == ""


@pytest.mark.parametrize(
    ("sender", "name"),
    [
        ("Maria Lopez <maria@example.com>", "Maria Lopez"),
        ('"Lopez, Maria" <maria@example.com>', "Lopez, Maria"),
        ("<maria@example.com>", "maria@example.com"),
        ("maria@example.com", "maria@example.com"),
    ],
)
def test_display_name(sender: str, name: str) -> None:
    assert display_name(sender) == name


def test_bounded_cache_forgets_the_least_recently_used() -> None:
    cache: BoundedCache[int, str] = BoundedCache(size=2)
    cache.put(1, "a")
    cache.put(2, "b")
    assert cache.get(1) == "a"  # 2 is now the least recently used
    cache.put(3, "c")
    assert (1 in cache, 2 in cache, 3 in cache) == (True, False, True)
