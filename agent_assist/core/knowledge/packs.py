"""Pack operations the CLI and the UI share: check-then-import, and the first-start demo."""

from __future__ import annotations

from pathlib import Path

from agent_assist.core.cache.store import ImportReport, Store
from agent_assist.core.errors import PackError


def import_pack_dir(store: Store, path: Path, *, prune: bool = False) -> ImportReport:
    """Check the pack at ``path`` and import it; raises PackError (storing nothing) on errors."""
    # Imported here: the YAML parser is not needed by an app start that has knowledge already.
    from agent_assist.core.knowledge.checks import validate_pack

    pack = validate_pack(path)
    if pack.errors:
        raise PackError(f"{path}: {len(pack.errors)} error(s); nothing was imported", pack.errors)
    return store.import_pack(pack, prune=prune)


def import_demo_if_empty(store: Store, demo: Path) -> ImportReport | None:
    """On first start, load the bundled demo pack so the app is useful at once, offline."""
    if not store.is_empty():
        return None
    return import_pack_dir(store, demo)
