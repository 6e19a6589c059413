"""Step diffs between SOP versions."""

from __future__ import annotations

from pathlib import Path

from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.diffs import Change, changes_since, has_changes, step_diff
from agent_assist.core.knowledge.models import Choice, Sop, Step
from agent_assist.core.knowledge.packs import import_pack_dir

OLD = Sop(
    "s",
    "S",
    steps=(
        Step("a", "Check the account"),
        Step("b", "Ask for a screenshot"),
        Step("c", "Decide", choices=(Choice("Yes", "end"),)),
    ),
)
NEW = Sop(
    "s",
    "S",
    steps=(
        Step("a", "Check the account and the email", required=False),
        Step("x", "Verify identity"),
        Step("c", "Decide", choices=(Choice("Yes", "end"), Choice("No", "end"))),
    ),
)


def test_step_diff_matches_steps_by_id() -> None:
    diff = step_diff(OLD, NEW)
    assert [(c.change, c.step_id) for c in diff] == [
        (Change.CHANGED, "a"),
        (Change.ADDED, "x"),
        (Change.REMOVED, "b"),
        (Change.CHANGED, "c"),
    ]
    assert diff[0].details == ("was: Check the account", "now optional")
    assert diff[3].details == ("answers now: Yes → end, No → end",)
    assert has_changes(diff)
    assert not has_changes(step_diff(NEW, NEW))


def test_changes_since_reads_old_versions_from_the_store(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    (pack / "sops").mkdir(parents=True)
    (pack / "pack.yaml").write_text("name: p\nversion: '1'\n", encoding="utf-8")
    sop = pack / "sops" / "s.md"
    sop.write_text(
        "---\nid: s\ntitle: S\nsteps:\n  - {id: a, text: Old words}\n---\nBody\n",
        encoding="utf-8",
    )
    with Store.in_dir(tmp_path / "data") as store:
        import_pack_dir(store, pack)
        sop.write_text(
            "---\nid: s\ntitle: S\nsteps:\n  - {id: a, text: New words}\n"
            "  - {id: b, text: Then this}\n---\nBody\n",
            encoding="utf-8",
        )
        import_pack_dir(store, pack)
        diff = changes_since(store, "s", 1)
        assert diff is not None
        assert [(c.change, c.step_id) for c in diff] == [
            (Change.CHANGED, "a"),
            (Change.ADDED, "b"),
        ]
        assert changes_since(store, "s", 99) is None
