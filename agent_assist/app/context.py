"""One application context: the collaborators every use case needs, opened on first use.

The desktop app and each CLI command build one :class:`AppContext` for a data dir and hand it
to the use cases.  Everything heavy (the SQLite files, the ranking engine) is opened lazily, so
a command that needs none of it, or a window that is not yet on screen, does not pay for it.
Inject a clock, an agent id or settings in tests instead of patching globals (STYLE.md rule 6).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from agent_assist.app.identity import agent_id as default_agent_id
from agent_assist.core.errors import EventLogError
from agent_assist.core.paths import make_private
from agent_assist.core.worklog.clock import Clock, clock_from_env

if TYPE_CHECKING:
    from agent_assist.app.acks import AckBook
    from agent_assist.app.search import Search
    from agent_assist.app.tickets import TicketDesk
    from agent_assist.app.work import WorkLog
    from agent_assist.core.cache.store import Store
    from agent_assist.core.search.suggester import Suggester
    from agent_assist.core.settings import Settings
    from agent_assist.core.worklog.events import EventLog


class AppContext:
    """Owns the knowledge cache, the event log, settings, the clock and the suggester.

    ``clock`` is the one clock of the process: wall time for what people read, monotonic
    offsets for durations; the checklist's step timer and the handle-time reports both read it.
    Close the context when done: it closes what it opened, in reverse order.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        clock: Clock | None = None,
        agent: str | None = None,
        settings: Settings | None = None,
        store: Store | None = None,
        events: EventLog | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.clock: Clock = clock or clock_from_env()
        self.agent_id = default_agent_id(agent)
        self._settings = settings
        self._store = store
        self._events: EventLog | None = events
        self._suggester: Suggester | None = None
        self._acks: AckBook | None = None
        self._search: Search | None = None
        self._work: WorkLog | None = None
        self._tickets: TicketDesk | None = None
        self._events_problem: str | None = None
        self._on_close: list[Callable[[], object]] = []
        self._lock = threading.Lock()

    @property
    def settings(self) -> Settings:
        """The effective settings (defaults, IT presets, the user's, IT policy)."""
        if self._settings is None:
            from agent_assist.core.settings import Settings

            self._settings = Settings(self.data_dir)
        return self._settings

    @property
    def store(self) -> Store:
        """The knowledge cache, opened (and migrated) on first use."""
        with self._lock:
            if self._store is None:
                from agent_assist.core.cache.store import Store

                self._store = Store.in_dir(self.data_dir, self.clock)
                make_private(self.data_dir)
            return self._store

    def adopt_store(self, store: Store) -> None:
        """Use ``store`` as the knowledge cache from now on (a degraded start's copy, a
        rebuilt cache: :mod:`agent_assist.app.startup`); the one open before is closed."""
        with self._lock:
            old, self._store = self._store, store
            self._suggester = None  # built over the old cache
        if old is not None and old is not store:
            old.close()

    def drop_store(self) -> None:
        """Close the knowledge cache, if open; the next use opens it again."""
        with self._lock:
            store, self._store, self._suggester = self._store, None, None
        if store is not None:
            store.close()

    def disable_events(self, problem: str) -> None:
        """Work without the event log: every use of it raises a clear
        :class:`~agent_assist.core.errors.EventLogError` saying why (``problem``)."""
        self._events_problem = problem

    @property
    def events_problem(self) -> str | None:
        """Why there is no event log in this session (``None``: there is one)."""
        return self._events_problem

    def on_close(self, step: Callable[[], object]) -> None:
        """Run ``step`` when the context closes, after the files (removes temporary ones)."""
        self._on_close.append(step)

    @property
    def events(self) -> EventLog:
        """The handle-time event log, opened on first use with expired events purged first
        (retention runs whenever the log is opened, by the app or a command)."""
        with self._lock:
            if self._events_problem is not None:
                raise EventLogError(f"handle time cannot be recorded: {self._events_problem}")
            if self._events is None:
                from agent_assist.core.worklog.events import EventLog
                from agent_assist.core.worklog.retention import purge_expired

                log = EventLog.in_dir(self.data_dir)
                make_private(self.data_dir)
                try:
                    purge_expired(log, self.clock.now().wall, self.retention_days())
                except BaseException:
                    log.close()
                    raise
                self._events = log
            return self._events

    def retention_days(self) -> int:
        return self.settings.retention_days

    @property
    def suggester(self) -> Suggester:
        """The ranking engine over the cache; built on first use (numpy and rapidfuzz take a
        noticeable time to import, which a window that is not yet shown should not wait for)."""
        if self._suggester is None:
            from agent_assist.app.semantic import encoder_dir
            from agent_assist.core.search.suggester import Suggester

            self._suggester = Suggester(self.store, clock=self.clock, model_dir=encoder_dir())
        return self._suggester

    @property
    def acks(self) -> AckBook:
        if self._acks is None:
            from agent_assist.app.acks import AckBook

            self._acks = AckBook(self)
        return self._acks

    @property
    def search(self) -> Search:
        """Search with badges and opening items (:mod:`agent_assist.app.search`)."""
        if self._search is None:
            from agent_assist.app.search import Search

            self._search = Search(self, self.acks)
        return self._search

    @property
    def work(self) -> WorkLog:
        """Tickets, checklists and everything else recorded (:mod:`agent_assist.app.work`)."""
        if self._work is None:
            from agent_assist.app.work import WorkLog

            self._work = WorkLog(self, self.acks)
        return self._work

    @property
    def tickets(self) -> TicketDesk:
        """The connected ticketing tool (:mod:`agent_assist.app.tickets`); nothing is opened
        or contacted before a use case needs it."""
        if self._tickets is None:
            from agent_assist.app.tickets import TicketDesk

            self._tickets = TicketDesk(self)
        return self._tickets

    def close(self) -> None:
        """Close the ticketing tool's connection, the event log, then the knowledge cache
        (safe to call twice)."""
        tickets, self._tickets = self._tickets, None
        if tickets is not None:
            tickets.close()
        with self._lock:
            events, self._events = self._events, None
            store, self._store = self._store, None
            self._suggester = self._search = self._work = self._acks = None
        if events is not None:
            events.close()
        if store is not None:
            store.close()
        if events is not None or store is not None:
            make_private(self.data_dir)  # what the session created since (window state, runs)
        steps, self._on_close = self._on_close, []
        for step in reversed(steps):
            step()

    def __enter__(self) -> AppContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
