"""Signed offline packs: a pack zip whose files are listed, with SHA-256 hashes, in a
manifest signed with the hub's Ed25519 key.

Layout of the zip: the pack's files (``pack.yaml``, ``sops/*.md``, ``macros/*.md``) plus
``MANIFEST.json`` (canonical JSON: ``{"format": 1, "algorithm": "ed25519", "key":
"<fingerprint>", "created_at": ..., "files": {path: sha256 hex}}``) and ``MANIFEST.sig`` (the
base64 Ed25519 signature of the exact bytes of ``MANIFEST.json``).  The signature is detached
from the content it covers, so the pack files stay byte-for-byte what the hub published.

A client verifies *before* importing: :func:`verify_signed_pack` checks the signature against
the hub key the client already trusts, then that the zip holds exactly the listed files with
the listed hashes.  Any difference (a changed, added or missing file, another key) fails.
No Qt and no hub imports: the desktop client uses this module as it is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from agent_assist.core.errors import AgentAssistError

MANIFEST = "MANIFEST.json"
SIGNATURE = "MANIFEST.sig"
MAX_MEMBER_BYTES = 16 * 1024 * 1024


class SignatureError(AgentAssistError):
    """A signed pack failed verification: it must not be imported."""


def fingerprint(public_key_b64: str) -> str:
    """Hex SHA-256 of the raw public key: what an admin compares by eye or pins."""
    return hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()


def manifest_bytes(files: Mapping[str, bytes], key_fingerprint: str, created_at: str) -> bytes:
    manifest: dict[str, Any] = {
        "format": 1,
        "algorithm": "ed25519",
        "key": key_fingerprint,
        "created_at": created_at,
        "files": {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())},
    }
    return json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode("utf-8")


def write_signed_pack(
    out: Path, files: Mapping[str, bytes], key: Ed25519PrivateKey, key_fingerprint: str, at: str
) -> None:
    """Write ``files`` and their signed manifest to the zip ``out``."""
    manifest = manifest_bytes(files, key_fingerprint, at)
    signature = base64.b64encode(key.sign(manifest))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path, data in sorted(files.items()):
            zf.writestr(path, data)
        zf.writestr(MANIFEST, manifest)
        zf.writestr(SIGNATURE, signature)


def _public_key(public_key_b64: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
    except (ValueError, binascii.Error) as exc:
        raise SignatureError(f"the trusted hub key is not a base64 Ed25519 key: {exc}") from exc


def _safe(path: str) -> bool:
    pure = PurePosixPath(path)
    return not pure.is_absolute() and ".." not in pure.parts and "\\" not in path


def verify_signed_pack(source: Path | bytes, public_key_b64: str) -> dict[str, bytes]:
    """The pack files of a signed zip, after checking signature and hashes; raises
    :class:`SignatureError` naming what failed."""
    where = "the signed pack" if isinstance(source, bytes) else str(source)
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            members = {}
            for info in zf.infolist():
                if info.is_dir():
                    continue
                if info.file_size > MAX_MEMBER_BYTES or not _safe(info.filename):
                    raise SignatureError(f"{where}: unexpected member '{info.filename}'")
                members[info.filename] = zf.read(info)
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise SignatureError(f"{where}: not a readable zip file: {exc}") from exc
    manifest, signature = members.pop(MANIFEST, None), members.pop(SIGNATURE, None)
    if manifest is None or signature is None:
        raise SignatureError(f"{where}: not signed ({MANIFEST} or {SIGNATURE} is missing)")
    try:
        _public_key(public_key_b64).verify(base64.b64decode(signature), manifest)
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise SignatureError(
            f"{where}: the signature does not match the trusted hub key (the manifest was "
            "changed or another key signed it)"
        ) from exc
    listed: dict[str, str] = json.loads(manifest)["files"]
    for path in sorted(set(listed) | set(members)):
        if path not in members:
            raise SignatureError(f"{where}: '{path}' is listed in the manifest but missing")
        if path not in listed:
            raise SignatureError(f"{where}: '{path}' is not covered by the signature")
        if hashlib.sha256(members[path]).hexdigest() != listed[path]:
            raise SignatureError(f"{where}: '{path}' was changed after signing")
    return members


def extract_signed_pack(source: Path | bytes, public_key_b64: str, dest: Path) -> Path:
    """Verify, then write the pack's files under ``dest`` (a pack folder ready to import)."""
    for path, data in verify_signed_pack(source, public_key_b64).items():
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return dest
