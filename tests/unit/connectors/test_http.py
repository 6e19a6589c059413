"""The shared HTTP client: retries, Retry-After, error mapping, bounds, what it logs."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest

from agent_assist.connectors.base import (
    ConnectorAuthError,
    ConnectorError,
    ConnectorOfflineError,
    ConnectorRateLimitedError,
    TicketNotFoundError,
)
from agent_assist.connectors.http import HttpClient, loggable_path, retry_after_seconds

Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler, **options: object) -> tuple[HttpClient, list[float]]:
    slept: list[float] = []
    http = HttpClient(
        "rt",
        "https://rt.example.test",
        transport=httpx.MockTransport(handler),
        sleep=slept.append,
        **options,  # type: ignore[arg-type]
    )
    return http, slept


def replies(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering with ``responses`` in turn, recording the requests."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = responses[min(len(seen), len(responses)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


def test_a_5xx_on_a_get_is_retried_with_exponential_backoff() -> None:
    handler, seen = replies(httpx.Response(502), httpx.Response(503), httpx.Response(200, json={}))
    http, slept = client(handler)
    assert http.json("GET", "/x") == {}
    assert len(seen) == 3 and slept == [0.5, 1.0]


def test_a_5xx_on_a_post_is_not_retried_since_it_may_have_been_carried_out() -> None:
    handler, seen = replies(httpx.Response(500), httpx.Response(201))
    http, slept = client(handler)
    with pytest.raises(ConnectorError, match=r"rt: POST /x: the tool answered 500"):
        http.request("POST", "/x", json_body={"Content": "hello"})
    assert len(seen) == 1 and slept == []


def test_a_connection_failure_is_retried_for_every_method_then_is_offline() -> None:
    handler, seen = replies(httpx.ConnectError("refused"))
    http, slept = client(handler)
    with pytest.raises(ConnectorOfflineError, match=r"rt: POST /ticket/1/correspond failed"):
        http.request("POST", "/ticket/1/correspond")
    assert len(seen) == 3 and slept == [0.5, 1.0]


def test_a_read_timeout_on_a_post_is_not_retried() -> None:
    handler, seen = replies(httpx.ReadTimeout("slow"))
    http, _ = client(handler)
    with pytest.raises(ConnectorOfflineError):
        http.request("POST", "/x")
    assert len(seen) == 1


def test_429_waits_for_retry_after_then_succeeds() -> None:
    handler, seen = replies(
        httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json=[1])
    )
    http, slept = client(handler)
    assert http.json("POST", "/x", body={}) == [1]
    assert slept == [7.0] and len(seen) == 2


def test_429_beyond_the_retry_budget_is_a_rate_limit_error_without_waiting() -> None:
    handler, seen = replies(httpx.Response(429, headers={"Retry-After": "120"}))
    http, slept = client(handler, retry_budget=30.0)
    with pytest.raises(ConnectorRateLimitedError, match=r"429, retry after 120 s"):
        http.request("GET", "/tickets")
    assert slept == [] and len(seen) == 1


def test_retry_after_as_an_http_date() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (401, ConnectorAuthError, "refused the credentials"),
        (403, ConnectorAuthError, "lacks a right"),
        (404, TicketNotFoundError, "not found"),
        (400, ConnectorError, "answered 400"),
    ],
)
def test_statuses_map_to_errors_naming_tool_and_path(
    status: int, error: type[Exception], words: str
) -> None:
    handler, seen = replies(httpx.Response(status, text="customer wrote: my card 4111"))
    http, slept = client(handler)
    with pytest.raises(error) as raised:
        http.request("GET", "/ticket/9?x=secret")
    text = str(raised.value)
    assert text.startswith("rt: GET /ticket/9") and words in text
    assert "secret" not in text and "4111" not in text
    assert len(seen) == 1 and slept == []


def test_a_reply_larger_than_the_bound_is_refused() -> None:
    handler, _ = replies(httpx.Response(200, content=b"x" * 5000))
    http, _ = client(handler, max_bytes=4096)
    with pytest.raises(ConnectorError, match="more than 4096 bytes"):
        http.request("GET", "/big")


def test_a_gzip_body_is_decoded_once() -> None:
    import gzip

    body = gzip.compress(b'{"ok": true}')
    handler, _ = replies(httpx.Response(200, content=body, headers={"Content-Encoding": "gzip"}))
    http, _ = client(handler)
    assert http.json("GET", "/z") == {"ok": True}


def test_only_method_path_and_status_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    handler, _ = replies(httpx.Response(200, json={"Content": "Hi, I am Maria"}))
    http, _ = client(handler)
    with caplog.at_level(logging.DEBUG, logger="agent_assist.connectors.http"):
        http.json("GET", "/user/maria@example.com", params={"q": "Maria"})
    assert caplog.messages == ["GET /user/<email> -> 200"]


def test_loggable_path_masks_addresses_and_drops_queries() -> None:
    assert loggable_path("https://h/REST/2.0/user/a@b.c?x=1") == "/REST/2.0/user/<email>"
