"""``agent-assist publish``: check a pack locally with the same checks the hub runs, then
upload it (``POST /v1/publish``).  Publishing is atomic on the hub: a pack with any error
publishes nothing, and the hub's problems come back with file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent_assist.core.errors import PackError
from agent_assist.core.knowledge.checks import validate_pack
from agent_assist.core.knowledge.reader import LoadedPack
from agent_assist.sync import wire
from agent_assist.sync.client import HubClient


def publish_payload(pack: LoadedPack, note: str, prune: bool) -> dict[str, Any]:
    """The upload of a checked pack: each file's text exactly as read."""
    if pack.errors or pack.info is None or pack.pack_file is None:
        raise PackError(
            f"{pack.root}: {len(pack.errors)} error(s); nothing was published", pack.errors
        )
    info = pack.info
    return {
        "pack": {
            "name": info.name,
            "version": info.version,
            "locale": info.locale,
            "publisher": info.publisher,
            "pack_yaml": pack.pack_file.text,
        },
        "files": [{"path": i.source.path, "text": i.source.text} for i in pack.items],
        "note": note,
        "prune": prune,
    }


def publish_pack(
    client: HubClient, root: Path, *, note: str = "", prune: bool = False
) -> tuple[LoadedPack, wire.PublishResult]:
    """Validate ``root`` (raising PackError with every problem) and publish it; the hub's
    own rejection is a HubRejectedError carrying its problems."""
    pack = validate_pack(root)
    payload = publish_payload(pack, note, prune)
    return pack, client.publish(payload)
