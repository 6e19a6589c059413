"""The one HTTP client every connector uses: verified TLS, timeouts, bounded retries.

Faults of the world become :mod:`.base` errors with one-line messages naming the tool, the
method and the URL path:

* connection failures and timeouts are retried with exponential backoff, then raise
  :class:`ConnectorOfflineError` (offline is a normal state for the app);
* 5xx replies are retried the same way, but only for idempotent methods: a ``POST`` that
  reached the tool may have been carried out, and posting a reply twice to a customer is worse
  than telling the agent it may not have gone out (connection *failures* are retried for every
  method, since nothing was sent);
* 429 is retried after the tool's ``Retry-After`` (seconds or an HTTP date), for as long as
  the whole call stays within :attr:`HttpClient.retry_budget` seconds, then raises
  :class:`ConnectorRateLimitedError`;
* 401/403 raise :class:`ConnectorAuthError`, 404 :class:`TicketNotFoundError`;
* a reply body larger than :attr:`HttpClient.max_bytes` is cut off and refused.

Logging: method, path (no query string, and any segment holding an ``@`` — an e-mail
address — masked) and status, never a body or a header.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from agent_assist.connectors.base import (
    ConnectorAuthError,
    ConnectorError,
    ConnectorOfflineError,
    ConnectorRateLimitedError,
    TicketNotFoundError,
)

log = logging.getLogger(__name__)

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
_FRAMING = frozenset({"content-encoding", "content-length", "transfer-encoding"})
MAX_BYTES = 8 * 1024 * 1024
"""The largest reply body read (a ticket with its attachments' text is far smaller)."""


def loggable_path(url: str) -> str:
    """``url``'s path, fit for a log line or an error: no query string, no host, and any
    segment with an ``@`` (an e-mail address in a user URL) masked."""
    path = urlsplit(url).path or "/"
    return "/".join("<email>" if "@" in part else part for part in path.split("/"))


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """A ``Retry-After`` header as seconds to wait (None when absent or unreadable)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class HttpClient:
    """One tool's HTTP session.  ``base_url`` ends where the API's paths begin; ``headers``
    carry the tool's authentication.  ``transport`` and ``sleep`` are for tests (an
    ``httpx.MockTransport``, a sleep that records instead of waiting)."""

    def __init__(
        self,
        tool: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        attempts: int = 3,
        backoff: float = 0.5,
        retry_budget: float = 30.0,
        max_bytes: int = MAX_BYTES,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.tool = tool
        self.base_url = base_url.rstrip("/")
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.retry_budget = retry_budget
        self.max_bytes = max_bytes
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=self.base_url,
            headers={"Accept": "application/json", **(headers or {})},
            auth=auth,
            timeout=timeout,
            verify=True,
            follow_redirects=False,
            transport=transport,
        )

    @property
    def cookies(self) -> httpx.Cookies:
        """The session's cookies (RT's web-session cookie lives here)."""
        return self._client.cookies

    def close(self) -> None:
        self._client.close()

    # -- calls -------------------------------------------------------------------------------
    def json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Any = None,
    ) -> Any:
        """Send a JSON ``body`` (if any) and return the reply's JSON (None for an empty one)."""
        response = self.request(method, path, params=params, json_body=body)
        if not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            raise ConnectorError(
                f"{self.tool}: {method} {loggable_path(str(response.url))} returned "
                f"{response.status_code} with a body that is not JSON"
            ) from None

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        ok_statuses: frozenset[int] = frozenset(),
    ) -> httpx.Response:
        """One call with the retry rules above; returns a 2xx reply (or one whose status is in
        ``ok_statuses``), its body read in full."""
        method = method.upper()
        started = time.monotonic()
        where = f"{self.tool}: {method} {loggable_path(self.base_url + path)}"
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(method, path, params, json_body, form)
            except httpx.TransportError as exc:
                sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if attempt < self.attempts and (not sent or method in IDEMPOTENT):
                    self._sleep(self._delay(attempt))
                    continue
                raise ConnectorOfflineError(
                    f"{where} failed: {type(exc).__name__} ({self._describe(exc)}); "
                    "the tool is unreachable, try again later"
                ) from None
            status = response.status_code
            log.info("%s %s -> %s", method, loggable_path(str(response.url)), status)
            if status < 300 or status in ok_statuses:
                return response
            if status == 429:
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                wait = self._delay(attempt) if wait is None else wait
                if time.monotonic() - started + wait <= self.retry_budget:
                    self._sleep(wait)
                    continue
                raise ConnectorRateLimitedError(
                    f"{where}: the tool limits the request rate (429, retry after "
                    f"{wait:.0f} s); try again later"
                )
            if status >= 500 and method in IDEMPOTENT and attempt < self.attempts:
                self._sleep(self._delay(attempt))
                continue
            raise self._error(where, status)

    # -- helpers -----------------------------------------------------------------------------
    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        json_body: Any,
        form: Mapping[str, str] | None,
    ) -> httpx.Response:
        request = self._client.build_request(method, path, params=params, json=json_body, data=form)
        response = self._client.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise ConnectorError(
                        f"{self.tool}: {method} {loggable_path(str(request.url))} returned "
                        f"more than {self.max_bytes} bytes; refused"
                    )
                chunks.append(chunk)
        finally:
            response.close()
        headers = [  # the body below is already decoded and whole
            (k, v) for k, v in response.headers.multi_items() if k.lower() not in _FRAMING
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=b"".join(chunks),
            request=request,
        )

    def _delay(self, attempt: int) -> float:
        return float(self.backoff * 2 ** (attempt - 1))

    @staticmethod
    def _describe(exc: httpx.TransportError) -> str:
        text = str(exc).strip()
        return text[:200] if text else "no detail"

    def _error(self, where: str, status: int) -> ConnectorError:
        if status == 401:
            return ConnectorAuthError(
                f"{where}: the tool refused the credentials (401); run "
                f"'agent-assist connect {self.tool}' again with a valid token"
            )
        if status == 403:
            return ConnectorAuthError(
                f"{where}: the user lacks a right for this (403); see docs/connectors.md "
                "for the rights an agent needs"
            )
        if status == 404:
            return TicketNotFoundError(f"{where}: not found (404)")
        return ConnectorError(f"{where}: the tool answered {status}")
