"""The semantic stage's use cases: doctor's check, answering only when ready, stopping a build."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_assist.app.context import AppContext
from agent_assist.app.diagnostics import check_encoder
from agent_assist.app.semantic import BuildCancelledError, SemanticSearch, encoder_dir
from agent_assist.core.cache.store import Store
from agent_assist.core.settings import Settings
from agent_assist.core.worklog.clock import SystemClock


def context(store: Store, data_dir: Path) -> AppContext:
    settings = Settings(data_dir, system_file=data_dir / "no-system.toml")
    return AppContext(data_dir, clock=SystemClock(), agent="tester", settings=settings, store=store)


def test_doctor_reports_the_encoder(tmp_path: Path) -> None:
    assert check_encoder(encoder_dir()).ok
    missing = check_encoder(tmp_path / "gone")
    assert not missing.ok
    assert "lexical only" in missing.detail and str(tmp_path / "gone") in missing.detail


def test_the_stage_answers_only_once_ready(tiny_store: Store, data_dir: Path) -> None:
    ctx = context(tiny_store, data_dir)
    semantic = SemanticSearch(ctx.search)
    assert not semantic.prepare()  # no lexical index yet: nothing to encode
    ctx.search.prepare()
    assert semantic.rows("someone took over my account") is None
    assert semantic.prepare()
    rows = semantic.rows("someone took over my account")
    assert rows is not None and rows[0].id == "hacked-account"
    assert semantic.rows("   ") is None


def test_a_build_stops_when_cancelled(tiny_store: Store, data_dir: Path) -> None:
    ctx = context(tiny_store, data_dir)
    ctx.search.prepare()
    semantic = SemanticSearch(ctx.search)
    semantic.cancelled.set()
    with pytest.raises(BuildCancelledError):
        semantic.prepare()
    assert not semantic.ready()
