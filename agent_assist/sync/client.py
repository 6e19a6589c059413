"""The hub's HTTP API (``docs/hub-api.md``) as typed calls.

TLS verification is always on; ``ca_bundle`` (the setting of the same name) adds a PEM file of
CAs for corporate TLS-inspecting proxies.  Plain ``http://`` is for a hub on this machine only:
to another machine it would carry the token in the clear, so :class:`HubClient` refuses it
(:class:`PlainHttpRefusedError`) unless the ``insecure_http`` setting allows it, and a signing
key learned over it is never pinned (:attr:`HubClient.trusted_transport`).  Every fault
becomes a :mod:`agent_assist.sync.errors` error: the network (:class:`HubUnreachableError`),
the token (:class:`AuthFailedError`), our request (:class:`HubRejectedError`), the hub or a
rate limit (:class:`HubFailedError`) or its reply (:class:`MalformedReplyError`).  The HTTP
client is injected so tests can pass a transport.
"""

from __future__ import annotations

import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from agent_assist import __version__
from agent_assist.core.errors import SyncError
from agent_assist.core.privacy import TeamKey, TeamSecretError
from agent_assist.sync import wire
from agent_assist.sync.errors import (
    AuthFailedError,
    HubFailedError,
    HubRejectedError,
    HubUnreachableError,
    MalformedReplyError,
)

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
STREAM_READ_TIMEOUT = 40.0
"""The hub sends a keep-alive comment every 15 s; silence longer than this means it is gone."""
MAX_EVENTS_PER_BATCH = 500


def normalize_url(url: str) -> str:
    """The hub's base URL as keys and requests use it: no trailing slash."""
    return url.strip().rstrip("/")


class PlainHttpRefusedError(SyncError):
    """A hub on another machine given as ``http://``: the token would travel in the clear."""


def is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    host = httpx.URL(url).host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def trusted_transport(url: str) -> bool:
    """HTTPS, or plain HTTP that never leaves this machine: what a signing key may be pinned
    from, and what a token may be sent over without the ``insecure_http`` setting."""
    return httpx.URL(url).scheme == "https" or is_loopback(url)


def plain_http_refusal(url: str, insecure_http: bool = False) -> str | None:
    """Why ``url`` must not be used (plain HTTP to another machine), or ``None``."""
    if insecure_http or trusted_transport(url):
        return None
    return (
        f"refusing plain http:// to the hub {url}: the token would cross the network in the "
        "clear (and the hub's signing key could not be trusted). Use https://; if this "
        "network is trusted, log in with 'agent-assist login --insecure-http' (or set the "
        "insecure_http setting)"
    )


def make_http(base_url: str, ca_bundle: str = "", timeout: httpx.Timeout = TIMEOUT) -> httpx.Client:
    """An HTTP client for the hub: verification on, system CAs plus ``ca_bundle`` if set."""
    try:
        context = ssl.create_default_context()
        if ca_bundle:
            context.load_verify_locations(cafile=ca_bundle)
    except (OSError, ssl.SSLError) as exc:
        raise HubUnreachableError(
            f"cannot load the CA bundle {ca_bundle} (setting ca_bundle): {exc}"
        ) from exc
    return httpx.Client(
        base_url=normalize_url(base_url),
        verify=context,
        timeout=timeout,
        headers={"User-Agent": f"agent-assist/{__version__}"},
        follow_redirects=False,
    )


class HubClient:
    """Calls of one hub with one token.  ``http`` must have the hub as its ``base_url``;
    plain HTTP to another machine raises :class:`PlainHttpRefusedError` unless
    ``insecure_http``."""

    def __init__(self, http: httpx.Client, token: str, *, insecure_http: bool = False) -> None:
        self.http = http
        self.base_url = str(http.base_url).rstrip("/")
        refusal = plain_http_refusal(self.base_url, insecure_http)
        if refusal is not None:
            http.close()
            raise PlainHttpRefusedError(refusal)
        self.trusted_transport = trusted_transport(self.base_url)
        """Whether a signing key learned here may be pinned (never over plain HTTP to
        another machine)."""
        self._auth = {"Authorization": f"Bearer {token}"}

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------------
    def _request(self, method: str, path: str, *, auth: bool = True, **kw: Any) -> httpx.Response:
        headers = {**(self._auth if auth else {}), **kw.pop("headers", {})}
        try:
            response = self.http.request(method, path, headers=headers, **kw)
        except httpx.TimeoutException as exc:
            raise HubUnreachableError(
                f"hub {self.base_url} did not answer {method} {path} in time ({exc})"
            ) from exc
        except httpx.TransportError as exc:
            raise HubUnreachableError(f"cannot reach the hub {self.base_url}: {_why(exc)}") from exc
        _raise_for_status(response, f"{method} {path}", self.base_url)
        return response

    def _json(self, method: str, path: str, **kw: Any) -> object:
        response = self._request(method, path, **kw)
        return _decode(response, f"{method} {path}")

    # -- calls -------------------------------------------------------------------------------
    def whoami(self) -> wire.Identity:
        return wire.parse_whoami(self._json("GET", "/v1/whoami"))

    def hub_key(self) -> wire.HubKey:
        return wire.parse_hub_key(self._json("GET", "/v1/hub-key", auth=False))

    def team_secret(self) -> TeamKey:
        """The team's current key for ticket hashes; an empty or malformed one is refused."""
        data = self._json("GET", "/v1/team/secret")
        fields = (data.get("key_id"), data.get("secret")) if isinstance(data, dict) else ()
        if len(fields) != 2 or not all(isinstance(f, str) for f in fields):
            raise MalformedReplyError("GET /v1/team/secret: expected key_id and secret strings")
        try:
            return TeamKey.from_hex(str(fields[0]), str(fields[1]), f"the hub {self.base_url}")
        except TeamSecretError as exc:
            raise MalformedReplyError(f"GET /v1/team/secret: {exc}") from exc

    def changes(self, since: int, *, limit: int = 500, etag: str = "") -> wire.ChangesPage | None:
        """One page of the feed after ``since``; None when ``etag`` is still current (304)."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._request(
            "GET", "/v1/changes", params={"since": since, "limit": limit}, headers=headers
        )
        if response.status_code == 304:
            return None
        data = _decode(response, "GET /v1/changes")
        return wire.parse_changes(data, since, response.headers.get("ETag", ""))

    def push_events(self, events: list[dict[str, Any]]) -> wire.PushResult:
        if len(events) > MAX_EVENTS_PER_BATCH:
            raise ValueError(f"at most {MAX_EVENTS_PER_BATCH} events per batch")
        return wire.parse_push(self._json("POST", "/v1/events", json={"events": events}))

    def ack(self, sop_id: str, version: int) -> None:
        self._request("POST", "/v1/acks", json={"sop_id": sop_id, "version": version})

    def feedback(self, pairs: list[dict[str, str]]) -> None:
        self._request("POST", "/v1/feedback", json={"pairs": pairs})

    def learned(self, since: int) -> tuple[list[wire.Learned], int]:
        return wire.parse_learned(self._json("GET", "/v1/learned", params={"since": since}))

    def publish(self, payload: Mapping[str, Any]) -> wire.PublishResult:
        return wire.parse_publish(self._json("POST", "/v1/publish", json=payload))

    def stream(self, stop: threading.Event) -> Iterator[int]:
        """Cursors announced by the hub's Server-Sent Events stream, as they come.

        Ends when ``stop`` is set (checked after each line; the hub sends a keep-alive every
        15 s) or raises HubUnreachableError when the stream breaks.
        """
        timeout = httpx.Timeout(TIMEOUT.connect or 5.0, read=STREAM_READ_TIMEOUT)
        headers = {**self._auth, "Accept": "text/event-stream"}
        try:
            with self.http.stream("GET", "/v1/stream", headers=headers, timeout=timeout) as resp:
                _raise_for_status(resp, "GET /v1/stream", self.base_url, streamed=True)
                yield from _sse_cursors(resp.iter_lines(), stop)
        except httpx.TimeoutException as exc:
            raise HubUnreachableError(f"hub {self.base_url}: change stream went silent") from exc
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise HubUnreachableError(
                f"hub {self.base_url}: change stream broke: {_why(exc)}"
            ) from exc


def _sse_cursors(lines: Iterator[str], stop: threading.Event) -> Iterator[int]:
    """Parse SSE lines: yield the cursor of each ``changes`` event; ignore comments and other
    events (the format allows the hub to add some)."""
    event, data = "", list[str]()
    for line in lines:
        if stop.is_set():
            return
        if not line:
            if event in ("", "changes") and data:
                try:
                    cursor = json.loads("\n".join(data)).get("cursor")
                except (ValueError, AttributeError):
                    cursor = None
                if isinstance(cursor, int) and not isinstance(cursor, bool):
                    yield cursor
            event, data = "", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))


def _why(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return (
            f"{text} (the hub's TLS certificate is not trusted: if a corporate proxy inspects "
            "TLS, set ca_bundle to its CA certificate file)"
        )
    return text


def _decode(response: httpx.Response, what: str) -> object:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedReplyError(f"{what}: the hub's reply is not JSON ({exc})") from exc


def _raise_for_status(
    response: httpx.Response, what: str, base_url: str, *, streamed: bool = False
) -> None:
    status = response.status_code
    if status < 400 and status not in (301, 302, 303, 307, 308):
        return
    if streamed:
        response.read()
    try:
        body: object = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    message, problems = wire.parse_error(body)
    detail = f": {message}" if message else ""
    if status in (401, 403):
        hint = (
            "log in again with 'agent-assist login'"
            if status == 401
            else "your token's role may not do this"
        )
        raise AuthFailedError(f"hub {base_url} refused {what} ({status}{detail}); {hint}", status)
    if status >= 500:
        raise HubFailedError(f"hub {base_url} failed on {what} ({status}{detail}); try later")
    if status == 429:
        wait = response.headers.get("Retry-After", "a while")
        raise HubFailedError(
            f"hub {base_url} is limiting {what} ({status}{detail}); retry in {wait} s"
        )
    if status < 400:
        where = response.headers.get("Location", "?")
        raise HubRejectedError(
            f"hub {base_url} redirected {what} to {where}; set hub_url to the final address",
            status,
        )
    raise HubRejectedError(f"hub {base_url} rejected {what} ({status}{detail})", status, problems)
