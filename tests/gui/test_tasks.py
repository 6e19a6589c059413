"""Background work: results on the main thread, stale ones dropped, failures never lost."""

from __future__ import annotations

import threading
from functools import partial

import pytest
from pytestqt.qtbot import QtBot

from agent_assist.core.errors import AgentAssistError, StoreError
from agent_assist.ui.tasks import TaskManager


def test_result_arrives_on_the_main_thread(qtbot: QtBot, tasks: TaskManager) -> None:
    seen: list[tuple[str, bool]] = []
    main = threading.get_ident()
    with qtbot.waitSignal(tasks.idleChanged, check_params_cb=lambda idle: idle):
        tasks.run(
            lambda: threading.get_ident() != main, lambda off_main: seen.append(("done", off_main))
        )
    assert seen == [("done", True)]
    assert threading.get_ident() == main


def test_newer_work_supersedes_older_work_with_the_same_key(
    qtbot: QtBot, tasks: TaskManager
) -> None:
    results: list[str] = []
    for query in ("r", "re", "ref"):
        tasks.run(partial(str.upper, query), results.append, key="search")
    tasks.run(lambda: "other", results.append, key="detail")
    qtbot.waitUntil(lambda: tasks.is_idle)
    assert results == ["REF", "other"]


def _record(ran: list[str], query: str) -> str:
    ran.append(query)
    return query


def test_superseded_work_is_skipped_before_it_runs(qtbot: QtBot, tasks: TaskManager) -> None:
    """While the worker is busy, keystrokes queue searches: only the newest one runs."""
    release = threading.Event()
    ran: list[str] = []
    results: list[str] = []
    tasks.run(release.wait, lambda _: None)  # occupies the single worker
    for query in ("r", "re", "ref", "refu", "refund"):
        tasks.run(partial(_record, ran, query), results.append, key="search")
    release.set()
    qtbot.waitUntil(lambda: tasks.is_idle)
    assert ran == ["refund"]
    assert results == ["refund"]


def test_known_error_goes_to_its_handler_or_to_taskfailed(qtbot: QtBot, tasks: TaskManager) -> None:
    def fail() -> None:
        raise StoreError("knowledge cache /x: cannot search: disk I/O error")

    handled: list[AgentAssistError] = []
    tasks.run(fail, lambda _: None, handled.append)
    with qtbot.waitSignal(tasks.taskFailed) as failed:
        tasks.run(fail, lambda _: None)
    qtbot.waitUntil(lambda: tasks.is_idle)
    assert [str(e) for e in handled] == ["knowledge cache /x: cannot search: disk I/O error"]
    assert failed.args == ["knowledge cache /x: cannot search: disk I/O error"]


def test_a_bug_in_background_work_reaches_the_crash_handler(
    qtbot: QtBot, tasks: TaskManager
) -> None:
    def bug() -> None:
        raise ZeroDivisionError("bug")

    with qtbot.captureExceptions() as exceptions, qtbot.assertNotEmitted(tasks.taskFailed):
        tasks.run(bug, lambda _: None)
        qtbot.waitUntil(lambda: tasks.is_idle)
    assert [type(e[1]) for e in exceptions] == [ZeroDivisionError]


def test_shutdown_waits_and_drops_pending_results(qtbot: QtBot) -> None:
    manager = TaskManager()
    gate = threading.Event()
    results: list[int] = []
    manager.run(lambda: gate.wait(10) and 1, results.append)
    manager.run(lambda: 2, results.append)
    gate.set()
    manager.shutdown()
    assert manager.is_idle
    with qtbot.assertNotEmitted(manager.idleChanged, wait=50):
        pass
    assert results == []


@pytest.mark.parametrize("key", [None, "k"])
def test_idle_changes_once_per_burst(qtbot: QtBot, tasks: TaskManager, key: str | None) -> None:
    changes: list[bool] = []
    tasks.idleChanged.connect(changes.append)
    tasks.run(lambda: 1, lambda _: None, key=key)
    tasks.run(lambda: 2, lambda _: None, key=key)
    qtbot.waitUntil(lambda: tasks.is_idle)
    assert changes == [False, True]


def test_shutdown_still_runs_queued_work() -> None:
    """A checklist move saved just before quitting is written, not dropped."""
    manager = TaskManager()
    gate = threading.Event()
    done: list[int] = []
    manager.run(lambda: gate.wait(10), lambda _: None)
    manager.run(lambda: done.append(2), lambda _: None)
    gate.set()
    manager.shutdown()
    assert done == [2]
