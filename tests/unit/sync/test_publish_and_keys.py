"""The publish upload is the pack as read; hub key files come in three forms."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent_assist.core.errors import PackError
from agent_assist.core.knowledge.checks import validate_pack
from agent_assist.core.knowledge.signing import SignatureError
from agent_assist.sync.publish import publish_payload
from agent_assist.sync.signed import read_key_file
from tests.conftest import TINY_PACK, write_pack


def test_payload_carries_each_file_verbatim(tiny_pack: Path) -> None:
    body = publish_payload(validate_pack(tiny_pack), "why", prune=True)
    assert body["pack"]["name"] == "tiny" and body["pack"]["pack_yaml"] == TINY_PACK["pack.yaml"]
    assert {f["path"]: f["text"] for f in body["files"]} == {
        k: v for k, v in TINY_PACK.items() if k != "pack.yaml"
    }
    assert (body["note"], body["prune"]) == ("why", True)


def test_a_pack_with_errors_is_not_uploaded(tmp_path: Path) -> None:
    root = write_pack(tmp_path, {**TINY_PACK, "sops/bad.md": "---\nid: bad\n---\n"})
    with pytest.raises(PackError, match="nothing was published") as info:
        publish_payload(validate_pack(root), "", prune=False)
    assert any(p.file == "sops/bad.md" for p in info.value.problems)


def test_key_file_forms(tmp_path: Path) -> None:
    public = Ed25519PrivateKey.generate().public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    b64 = base64.b64encode(raw).decode()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    forms = {"k.json": json.dumps({"public_key": b64}), "k.pem": pem.decode(), "k.txt": b64}
    for name, text in forms.items():
        (tmp_path / name).write_text(text)
        assert read_key_file(tmp_path / name) == b64
    (tmp_path / "bad.txt").write_text("bm90IGEga2V5")
    with pytest.raises(SignatureError, match="not a base64 Ed25519 public key"):
        read_key_file(tmp_path / "bad.txt")
    with pytest.raises(SignatureError, match="cannot read"):
        read_key_file(tmp_path / "missing.json")
