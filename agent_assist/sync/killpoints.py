"""Test-only: kill this process at a named point of a sync, to prove a killed sync leaves the
cache consistent (``tests/integration/test_sync_kill.py``).

``AGENT_ASSIST_SYNC_KILL_AT`` names the point; when the sync reaches it the process sends
itself SIGKILL (no clean-up, exactly like a crash or a power cut of the app).  Points:

* ``before-commit-page-N``: inside page N's transaction, just before it commits;
* ``after-page-N``: right after page N (and its cursor) committed;
* ``before-mark-push-N``: after the hub's 2xx for event batch N, before it is marked pushed;
* ``after-push-N``: after event batch N was marked pushed.

Unset (always, outside tests) it does nothing.  ``AGENT_ASSIST_SYNC_PAGE_LIMIT`` (test-only
too) shrinks the feed's page size so a few items make several pages.
"""

from __future__ import annotations

import os
import signal

KILL_ENV = "AGENT_ASSIST_SYNC_KILL_AT"
PAGE_LIMIT_ENV = "AGENT_ASSIST_SYNC_PAGE_LIMIT"


def page_limit(default: int) -> int:
    value = os.environ.get(PAGE_LIMIT_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else default


def reached(point: str) -> None:
    if os.environ.get(KILL_ENV) == point:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
