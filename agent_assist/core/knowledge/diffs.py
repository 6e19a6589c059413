"""What changed in a SOP's checklist between two versions, step by step.

Steps are matched by id (a step keeps its id when its wording is edited), so the agent sees
"step 3 now says …" rather than a line diff of YAML.  Old versions are re-read from the source
text the store keeps for every version, with the same parser packs use.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Kind, Sop, Step


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class StepChange:
    change: Change
    step_id: str
    old: Step | None
    new: Step | None
    details: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        step = self.new or self.old
        return step.text if step else self.step_id


def _details(old: Step, new: Step) -> tuple[str, ...]:
    out = []
    if old.text != new.text:
        out.append(f"was: {old.text}")
    if old.required != new.required:
        out.append("now required" if new.required else "now optional")
    if old.choices != new.choices:
        labels = ", ".join(f"{c.label} → {c.next}" for c in new.choices) or "none"
        out.append(f"answers now: {labels}")
    if old.macro != new.macro:
        out.append(f"reply macro now: {new.macro or 'none'}")
    return tuple(out)


def step_diff(old: Sop, new: Sop) -> list[StepChange]:
    """Every step of ``new`` in order, with removed steps of ``old`` placed where they were."""
    old_steps = {s.id: s for s in old.steps}
    new_ids = {s.id for s in new.steps}
    out: list[StepChange] = []
    removed = [s for s in old.steps if s.id not in new_ids]
    for step in new.steps:
        before = old_steps.get(step.id)
        if before is None:
            out.append(StepChange(Change.ADDED, step.id, None, step))
        else:
            while removed and old.steps.index(removed[0]) < old.steps.index(before):
                gone = removed.pop(0)
                out.append(StepChange(Change.REMOVED, gone.id, gone, None))
            details = _details(before, step)
            change = Change.CHANGED if details else Change.UNCHANGED
            out.append(StepChange(change, step.id, before, step, details))
    out += [StepChange(Change.REMOVED, s.id, s, None) for s in removed]
    return out


def has_changes(diff: list[StepChange]) -> bool:
    return any(c.change is not Change.UNCHANGED for c in diff)


def sop_at(store: Store, sop_id: str, version: int) -> Sop | None:
    """The SOP as it was at ``version`` (``None`` when that version is not kept)."""
    for kept in store.versions(Kind.SOP, sop_id):
        if kept.version == version:
            from agent_assist.core.knowledge.reader import parse_item  # YAML: only when needed

            item, _ = parse_item(kept.source_text, kept.source_path, Kind.SOP, "en")
            content = item.content if item is not None else None
            return content if isinstance(content, Sop) else None
    return None


def changes_since(store: Store, sop_id: str, version: int) -> list[StepChange] | None:
    """Step changes from ``version`` to the current one (``None``: the old one is unknown)."""
    current = store.get(sop_id, Kind.SOP).content
    old = sop_at(store, sop_id, version)
    if old is None or not isinstance(current, Sop):
        return None
    return step_diff(old, current)
