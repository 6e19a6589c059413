"""Signed offline packs: export from a running hub's store, verify with the served key,
import-ready; any tampering fails verification."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from agent_assist.core.knowledge.checks import validate_pack
from agent_assist.core.knowledge.signing import (
    SignatureError,
    extract_signed_pack,
    verify_signed_pack,
)
from tests.conftest import TINY_PACK
from tests.integration import hubserver
from tests.integration.hubserver import RunningHub, publish_body

hub = hubserver.hub


def _rewrite(source: Path, target: Path, change: dict[str, bytes | None]) -> None:
    """Copy a zip, replacing (bytes) or dropping (None) members, adding new ones."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            if info.filename in change:
                continue
            zout.writestr(info, zin.read(info))
        for name, data in change.items():
            if data is not None:
                zout.writestr(name, data)


def test_signed_pack_round_trip_and_tampering(hub: RunningHub, tmp_path: Path) -> None:
    hub.http.post(
        "/v1/publish", json=publish_body(TINY_PACK), headers=hub.auth("lead")
    ).raise_for_status()
    hub.http.post(
        "/v1/retire",
        json={"items": [{"kind": "macro", "id": "account-secured"}]},
        headers=hub.auth("lead"),
    ).raise_for_status()
    out = tmp_path / "pack.zip"
    done = subprocess.run(
        hub.command("export-pack", "--sign", str(out)), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "3 item(s)" in done.stdout

    key = hub.http.get("/v1/hub-key").json()
    assert key["algorithm"] == "ed25519" and len(key["fingerprint"]) == 64
    assert key["fingerprint"] in done.stdout
    key_file = hub.data_dir / "hub-signing-key.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600

    files = verify_signed_pack(out, key["public_key"])
    assert set(files) == {
        "pack.yaml",
        "sops/coin-refund.md",
        "sops/hacked-account.md",
        "macros/refund-approved.md",
    }
    assert files["sops/coin-refund.md"].decode() == TINY_PACK["sops/coin-refund.md"]
    pack = validate_pack(extract_signed_pack(out, key["public_key"], tmp_path / "pack"))
    assert pack.errors == [] and len(pack.items) == 3

    tampered: dict[str, dict[str, bytes | None]] = {
        "changed file": {"sops/coin-refund.md": b"---\nid: coin-refund\ntitle: Pay\n---\n"},
        "added file": {"sops/extra.md": b"---\nid: extra\ntitle: Extra\n---\n"},
        "missing file": {"macros/refund-approved.md": None},
        "changed manifest": {"MANIFEST.json": b'{"files": {}}'},
        "no signature": {"MANIFEST.sig": None},
    }
    for what, change in tampered.items():
        bad = tmp_path / f"{what}.zip"
        _rewrite(out, bad, change)
        with pytest.raises(SignatureError):
            verify_signed_pack(bad, key["public_key"])

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from agent_assist.hub.keys import public_key_b64

    other = public_key_b64(Ed25519PrivateKey.generate())
    with pytest.raises(SignatureError, match="does not match the trusted hub key"):
        verify_signed_pack(out, other)
