"""Subcommands of ``agent-assist``: each module registers its own parsers.

A command handler gets the parsed arguments and a :class:`Context`; it returns the exit code
or raises :class:`~agent_assist.core.errors.AgentAssistError` for a one-line failure.  Handlers
parse and print; the work is a use case of :mod:`agent_assist.app`, reached through
``ctx.app`` (the same calls the desktop app makes).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from agent_assist.app.context import AppContext

if TYPE_CHECKING:
    from agent_assist.core.cache.store import Store


@dataclass
class Context:
    """What a command gets: the application context for the data dir, and the streams."""

    data_dir: Path
    data_dir_option: str | None
    stdout: TextIO
    stderr: TextIO
    stdin: TextIO
    agent: str | None = None
    """``--agent`` of the session commands (else ``$AGENT_ASSIST_AGENT_ID`` or the login)."""
    _app: AppContext | None = field(default=None, repr=False)

    @property
    def app(self) -> AppContext:
        """The application context, made on first use (nothing is opened before it is used)."""
        if self._app is None:
            self._app = AppContext(self.data_dir, agent=self.agent)
        return self._app

    @property
    def store(self) -> Store:
        """The knowledge cache, opened (and migrated) on first use."""
        return self.app.store

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None

    def out(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    def err(self, text: str) -> None:
        print(text, file=self.stderr, flush=True)


Handler = Callable[[argparse.Namespace, Context], int]
Subparsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register_all(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from agent_assist.commands import (
        connectors,
        convert,
        data,
        diagnose,
        knowledge,
        report,
        scrub,
        session,
        settings,
        suggest,
        sync,
    )

    for module in (knowledge, suggest, diagnose, settings, session, report, data, scrub, sync):
        module.register(sub)
    convert.register(sub)
    connectors.register(sub)
