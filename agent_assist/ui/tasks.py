"""The one way the UI runs background work (STYLE.md rule 2).

Work runs on a worker of a single-thread pool, so every use of the knowledge cache is serialized
and the SQLite connection is never used by two threads at once.  Network work (``network=True``)
runs in parallel on its own small pool instead, so a slow hub never holds up a search; it must
open its own connections.  Results and failures come back
on the main thread, through queued signals, and are handed to the caller's callbacks there.

Be careful not to touch any widget from ``fn``: it runs on the worker thread.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from agent_assist.core.errors import AgentAssistError

log = logging.getLogger(__name__)
T = TypeVar("T")
NETWORK_THREADS = 2


@dataclass
class _Job:
    on_done: Callable[[Any], None]
    on_failed: Callable[[AgentAssistError], None] | None
    key: str | None
    seq: int


class _Superseded:
    """What a job that was superseded before it started 'returns': it never ran."""


SUPERSEDED = _Superseded()


class _Runner(QRunnable):
    def __init__(
        self,
        manager: TaskManager,
        job_id: int,
        fn: Callable[[], object],
        wanted: Callable[[], bool],
    ) -> None:
        super().__init__()
        self._manager, self._job_id, self._fn, self._wanted = manager, job_id, fn, wanted

    def run(self) -> None:
        if not self._wanted():  # a newer job of the same key is queued: do not even start
            self._manager._jobFinished.emit(self._job_id, SUPERSEDED)
            return
        try:
            result = self._fn()
        except BaseException as exc:  # handed to the main thread; never swallowed
            self._manager._jobFailed.emit(self._job_id, exc)
        else:
            self._manager._jobFinished.emit(self._job_id, result)


class TaskManager(QObject):
    """Runs callables on a serialized worker and delivers their outcome on the main thread.

    A job submitted under a ``key`` supersedes earlier jobs with the same key: one that has not
    started yet is skipped (a fast typist queues a search per keystroke; only the last one is
    worth running), and the result of one already running is dropped (by sequence number), so
    a slow old search can never overwrite a newer one.

    A failure that is a known error goes to the job's ``on_failed`` when given, else to
    :attr:`taskFailed`.  Any other exception is a bug and is re-raised on the main thread so it
    reaches the crash handler (``sys.excepthook``).

    Signals:
        taskFailed(str): a known error that the submitter did not handle; the message is fit
            for the user.
        idleChanged(bool): ``True`` when the last pending job has been delivered, ``False``
            when work starts after being idle.
    """

    taskFailed = Signal(str)
    idleChanged = Signal(bool)
    _jobFinished = Signal(int, object)
    _jobFailed = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._network = QThreadPool(self)
        self._network.setMaxThreadCount(NETWORK_THREADS)
        self._ids = itertools.count(1)
        self._jobs: dict[int, _Job] = {}
        self._latest: dict[str, int] = {}
        self._jobFinished.connect(self.on_self_jobFinished)
        self._jobFailed.connect(self.on_self_jobFailed)

    @property
    def is_idle(self) -> bool:
        return not self._jobs

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_failed: Callable[[AgentAssistError], None] | None = None,
        *,
        key: str | None = None,
        network: bool = False,
    ) -> None:
        """Run ``fn`` on the worker (or the network pool); call ``on_done(result)`` on the main
        thread."""
        job_id = next(self._ids)
        seq = 0
        if key is not None:
            seq = self._latest[key] = self._latest.get(key, 0) + 1
        was_idle = self.is_idle
        self._jobs[job_id] = _Job(on_done, on_failed, key, seq)
        if was_idle:
            self.idleChanged.emit(False)
        runner = _Runner(self, job_id, fn, partial(self._still_wanted, key, seq))
        (self._network if network else self._pool).start(runner)

    def _still_wanted(self, key: str | None, seq: int) -> bool:
        """Whether no newer job of ``key`` has been submitted; read on a worker thread (a
        dict lookup of an int, atomic in CPython; a stale answer only runs a job once more)."""
        return key is None or self._latest.get(key) == seq

    def shutdown(self) -> None:
        """Let the serialized worker finish everything queued (saves of the agent's place must
        land), drop queued network rounds, and wait; results are no longer delivered."""
        self._network.clear()
        for pool in (self._pool, self._network):
            pool.waitForDone()
        self._jobs.clear()
        log.info("background tasks stopped")

    def _take(self, job_id: int) -> _Job | None:
        """The job if its outcome is still wanted (not superseded, not shut down)."""
        job = self._jobs.pop(job_id, None)
        if job is None or (job.key is not None and self._latest[job.key] != job.seq):
            return None
        return job

    def _settle(self, delivered: bool) -> None:
        if delivered and self.is_idle:
            self.idleChanged.emit(True)

    @Slot(int, object)
    def on_self_jobFinished(self, job_id: int, result: object) -> None:
        pending = job_id in self._jobs
        job = self._take(job_id)
        try:
            if job is not None and result is not SUPERSEDED:
                job.on_done(result)
        finally:
            self._settle(pending)

    @Slot(int, object)
    def on_self_jobFailed(self, job_id: int, exc: BaseException) -> None:
        pending = job_id in self._jobs
        job = self._take(job_id)
        try:
            if not isinstance(exc, AgentAssistError):
                raise exc  # a bug, even in superseded work: let the crash handler see it
            if job is None:
                return
            if job.on_failed is not None:
                job.on_failed(exc)
            else:
                self.taskFailed.emit(str(exc))
        finally:
            self._settle(pending)
