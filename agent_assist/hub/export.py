"""``export-pack --sign``: the hub's current knowledge as a signed offline pack."""

from __future__ import annotations

from pathlib import Path

import yaml

from agent_assist.core.knowledge.signing import write_signed_pack
from agent_assist.hub.auth import now_text
from agent_assist.hub.db import Database
from agent_assist.hub.keys import key_info, load_or_create_key
from agent_assist.hub.knowledge import current_items, head

EXPORT_PACK_NAME = "hub-export"


def export_pack(db: Database, data_dir: Path, out: Path) -> dict[str, object]:
    """Write every current (not retired) item, in its published text, to the zip ``out``,
    signed with the hub key; returns a summary.  File names are ``sops/<id>.md`` so items of
    several packs cannot collide."""
    key = load_or_create_key(data_dir)
    info = key_info(key)
    items = current_items(db)
    locales = {str(i["pack_locale"]) for i in items}
    pack_yaml = {
        "name": EXPORT_PACK_NAME,
        "version": f"cursor-{head(db)}",
        "locale": locales.pop() if len(locales) == 1 else "en",
        "publisher": "Agent Assist hub",
    }
    files = {"pack.yaml": yaml.safe_dump(pack_yaml, sort_keys=False).encode("utf-8")}
    for item in items:
        folder = "sops" if item["kind"] == "sop" else "macros"
        files[f"{folder}/{item['id']}.md"] = str(item["source_text"]).encode("utf-8")
    write_signed_pack(out, files, key, info["fingerprint"], now_text())
    return {"path": str(out), "items": len(items), "fingerprint": info["fingerprint"]}
