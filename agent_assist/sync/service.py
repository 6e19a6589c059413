"""Sync with the team hub: one blocking round (:func:`sync_once`) and the background loop
(:func:`listen_for_changes`).  No Qt: the UI runs these through its background-work path.

A round pulls the change feed (each page applied with its cursor in one transaction, see
:mod:`agent_assist.sync.pull`), then pushes the event outbox, acknowledgements and feedback
(:mod:`agent_assist.sync.push`), then fetches the phrasings the team taught the hub.  Offline
is a normal state: network faults never raise, they become :attr:`SyncState.OFFLINE` with a
message, and the next round resumes where this one stopped, after an outage of any length.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import httpx

from agent_assist.core.cache.store import Store
from agent_assist.core.privacy import team_secret
from agent_assist.core.settings import Settings
from agent_assist.core.worklog.events import EventLog
from agent_assist.sync import killpoints
from agent_assist.sync.backoff import Backoff
from agent_assist.sync.client import HubClient, make_http, normalize_url
from agent_assist.sync.credentials import TOKEN_ENV, Credentials, process_credentials
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

log = logging.getLogger(__name__)
HttpFactory = Callable[[str, str], httpx.Client]
"""``(hub_url, ca_bundle) -> httpx.Client`` with the hub as base URL."""


class SyncState(StrEnum):
    NOT_CONFIGURED = "not_configured"
    ONLINE = "online"
    OFFLINE = "offline"
    SYNCING = "syncing"
    AUTH_FAILED = "auth_failed"


@dataclass(frozen=True)
class SyncReport:
    """The outcome of one round.  ``changed`` lists ``kind:id`` of items that changed in the
    cache; ``pushed`` counts events the hub now holds; ``error`` says what went wrong (with
    ONLINE it means the hub was reached but refused or garbled something)."""

    state: SyncState
    changed: list[str]
    pushed: int
    at: dt.datetime
    error: str | None = None


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
    url = normalize_url(hub_url or str(settings.get("hub_url") or ""))
    details = SyncDetails(hub_url=url, warning=creds.warning)

    def report(state: SyncState, error: str | None = None) -> tuple[SyncReport, SyncDetails]:
        return SyncReport(state, details.changed, details.pushed, clock(), error), details

    if not url:
        return report(SyncState.NOT_CONFIGURED, "no hub configured (setting hub_url)")
    token = creds.get(url)
    if not token:
        return report(
            SyncState.AUTH_FAILED,
            f"no token for the hub {url}: run 'agent-assist login --hub {url}'"
            + (f" or set {TOKEN_ENV}" if not creds.has_keyring else ""),
        )
    try:
        client = HubClient(http_factory(url, str(settings.get("ca_bundle") or "")), token)
        with client, Store.in_dir(data_dir) as store, EventLog.in_dir(data_dir) as events:
            try:
                _round(client, store, events, data_dir, details, clock)
            finally:
                details.pending = events.unpushed_count()
    except (HubUnreachableError, HubFailedError) as exc:
        log.info("sync with %s: offline: %s", url, exc)
        return report(SyncState.OFFLINE, str(exc))
    except AuthFailedError as exc:
        log.warning("sync with %s: %s", url, exc)
        return report(SyncState.AUTH_FAILED, str(exc))
    except (MalformedReplyError, HubRejectedError) as exc:
        log.error("sync with %s: %s", url, exc)
        return report(SyncState.ONLINE, str(exc))
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
    data_dir: Path,
    details: SyncDetails,
    clock: Callable[[], dt.datetime],
) -> None:
    identity = client.whoami()
    details.agent = identity.name
    state = store.hub_state(client.base_url)
    if not state.public_key:
        key = client.hub_key()
        store.pin_hub_key(client.base_url, key.algorithm, key.public_key, key.fingerprint)
        details.key_pinned = key.fingerprint
        log.warning(
            "pinned the signing key of the hub %s: ed25519 fingerprint %s (compare it with "
            "'agent-assist-hub key' on the hub)",
            client.base_url,
            key.fingerprint,
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
    pushed = PushResult()
    try:
        push_events(
            client,
            events,
            identity.name,
            team_secret(data_dir),
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


def listen_for_changes(
    data_dir: Path,
    settings: Settings,
    stop: threading.Event,
    on_report: Callable[[SyncReport], None],
    *,
    credentials: Credentials | None = None,
    http_factory: HttpFactory = make_http,
    backoff: Backoff | None = None,
    wait: Callable[[float], object] | None = None,
    poll_seconds: float = 300.0,
) -> None:
    """Keep the cache in step with the hub until ``stop`` is set (run it on its own thread).

    Each round calls ``on_report`` (on this thread).  While online it holds the hub's change
    stream open and syncs as soon as a newer cursor is announced (a publish reaches the agent
    in well under 2 s); when the hub is away it retries with exponential backoff and jitter;
    when it cannot help (no hub, no token, stream unsupported) it tries again every
    ``poll_seconds``.  ``wait(seconds)`` defaults to ``stop.wait`` so a stop is immediate;
    tests inject both it and ``backoff``.
    """
    creds = credentials or process_credentials()
    backoff = backoff or Backoff()
    wait = wait or stop.wait
    while not stop.is_set():
        report = sync_once(data_dir, settings, credentials=creds, http_factory=http_factory)
        on_report(report)
        if stop.is_set():
            return
        if report.state in (SyncState.NOT_CONFIGURED, SyncState.AUTH_FAILED):
            wait(poll_seconds)
            continue
        if report.state is SyncState.OFFLINE:
            wait(backoff.next_delay())
            continue
        backoff.reset()
        try:
            _wait_for_notice(data_dir, settings, creds, http_factory, stop)
        except (HubUnreachableError, HubFailedError) as exc:
            log.info("change stream: %s", exc)
            wait(backoff.next_delay())
        except (HubRejectedError, MalformedReplyError) as exc:
            log.warning("change stream unavailable (%s); polling every %s s", exc, poll_seconds)
            wait(poll_seconds)
        except AuthFailedError:
            continue  # the next round reports it


def _wait_for_notice(
    data_dir: Path,
    settings: Settings,
    creds: Credentials,
    http_factory: HttpFactory,
    stop: threading.Event,
) -> None:
    """Block until the hub announces a cursor beyond ours, the stream ends, or ``stop``."""
    url = normalize_url(str(settings.get("hub_url") or ""))
    with Store.in_dir(data_dir) as store:
        cursor = store.hub_state(url).cursor
    client = HubClient(
        http_factory(url, str(settings.get("ca_bundle") or "")), creds.get(url) or ""
    )
    done = threading.Event()

    def close_on_stop() -> None:  # unblocks a read waiting for the next keep-alive
        while not done.is_set():
            if stop.wait(0.25):
                client.close()
                return

    watcher = threading.Thread(target=close_on_stop, name="sync-stream-stop", daemon=True)
    watcher.start()
    try:
        for announced in client.stream(stop):
            if announced > cursor:
                return
    except (HubUnreachableError, RuntimeError):
        # closing the client on stop breaks the read (or refuses a request about to start)
        if not stop.is_set():
            raise
    finally:
        done.set()
        client.close()
