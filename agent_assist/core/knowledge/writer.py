"""Write the cache back out as a pack, byte for byte as each file was imported.

Writing goes to a temporary folder beside the destination which is renamed into place at the
end, so an interrupted export never leaves a half-written pack where a good one was.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from agent_assist.core.cache.store import Store
from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.knowledge.reader import FOLDERS, PACK_FILE


def export_pack(
    store: Store, dest: Path, *, pack: str | None = None, force: bool = False
) -> tuple[str, int]:
    """Export one pack to ``dest``; returns ``(pack name, items written)``."""
    packs = {p.info.name: p for p in store.packs()}
    if not packs:
        raise AgentAssistError("the knowledge cache is empty: nothing to export")
    if pack is None:
        if len(packs) > 1:
            raise AgentAssistError(
                "the cache holds several packs; choose one with --pack "
                f"({', '.join(sorted(packs))})"
            )
        pack = next(iter(packs))
    if pack not in packs:
        raise AgentAssistError(
            f"no pack named '{pack}' in the cache (have: {', '.join(sorted(packs))})"
        )
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())) and not force:
        raise AgentAssistError(
            f"{dest} exists and is not an empty folder (use --force to replace it)"
        )
    items = [i for i in store.items() if i.pack == pack]
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=dest.parent))
    try:
        (tmp / PACK_FILE).write_text(packs[pack].source_text, encoding="utf-8", newline="")
        for folder in FOLDERS.values():
            (tmp / folder).mkdir()
        for item in items:
            path, text = store.source(item.kind, item.id)
            if not path.startswith(FOLDERS[Kind(item.kind)] + "/"):
                path = f"{FOLDERS[item.kind]}/{item.id}.md"
            (tmp / path).write_text(text, encoding="utf-8", newline="")
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise AgentAssistError(f"cannot write the pack to {dest}: {exc.strerror or exc}") from exc
    return pack, len(items)
