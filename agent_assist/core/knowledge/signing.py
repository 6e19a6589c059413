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

A zip may come from anyone, so nothing is trusted before it is checked: the number of members,
their names (relative, canonical, unique, no file that is also a folder), compression, declared
sizes and the signature are all checked *before* any pack file is read, and every member is
then read against a hard cap of the size it declares.  A zip over the limits is refused in
milliseconds whatever it claims to hold.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import struct
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.packfiles import MAX_ENTRIES, MAX_FILE_BYTES, MAX_PACK_BYTES
from agent_assist.core.knowledge.problems import excerpt

MANIFEST = "MANIFEST.json"
SIGNATURE = "MANIFEST.sig"
MAX_MEMBERS = MAX_ENTRIES + 3
"""Pack files (``pack.yaml`` and the items) plus the manifest and its signature."""
MAX_MANIFEST_BYTES = 8 * 1024 * 1024
MAX_SIGNATURE_BYTES = 1024
MAX_NAME_CHARS = 255
_CHUNK = 64 * 1024
_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}


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


def verify_signed_pack(source: Path | bytes, public_key_b64: str) -> dict[str, bytes]:
    """The pack files of a signed zip, after checking signature and hashes; raises
    :class:`SignatureError` naming what failed (never anything else for a bad zip)."""
    where = "the signed pack" if isinstance(source, bytes) else str(source)
    key = _public_key(public_key_b64)
    try:
        with io.BytesIO(source) if isinstance(source, bytes) else source.open("rb") as fp:
            _check_directory(fp, where)
            with zipfile.ZipFile(fp) as zf:
                return _verified(zf, key, where)
    except (
        OSError,
        zipfile.BadZipFile,
        EOFError,
        zlib.error,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise SignatureError(f"{where}: not a readable zip file: {excerpt(str(exc), 200)}") from exc


def _check_directory(fp: IO[bytes], where: str) -> None:
    """Refuse a zip whose central directory lists too many members, before :mod:`zipfile`
    builds an object for each of them (zipfile finds the record the same way)."""
    size = fp.seek(0, os.SEEK_END)
    fp.seek(max(0, size - _EOCD.size - 0xFFFF))
    tail = fp.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        return  # not a zip at all: zipfile says so
    _, _, _, _, entries, cd_size, _, _ = _EOCD.unpack_from(tail, at)
    zip64 = at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07"
    if zip64 or entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        raise SignatureError(f"{where}: a ZIP64 archive (a pack is never large enough for one)")
    # zipfile reads entries for as long as the directory's declared size lasts, whatever the
    # count says: bound both (a member's entry is 46 bytes plus a name; no extras or comments).
    if entries > MAX_MEMBERS or cd_size > entries * (46 + MAX_NAME_CHARS + 64):
        raise SignatureError(
            f"{where}: {entries:,} members in a {cd_size:,}-byte directory "
            f"(expected at most {MAX_MEMBERS:,} members; not a pack)"
        )


def _verified(zf: zipfile.ZipFile, key: Ed25519PublicKey, where: str) -> dict[str, bytes]:
    infos = _checked_members(zf, where)
    manifest_info, signature_info = infos.pop(MANIFEST, None), infos.pop(SIGNATURE, None)
    if manifest_info is None or signature_info is None:
        raise SignatureError(f"{where}: not signed ({MANIFEST} or {SIGNATURE} is missing)")
    manifest = _read(zf, manifest_info, where)
    try:
        key.verify(base64.b64decode(_read(zf, signature_info, where)), manifest)
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise SignatureError(
            f"{where}: the signature does not match the trusted hub key (the manifest was "
            "changed or another key signed it)"
        ) from exc
    listed = _listed(manifest, where)
    for path in sorted(set(listed) | set(infos)):
        if path not in infos:
            raise SignatureError(
                f"{where}: '{excerpt(path)}' is listed in the manifest but missing"
            )
        if path not in listed:
            raise SignatureError(f"{where}: '{excerpt(path)}' is not covered by the signature")
    members = {}
    for path, info in sorted(infos.items()):
        data = _read(zf, info, where)
        if hashlib.sha256(data).hexdigest() != listed[path]:
            raise SignatureError(f"{where}: '{excerpt(path)}' was changed after signing")
        members[path] = data
    return members


def _checked_members(zf: zipfile.ZipFile, where: str) -> dict[str, zipfile.ZipInfo]:
    """The zip's files by name, once count, names, methods and declared sizes are sound."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise SignatureError(f"{where}: {len(infos):,} members (expected at most {MAX_MEMBERS:,})")
    files: dict[str, zipfile.ZipInfo] = {}
    folders: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename.removesuffix("/") if info.is_dir() else info.filename
        what = f"{where}: member '{excerpt(info.filename)}'"
        if not _safe(name):
            raise SignatureError(f"{what} has an unsafe name (expected a relative path)")
        parts = name.split("/")
        folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
        if info.is_dir():
            folders.add(name)
            continue
        if name in files:
            raise SignatureError(f"{what} appears twice")
        if info.flag_bits & 0x1:
            raise SignatureError(f"{what} is encrypted")
        if info.compress_type not in _METHODS:
            raise SignatureError(f"{what} uses an unsupported compression (expected deflate)")
        limit = {MANIFEST: MAX_MANIFEST_BYTES, SIGNATURE: MAX_SIGNATURE_BYTES}.get(
            name, MAX_FILE_BYTES
        )
        if info.file_size > limit:
            raise SignatureError(
                f"{what} declares {info.file_size:,} bytes (expected at most {limit:,})"
            )
        if info.compress_size > info.file_size + info.file_size // 100 + 1024:
            raise SignatureError(f"{what} takes more bytes compressed than it holds")
        total += info.file_size
        files[name] = info
    if total > MAX_PACK_BYTES + MAX_MANIFEST_BYTES:
        raise SignatureError(
            f"{where}: its members declare {total:,} bytes in all "
            f"(expected at most {MAX_PACK_BYTES + MAX_MANIFEST_BYTES:,})"
        )
    clashes = folders & set(files)
    if clashes:
        raise SignatureError(
            f"{where}: '{excerpt(min(clashes))}' is both a file and a folder (a pack never is)"
        )
    return files


def _safe(name: str) -> bool:
    """A relative, canonical path: it names exactly one place under the folder it is
    extracted to, on any system."""
    parts = name.split("/")
    return (
        0 < len(name) <= MAX_NAME_CHARS
        and not any(c in name for c in "\\:\x00")
        and all(part not in ("", ".", "..") for part in parts)
    )


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    """The bytes of one member, never more than it declares."""
    chunks = []
    size = 0
    with zf.open(info) as f:
        while chunk := f.read(_CHUNK):
            size += len(chunk)
            if size > info.file_size:
                raise SignatureError(
                    f"{where}: member '{excerpt(info.filename)}' holds more than the "
                    f"{info.file_size:,} bytes it declares"
                )
            chunks.append(chunk)
    if size != info.file_size:
        raise SignatureError(
            f"{where}: member '{excerpt(info.filename)}' holds {size:,} bytes, not the "
            f"{info.file_size:,} it declares"
        )
    return b"".join(chunks)


def _listed(manifest: bytes, where: str) -> dict[str, str]:
    try:
        listed = json.loads(manifest)["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SignatureError(f"{where}: the manifest is not a pack manifest") from exc
    if not isinstance(listed, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in listed.items()
    ):
        raise SignatureError(f"{where}: the manifest is not a pack manifest")
    return listed


def extract_signed_pack(source: Path | bytes, public_key_b64: str, dest: Path) -> Path:
    """Verify, then write the pack's files under ``dest`` (a pack folder ready to import)."""
    for path, data in verify_signed_pack(source, public_key_b64).items():
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return dest
