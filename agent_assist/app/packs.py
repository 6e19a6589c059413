"""Knowledge packs in and out of the cache: validate, import (folders and signed zips), export.

The ``validate``/``import``/``export`` commands and the app's first start call these.  The YAML
parser and the signature code are imported inside each function: only pack work pays for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from agent_assist.core.errors import PackError

if TYPE_CHECKING:
    from agent_assist.app.context import AppContext
    from agent_assist.core.cache.store import ImportReport
    from agent_assist.core.knowledge.reader import LoadedPack


def validate(path: Path) -> LoadedPack:
    """Every problem of the pack at ``path`` (nothing is imported)."""
    from agent_assist.core.knowledge.checks import validate_pack

    return validate_pack(path)


def load(ctx: AppContext, pack: LoadedPack, *, prune: bool = False) -> ImportReport:
    """Load a checked pack into the cache in one transaction (the cache checks it again)."""
    if pack.errors:
        raise PackError(f"{pack.root}: {len(pack.errors)} error(s); nothing was imported")
    return ctx.store.import_pack(pack, prune=prune)


def import_signed(
    ctx: AppContext, path: Path, *, key_file: Path | None = None, prune: bool = False
) -> tuple[ImportReport, str]:
    """Verify a signed pack ``.zip`` from a hub and load it; returns the hub key used."""
    from agent_assist.sync.signed import import_signed_pack

    return import_signed_pack(ctx.store, path, key_file=key_file, prune=prune)


def import_demo_if_empty(ctx: AppContext) -> ImportReport | None:
    """On a first start (an empty cache) load the bundled demo pack, so the app is useful at
    once; ``None`` when the cache already holds knowledge."""
    from agent_assist.core.knowledge.packs import import_demo_if_empty as load
    from agent_assist.resources import demo_pack

    return load(ctx.store, demo_pack())


def export(
    ctx: AppContext, dest: Path, *, pack: str | None = None, force: bool = False
) -> tuple[str, int]:
    """Write one pack of the cache back out as files, byte for byte as imported; returns
    ``(pack name, items written)``."""
    from agent_assist.core.knowledge.writer import export_pack

    return export_pack(ctx.store, dest, pack=pack, force=force)
