"""Who is working: the one rule for the agent id, for the app and the ``session`` commands."""

from __future__ import annotations

import getpass
import os

AGENT_ENV = "AGENT_ASSIST_AGENT_ID"


def agent_id(given: str | None = None) -> str:
    """``given`` (``--agent``) beats ``$AGENT_ASSIST_AGENT_ID`` beats the login name."""
    return given or os.environ.get(AGENT_ENV) or getpass.getuser()
