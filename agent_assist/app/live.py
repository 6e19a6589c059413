"""Live sync for the desktop app: the hub's change stream, held open on a thread of its own.

:class:`LiveSync` runs :func:`agent_assist.sync.service.listen_for_changes` for as long as the
app runs, whether or not a hub is configured yet: a publish reaches the agent in well under
2 s while the stream is open, a hub that is away is retried with backoff (never more than a
minute apart), and a hub without a stream is polled every minute.  Rounds run on that thread,
so applying changes never blocks the window.  No Qt here: the window turns the callbacks into
queued signals (``ui/sync_status.py``).  The sync modules (httpx) are imported on the thread.

:func:`explain` puts a round's problem in the agent's words, with the action that helps.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from agent_assist.app.sync import hub_name
from agent_assist.core.errors import AgentAssistError
from agent_assist.core.settings import Settings

if TYPE_CHECKING:
    from agent_assist.sync.backoff import Backoff
    from agent_assist.sync.credentials import Credentials
    from agent_assist.sync.service import HttpFactory, SyncReport

log = logging.getLogger(__name__)

POLL_SECONDS = 60.0
"""A round every minute when the stream cannot help (no hub, no token, a hub without one)."""
RETRY_CAP = 60.0
"""The longest wait before trying a hub that is away again."""
WATCH_SECONDS = 0.5
"""How often a wait looks for a new hub in the settings file (a ``stat``)."""

ReportHook = Callable[["SyncReport"], None]
StateHook = Callable[[str, "float | None"], None]
FailureHook = Callable[[BaseException], None]
Stamp = tuple[int, int, int] | None


def _stamp(path: Path) -> Stamp:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _hub_of(settings: Settings) -> tuple[str, str, bool]:
    return settings.hub_url.strip().rstrip("/"), settings.ca_bundle, settings.insecure_http


class LiveSync:
    """The background sync of one data dir.

    Thread-safe: :meth:`sync_now`, :meth:`settings_changed` and :meth:`stop` may be called
    from any thread.  Settings are read afresh before every round and the settings file is
    watched, so a hub set in Settings (or by ``agent-assist login``) while the app runs is
    used within a second, without a restart.  Callbacks run on the listener thread and are
    not called once :meth:`stop` has been called.

    Collaborators are injected (STYLE.md rule 6): ``settings`` makes a fresh
    :class:`Settings`, ``credentials`` defaults to the process's, ``http_factory`` and
    ``backoff`` to the real ones.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        settings: Callable[[], Settings] | None = None,
        credentials: Credentials | None = None,
        http_factory: HttpFactory | None = None,
        backoff: Backoff | None = None,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.data_dir = data_dir
        self._settings = settings or (lambda: Settings(data_dir))
        self._credentials = credentials
        self._http_factory = http_factory
        self._backoff = backoff
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._file: Path | None = None
        self._seen: Stamp = None
        self._hub = ("", "", False)
        self._on_report: ReportHook = lambda report: None
        self._on_state: StateHook = lambda state, seconds: None
        self._on_failure: FailureHook = lambda exc: None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, on_report: ReportHook, on_state: StateHook, on_failure: FailureHook) -> None:
        """Start listening (once).  ``on_report(report)`` after every round, ``on_state(state,
        seconds)`` when the loop changes what it does (a :class:`ListenState` value and the
        seconds until the next try), ``on_failure(exc)`` when the loop stopped on an error:
        a known one (the local disk) is retried after a minute, anything else is a bug."""
        if self._thread is not None:
            return
        self._on_report, self._on_state, self._on_failure = on_report, on_state, on_failure
        self._thread = threading.Thread(target=self._run, name="live-sync", daemon=True)
        self._thread.start()

    def sync_now(self) -> None:
        """Run a round now: ends a wait or the open stream (the loop reconnects after)."""
        self._wake.set()

    def settings_changed(self) -> None:
        """The hub, its CA bundle or the token may have changed: reconnect with them now."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop listening; True when the thread ended within ``timeout`` (a round in progress
        finishes first; the thread is a daemon, so it never holds up the app's exit)."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    # -- the listener thread -----------------------------------------------------------------
    def _run(self) -> None:
        self._wait_for_a_hub()
        if self._stop.is_set():
            return
        from agent_assist.sync.backoff import Backoff
        from agent_assist.sync.client import make_http
        from agent_assist.sync.service import listen_for_changes

        log.info("live sync started for %s", self.data_dir)
        while not self._stop.is_set():
            try:
                listen_for_changes(
                    self.data_dir,
                    self._fresh_settings,
                    self._stop,
                    self._report,
                    credentials=self._credentials,
                    http_factory=self._http_factory or make_http,
                    backoff=self._backoff or Backoff(cap=RETRY_CAP),
                    wait=self._wait,
                    poll_seconds=self.poll_seconds,
                    on_state=self._state,
                    interrupted=self._interrupted,
                )
            except AgentAssistError as exc:  # the local disk (full, locked): say so, retry
                log.error("live sync: %s", exc)
                self._failed(exc)
                self._wait(self.poll_seconds)
            except BaseException as exc:  # a bug: the front-end hands it to the crash handler
                self._failed(exc)
                return
        log.info("live sync stopped")

    def _wait_for_a_hub(self) -> None:
        """Report "no hub" rounds without importing the network stack, until a hub is set.

        Most of a workstation's first start, and every start of one that works offline, has
        no hub: httpx (and what it imports) would cost a few hundred milliseconds of the
        start for nothing.  The rounds look exactly like the ones :func:`listen_for_changes`
        reports for a missing hub.
        """
        from agent_assist.sync.report import ListenState, SyncReport, SyncState

        while not self._stop.is_set():
            settings = self._fresh_settings()
            if settings.hub_url.strip():
                return
            self._report(
                SyncReport(
                    SyncState.NOT_CONFIGURED,
                    [],
                    0,
                    datetime.now(UTC),
                    "no hub configured (setting hub_url)",
                )
            )
            if self._stop.is_set():
                return
            self._state(ListenState.WAITING, self.poll_seconds)
            self._wait(self.poll_seconds)

    def _fresh_settings(self) -> Settings:
        """The settings for the next round; a pending "sync now" is served by that round."""
        self._wake.clear()
        settings = self._settings()
        self._file = settings.user_file
        self._seen = _stamp(settings.user_file)
        self._hub = _hub_of(settings)
        return settings

    def _interrupted(self) -> bool:
        """Whether to end the wait or the stream now: asked to, or the hub setting changed.
        Once true it stays true until the next round reads the settings."""
        if self._wake.is_set():
            return True
        if self._file is None:
            return False
        stamp = _stamp(self._file)
        if stamp == self._seen:
            return False
        self._seen = stamp
        if _hub_of(self._settings()) == self._hub:
            return False  # another setting changed
        log.info("the hub setting changed: reconnecting")
        self._wake.set()
        return True

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stop.is_set() and not self._interrupted():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._wake.wait(min(left, WATCH_SECONDS))

    def _report(self, report: SyncReport) -> None:
        if not self._stop.is_set():
            self._on_report(report)

    def _state(self, state: str, seconds: float | None) -> None:
        if not self._stop.is_set():
            self._on_state(str(state), seconds)

    def _failed(self, exc: BaseException) -> None:
        if not self._stop.is_set():
            self._on_failure(exc)


class ReportLike(Protocol):
    """What :func:`explain` reads of a :class:`~agent_assist.sync.service.SyncReport` (its
    ``problem`` and ``hub_url`` when it has them)."""

    @property
    def state(self) -> str: ...
    @property
    def error(self) -> str | None: ...


@dataclass(frozen=True)
class Trouble:
    """A sync problem in the agent's words, and what helps: ``action`` is ``sign_in``,
    ``retry`` or ``settings`` (the front-end shows it as a button labelled ``button``)."""

    text: str
    action: str | None = None
    button: str | None = None


NO_HUB = Trouble(
    "No team hub is set: you work with the knowledge on this computer. To get your team's "
    "updates, enter the hub's address in Settings.",
    "settings",
)


def explain(report: ReportLike) -> Trouble | None:
    """What the agent should know about ``report`` (None: nothing worth saying)."""
    url = str(getattr(report, "hub_url", "") or "")
    hub = hub_name(url)
    state, problem = str(report.state), str(getattr(report, "problem", None) or "")
    if state == "not_configured" and report.error and url:
        return Trouble(  # a plain http:// hub on another machine (sync/client.py refuses it)
            f"{hub} has a plain http:// address, so your sign-in would cross the network "
            "unprotected and Agent Assist does not use it. Ask your hub admin for its https:// "
            "address and enter that in Settings.",
            "settings",
            "Open Settings",
        )
    if state == "not_configured":
        return NO_HUB
    if state == "auth_failed":
        if problem == "token_refused":
            return Trouble(
                f"{hub} did not accept your sign-in: the token may have expired, been revoked "
                "or been mistyped. Sign in again with a current token from your hub admin.",
                "sign_in",
                "Sign in again",
            )
        if problem == "role_refused":
            return Trouble(
                f"{hub} knows your token but does not let it sync. Ask your hub admin for an "
                "agent token and sign in again with it.",
                "sign_in",
                "Sign in again",
            )
        return Trouble(
            f"You are not signed in to {hub}. Sign in with the token from your hub admin to "
            "get your team's updates.",
            "sign_in",
            "Sign in",
        )
    if state == "offline":
        error = (report.error or "").lower()
        if "certificate" in error:
            return Trouble(
                f"This computer does not trust {hub}'s security certificate. If your company "
                "inspects web traffic, ask IT for its certificate file and choose it as the "
                "Hub CA bundle in Settings.",
                "settings",
                "Open Settings",
            )
        if problem == "hub_failed":
            return Trouble(
                f"{hub} has a problem of its own right now. Everything on this computer keeps "
                "working; your updates arrive once it recovers.",
                "retry",
                "Retry now",
            )
        return Trouble(
            f"Cannot reach {hub}. Everything on this computer keeps working; your updates "
            "arrive once it is back.",
            "retry",
            "Retry now",
        )
    if report.error:
        return Trouble(
            f"Synced with {hub}, but it refused part of the exchange. The details are in the "
            "log file."
        )
    return None
