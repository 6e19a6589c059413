"""core.signing: sign a manifest of file hashes, verify before import."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent_assist.core.knowledge.signing import (
    SignatureError,
    fingerprint,
    verify_signed_pack,
    write_signed_pack,
)
from agent_assist.hub.keys import key_info, load_or_create_key, public_key_b64

FILES = {"pack.yaml": b"name: x\n", "sops/a.md": b"---\nid: a\ntitle: A\n---\n"}


def test_round_trip_and_key_file(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path)
    assert load_or_create_key(tmp_path).private_bytes_raw() == key.private_bytes_raw()
    info = key_info(key)
    assert info["fingerprint"] == fingerprint(info["public_key"])
    out = tmp_path / "p.zip"
    write_signed_pack(out, FILES, key, info["fingerprint"], "2026-11-26T00:00:00Z")
    assert verify_signed_pack(out, info["public_key"]) == FILES
    assert verify_signed_pack(out.read_bytes(), info["public_key"]) == FILES


@pytest.mark.parametrize(
    ("source", "message"),
    [(b"not a zip", "not a readable zip"), (b"", "not a readable zip")],
)
def test_garbage_is_refused(source: bytes, message: str) -> None:
    key = public_key_b64(Ed25519PrivateKey.generate())
    with pytest.raises(SignatureError, match=message):
        verify_signed_pack(source, key)


def test_bad_trusted_key_is_a_clear_error(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    out = tmp_path / "p.zip"
    write_signed_pack(out, FILES, key, "f", "t")
    with pytest.raises(SignatureError, match="not a base64 Ed25519 key"):
        verify_signed_pack(out, "!!!")
