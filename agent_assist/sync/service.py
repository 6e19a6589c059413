"""Sync with the team hub: one blocking round (:func:`sync_once`) and the background loop
(:func:`listen_for_changes`).  No Qt: the app runs the loop on a thread of its own
(:mod:`agent_assist.app.live`), the ``sync`` command runs one round.

A round pulls the change feed (each page applied with its cursor in one transaction, see
:mod:`agent_assist.sync.pull`), then pushes the event outbox, acknowledgements and feedback
(:mod:`agent_assist.sync.push`), then fetches the phrasings the team taught the hub.  Offline
is a normal state: network faults never raise, they become :attr:`SyncState.OFFLINE` with a
message, and the next round resumes where this one stopped, after an outage of any length.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from agent_assist.core.cache.store import Store
from agent_assist.core.settings import Settings
from agent_assist.core.worklog.events import EventLog
from agent_assist.sync import killpoints
from agent_assist.sync.backoff import Backoff
from agent_assist.sync.client import HubClient, make_http, normalize_url, plain_http_refusal
from agent_assist.sync.credentials import TOKEN_ENV, Credentials, TeamKeys, process_credentials
from agent_assist.sync.errors import (
    AuthFailedError,
    HubFailedError,
    HubRejectedError,
    HubUnreachableError,
    MalformedReplyError,
)
from agent_assist.sync.pull import PullResult, pull
from agent_assist.sync.push import (
    PushResult,
    pull_learned,
    push_acks,
    push_events,
    push_feedback,
)
from agent_assist.sync.report import ListenState as ListenState  # re-exported: callers' home
from agent_assist.sync.report import Problem as Problem
from agent_assist.sync.report import SyncReport as SyncReport
from agent_assist.sync.report import SyncState as SyncState

log = logging.getLogger(__name__)
HttpFactory = Callable[[str, str], httpx.Client]
"""``(hub_url, ca_bundle) -> httpx.Client`` with the hub as base URL."""


@dataclass
class SyncDetails:
    """Everything a round did, for ``agent-assist sync --json`` and logs."""

    hub_url: str = ""
    agent: str = ""
    changed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    pages: int = 0
    pushed: int = 0
    duplicates: int = 0
    rejected: int = 0
    acks: int = 0
    feedback: int = 0
    learned: int = 0
    pending: int = 0
    key_pinned: str = ""
    warning: str | None = None

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def sync_once(
    data_dir: Path,
    settings: Settings,
    *,
    credentials: Credentials | None = None,
    hub_url: str | None = None,
    http_factory: HttpFactory = make_http,
    clock: Callable[[], dt.datetime] = _now,
) -> SyncReport:
    """One blocking sync round; never raises for network faults (see :class:`SyncState`).

    ``hub_url`` overrides the ``hub_url`` setting; ``credentials`` defaults to this process's
    (keyring, ``AGENT_ASSIST_TOKEN``, or a token kept in memory).  Faults of the local disk
    (:class:`~agent_assist.core.errors.StoreError`) are raised: they are not sync's to hide.
    """
    return run_sync(
        data_dir,
        settings,
        credentials=credentials,
        hub_url=hub_url,
        http_factory=http_factory,
        clock=clock,
    )[0]


def run_sync(
    data_dir: Path,
    settings: Settings,
    *,
    credentials: Credentials | None = None,
    hub_url: str | None = None,
    http_factory: HttpFactory = make_http,
    clock: Callable[[], dt.datetime] = _now,
) -> tuple[SyncReport, SyncDetails]:
    """:func:`sync_once` with the details of what was done."""
    creds = credentials or process_credentials()
    url = normalize_url(hub_url or settings.hub_url)
    details = SyncDetails(hub_url=url, warning=creds.warning)

    def report(
        state: SyncState, error: str | None = None, problem: Problem | None = None
    ) -> tuple[SyncReport, SyncDetails]:
        at = clock()
        done = SyncReport(state, details.changed, details.pushed, at, error, problem, url)
        return done, details

    if not url:
        return report(SyncState.NOT_CONFIGURED, "no hub configured (setting hub_url)")
    token = creds.get(url)
    if not token:
        return report(
            SyncState.AUTH_FAILED,
            f"no token for the hub {url}: run 'agent-assist login --hub {url}'"
            + (f" or set {TOKEN_ENV}" if not creds.has_keyring else ""),
            Problem.NO_TOKEN,
        )
    refusal = plain_http_refusal(url, settings.insecure_http)
    if refusal is not None:
        return report(SyncState.NOT_CONFIGURED, refusal)
    try:
        insecure = settings.insecure_http
        client = HubClient(http_factory(url, settings.ca_bundle), token, insecure_http=insecure)
        with client, Store.in_dir(data_dir) as store, EventLog.in_dir(data_dir) as events:
            try:
                _round(client, store, events, creds.team_keys(data_dir), details, clock)
            finally:
                details.pending = events.unpushed_count()
    except (HubUnreachableError, HubFailedError) as exc:
        log.info("sync with %s: offline: %s", url, exc)
        down = isinstance(exc, HubUnreachableError)
        return report(
            SyncState.OFFLINE, str(exc), Problem.UNREACHABLE if down else Problem.HUB_FAILED
        )
    except AuthFailedError as exc:
        log.warning("sync with %s: %s", url, exc)
        refused = Problem.ROLE_REFUSED if exc.status == 403 else Problem.TOKEN_REFUSED
        return report(SyncState.AUTH_FAILED, str(exc), refused)
    except (MalformedReplyError, HubRejectedError) as exc:
        log.error("sync with %s: %s", url, exc)
        return report(SyncState.ONLINE, str(exc), Problem.REFUSED)
    log.info(
        "sync with %s: %d changed, %d events pushed, %d pending",
        url,
        len(details.changed),
        details.pushed,
        details.pending,
    )
    return report(SyncState.ONLINE)


def _round(
    client: HubClient,
    store: Store,
    events: EventLog,
    keys: TeamKeys,
    details: SyncDetails,
    clock: Callable[[], dt.datetime],
) -> None:
    identity = client.whoami()
    details.agent = identity.name
    state = store.hub_state(client.base_url)
    if not state.public_key and not client.trusted_transport:
        log.warning(
            "not pinning the signing key of the hub %s: it would come over plain HTTP from "
            "another machine (use https:// to verify signed offline packs)",
            client.base_url,
        )
    elif not state.public_key:
        key = client.hub_key()
        store.pin_hub_key(client.base_url, key.algorithm, key.public_key, key.fingerprint)
        details.key_pinned = key.fingerprint
        log.warning(
            "pinned the signing key of the hub %s: ed25519 fingerprint %s (compare it with "
            "the fingerprint the hub publishes at %s/v1/hub-key, which "
            "'agent-assist-hub export-pack' also prints)",
            client.base_url,
            key.fingerprint,
            client.base_url,
        )
    pulled = PullResult(details.changed, details.skipped)
    pull(
        client,
        store,
        before_commit=lambda n: killpoints.reached(f"before-commit-page-{n}"),
        after_page=lambda n: killpoints.reached(f"after-page-{n}"),
        result=pulled,
    )
    details.pages = pulled.pages
    now = clock().astimezone(dt.UTC).isoformat(timespec="seconds")
    team_key = keys.refresh(client)  # the team's key, so hashes match across workstations
    pushed = PushResult()
    try:
        push_events(
            client,
            events,
            identity.name,
            team_key,
            now,
            before_mark=lambda n: killpoints.reached(f"before-mark-push-{n}"),
            after_batch=lambda n: killpoints.reached(f"after-push-{n}"),
            result=pushed,
        )
    finally:  # batches marked before a failure count
        details.pushed, details.duplicates = pushed.events, pushed.duplicates
        details.rejected = pushed.rejected
    details.acks = push_acks(client, events, now)
    details.feedback = push_feedback(client, store)
    details.learned = pull_learned(client, store)


POLL_SECONDS = 60.0
"""How often the loop tries again when the stream cannot help (no hub, no token, no stream)."""


StateHook = Callable[[ListenState, float | None], None]
"""``(state, seconds until the next try or None)``, called on the loop's thread."""


def listen_for_changes(
    data_dir: Path,
    settings: Settings | Callable[[], Settings],
    stop: threading.Event,
    on_report: Callable[[SyncReport], None],
    *,
    credentials: Credentials | None = None,
    http_factory: HttpFactory = make_http,
    backoff: Backoff | None = None,
    wait: Callable[[float], object] | None = None,
    poll_seconds: float = POLL_SECONDS,
    on_state: StateHook | None = None,
    interrupted: Callable[[], bool] | None = None,
) -> None:
    """Keep the cache in step with the hub until ``stop`` is set (run it on its own thread).

    Each round calls ``on_report`` (on this thread).  While online it holds the hub's change
    stream open and syncs as soon as a newer cursor is announced (a publish reaches the agent
    in well under 2 s); when the hub is away it retries with exponential backoff and jitter;
    when it cannot help (no hub, no token, stream unsupported) it tries again every
    ``poll_seconds``.  ``wait(seconds)`` defaults to ``stop.wait`` so a stop is immediate;
    tests inject both it and ``backoff``.

    ``settings`` may be a function, called before every round, so a hub set while the loop
    runs is used at once.  ``on_state`` hears what the loop is doing (:class:`ListenState`).
    ``interrupted()``, when given, is polled while the stream is open (every 0.25 s) and ends
    it when true, so the caller can ask for a round now (a "sync now", a new hub or token);
    an injected ``wait`` should end early on it too.
    """
    creds = credentials or process_credentials()
    backoff = backoff or Backoff()
    wait = wait or stop.wait

    def current() -> Settings:
        return settings if isinstance(settings, Settings) else settings()

    def pause(state: ListenState, seconds: float) -> None:
        if on_state is not None:
            on_state(state, seconds)
        wait(seconds)

    def opened() -> None:
        backoff.reset()  # the hub is healthy: a later break starts again from a short delay
        if on_state is not None:
            on_state(ListenState.LIVE, None)

    while not stop.is_set():
        now = current()
        if on_state is not None and now.hub_url:
            on_state(ListenState.CONNECTING, None)
        report = sync_once(data_dir, now, credentials=creds, http_factory=http_factory)
        on_report(report)
        if stop.is_set():
            return
        if report.state in (SyncState.NOT_CONFIGURED, SyncState.AUTH_FAILED):
            pause(ListenState.WAITING, poll_seconds)
            continue
        if report.state is SyncState.OFFLINE:
            pause(ListenState.OFFLINE, backoff.next_delay())
            continue
        try:
            _wait_for_notice(
                data_dir, now, creds, http_factory, stop, opened=opened, interrupted=interrupted
            )
        except (HubUnreachableError, HubFailedError) as exc:
            log.info("change stream: %s", exc)
            pause(ListenState.OFFLINE, backoff.next_delay())
        except (HubRejectedError, MalformedReplyError) as exc:
            log.warning("change stream unavailable (%s); polling every %s s", exc, poll_seconds)
            backoff.reset()  # the hub answers, it just has no stream
            pause(ListenState.POLLING, poll_seconds)
        except AuthFailedError:
            continue  # the next round reports it


def _wait_for_notice(
    data_dir: Path,
    settings: Settings,
    creds: Credentials,
    http_factory: HttpFactory,
    stop: threading.Event,
    *,
    opened: Callable[[], None] | None = None,
    interrupted: Callable[[], bool] | None = None,
) -> None:
    """Block until the hub announces a cursor beyond ours, the stream ends, ``stop`` is set or
    ``interrupted()`` is true.  ``opened()`` is called when the hub's first announcement (the
    current cursor, sent on connect) arrives."""
    url = normalize_url(settings.hub_url)
    with Store.in_dir(data_dir) as store:
        cursor = store.hub_state(url).cursor
    http = http_factory(url, settings.ca_bundle)
    streams: list[object] = []
    hooks = http.event_hooks
    keep = streams.append  # each response's connection, to cut it when the stream must end
    http.event_hooks = {**hooks, "response": [*hooks.get("response", []), keep]}
    client = HubClient(http, creds.get(url) or "", insecure_http=settings.insecure_http)
    done = threading.Event()

    def ended() -> bool:
        return stop.is_set() or (interrupted is not None and interrupted())

    def close_when_ended() -> None:  # unblocks a read waiting for the next keep-alive
        while not done.is_set():
            if stop.wait(0.25) or ended():
                for response in streams:
                    _cut(response)
                client.close()
                return

    watcher = threading.Thread(target=close_when_ended, name="sync-stream-stop", daemon=True)
    watcher.start()
    first = True
    try:
        for announced in client.stream(stop):
            if first and opened is not None:
                opened()
            first = False
            if announced > cursor:
                return
    except (HubUnreachableError, RuntimeError):
        # closing the client on stop breaks the read (or refuses a request about to start)
        if not ended():
            raise
    finally:
        done.set()
        client.close()


def _cut(response: object) -> None:
    """Shut down the socket under a streamed response: closing the client alone does not wake
    a thread blocked reading it (on Linux), which would wait for the hub's next keep-alive."""
    extensions = getattr(response, "extensions", {})
    stream = extensions.get("network_stream") if isinstance(extensions, dict) else None
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):  # already closed: nothing to wake
            sock.shutdown(socket.SHUT_RDWR)
