"""Arbitrary front matter never crashes the reader and never half-imports."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_assist.core.cache.store import Store
from agent_assist.core.errors import PackError
from agent_assist.core.knowledge.packs import import_pack_dir
from agent_assist.core.knowledge.reader import MACRO_FIELDS, SOP_FIELDS, STEP_FIELDS

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["end", "2026-02-30", "2027-01-01", "a", "s1", "{{x}}"]),
)
values = st.recursive(
    scalars,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4),
        st.dictionaries(
            st.sampled_from([*STEP_FIELDS, "label", "next", "days", "business_days"])
            | st.text(max_size=8),
            kids,
            max_size=4,
        ),
    ),
    max_leaves=20,
)
front = st.dictionaries(st.sampled_from([*SOP_FIELDS, *MACRO_FIELDS, "junk"]), values, max_size=8)
raw_text = st.text(max_size=200)


def render(doc: Any, raw: str | None) -> str:
    text = raw if raw is not None else yaml.safe_dump(doc, allow_unicode=True)
    return f"---\n{text}\n---\nBody {{{{x}}}}\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(
        st.tuples(front, st.one_of(st.none(), raw_text), st.booleans()), min_size=1, max_size=4
    )
)
def test_any_front_matter_imports_whole_or_not_at_all(
    docs: list[tuple[dict[str, Any], str | None, bool]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "pack"
        for n, (doc, raw, is_sop) in enumerate(docs):
            folder = root / ("sops" if is_sop else "macros")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"f{n}.md").write_text(render(doc, raw), encoding="utf-8")
        (root / "pack.yaml").write_text("name: fuzz\n")
        with Store(Path(tmp) / "k.sqlite3") as store:
            try:
                report = import_pack_dir(store, root)
            except PackError as exc:
                assert exc.problems
                assert store.is_empty()
            else:
                assert len(report.added) == len(docs)
                assert sum(store.counts().values()) == len(docs)
