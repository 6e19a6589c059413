"""Importing signed offline packs (``agent-assist-hub export-pack --sign``), for outages.

The zip is verified with :mod:`agent_assist.core.knowledge.signing` *before* anything is read as a
pack, against a key this client already trusts: the key pinned for a hub on the first successful
sync, or one given with ``--hub-key FILE``.  A verified pack is hub content (it may replace
hub items; see ``docs/sync.md``); a pack that fails verification is refused whole.
"""

from __future__ import annotations

import base64
import binascii
import json
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from agent_assist.core.cache.store import ImportReport, Store
from agent_assist.core.errors import PackError
from agent_assist.core.knowledge.checks import validate_pack
from agent_assist.core.knowledge.signing import SignatureError, extract_signed_pack, fingerprint


def read_key_file(path: Path) -> str:
    """The base64 Ed25519 public key in ``path``: the JSON of ``GET /v1/hub-key``, a PEM
    public key, or the bare base64 key."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SignatureError(f"cannot read the hub key file {path}: {exc}") from exc
    if text.startswith("{"):
        try:
            value = json.loads(text).get("public_key")
        except (ValueError, AttributeError):
            value = None
        if not isinstance(value, str):
            raise SignatureError(f"{path}: expected the JSON of /v1/hub-key with 'public_key'")
        text = value
    elif text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text.encode("ascii"))
        except ValueError as exc:
            raise SignatureError(f"{path}: not a PEM public key: {exc}") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise SignatureError(f"{path}: not an Ed25519 public key")
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        text = base64.b64encode(raw).decode("ascii")
    try:
        if len(base64.b64decode(text, validate=True)) != 32:
            raise ValueError("expected 32 bytes")
    except (binascii.Error, ValueError) as exc:
        raise SignatureError(f"{path}: not a base64 Ed25519 public key ({exc})") from exc
    return text


def trusted_keys(store: Store, key_file: Path | None) -> list[tuple[str, str]]:
    """``(label, base64 key)`` to verify with: the given file's key, else every pinned key
    (the label is the hub URL, which the pack's items are then credited to)."""
    if key_file is not None:
        key = read_key_file(key_file)
        return [(f"signed pack key {fingerprint(key)[:16]}", key)]
    return [(s.hub_url, s.public_key) for s in store.pinned_hub_keys()]


def import_signed_pack(
    store: Store, zip_path: Path, *, key_file: Path | None = None, prune: bool = False
) -> tuple[ImportReport, str]:
    """Verify ``zip_path`` and import it; returns the report and the key fingerprint used."""
    keys = trusted_keys(store, key_file)
    if not keys:
        raise SignatureError(
            f"{zip_path}: no trusted hub key to verify it with: sync with your hub once (its "
            "key is pinned then) or pass --hub-key FILE (the hub's /v1/hub-key)"
        )
    failure: SignatureError | None = None
    with tempfile.TemporaryDirectory(prefix="agent-assist-signed-") as tmp:
        for label, key in keys:
            dest = Path(tmp) / fingerprint(key)
            try:
                extract_signed_pack(zip_path, key, dest)
            except SignatureError as exc:
                failure = failure or exc
                continue
            pack = validate_pack(dest)
            if pack.errors:
                raise PackError(
                    f"{zip_path}: {len(pack.errors)} error(s); nothing was imported", pack.errors
                )
            return store.import_pack(pack, prune=prune, hub_url=label), fingerprint(key)
    assert failure is not None
    raise SignatureError(f"refused: {failure} (nothing was imported)") from failure
