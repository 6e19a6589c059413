"""Shared by the importer tests: the fixtures, a conversion, and reading back what it wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent_assist.core.knowledge.checks import validate_pack
from agent_assist.core.knowledge.importers import Report, convert
from agent_assist.core.knowledge.models import Macro
from agent_assist.core.knowledge.reader import LoadedPack

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "importers"


def run(tool: str, source: Path | Any, tmp_path: Path, **options: Any) -> Report:
    """Convert ``source`` (a fixture path, or a JSON value written to a file first)."""
    if not isinstance(source, Path):
        tmp_path.mkdir(parents=True, exist_ok=True)
        path = tmp_path / "export.json"
        path.write_text(json.dumps(source), encoding="utf-8")
        source = path
    return convert(tool, source, tmp_path / "pack", **options)


def checked(tmp_path: Path) -> LoadedPack:
    """The written pack, read and checked exactly as ``agent-assist validate`` does."""
    pack = validate_pack(tmp_path / "pack")
    assert pack.errors == [], pack.errors
    return pack


def macros(tmp_path: Path) -> dict[str, Macro]:
    out = {}
    for item in checked(tmp_path).items:
        assert isinstance(item.content, Macro)
        out[item.content.id] = item.content
    return out


def source_text(tmp_path: Path, macro_id: str) -> str:
    return (tmp_path / "pack" / "macros" / f"{macro_id}.md").read_text(encoding="utf-8")


def notes(report: Report) -> list[str]:
    return [str(n) for n in report.notes]
