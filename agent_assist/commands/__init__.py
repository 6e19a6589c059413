"""Subcommands of ``agent-assist``: each module registers its own parsers.

A command handler gets the parsed arguments and a :class:`Context`; it returns the exit code
or raises :class:`~agent_assist.core.errors.AgentAssistError` for a one-line failure.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from agent_assist.core.cache.store import Store


@dataclass
class Context:
    data_dir: Path
    data_dir_option: str | None
    stdout: TextIO
    stderr: TextIO
    stdin: TextIO
    _store: Store | None = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        """The knowledge cache, opened (and migrated) on first use."""
        if self._store is None:
            self._store = Store.in_dir(self.data_dir)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def out(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    def err(self, text: str) -> None:
        print(text, file=self.stderr, flush=True)


Handler = Callable[[argparse.Namespace, Context], int]
Subparsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register_all(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from agent_assist.commands import (
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
