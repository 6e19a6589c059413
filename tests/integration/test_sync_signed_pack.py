"""Signed offline packs: exported by a real hub, verified against the key the client pinned
(or was given) before anything is imported; tampered packs are refused whole."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import httpx
import pytest

from agent_assist.cli import main
from agent_assist.core.cache.store import Store
from agent_assist.core.settings import Settings
from agent_assist.sync.credentials import TOKEN_ENV, Credentials
from agent_assist.sync.service import SyncState, sync_once
from tests.conftest import TINY_PACK
from tests.integration import hubserver
from tests.integration.hubserver import RunningHub

shared_hub = hubserver.shared_hub


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def signed_zip(shared_hub: RunningHub, tmp_path_factory: pytest.TempPathFactory) -> Path:
    body = hubserver.publish_body(TINY_PACK)
    r = httpx.post(f"{shared_hub.url}/v1/publish", json=body, headers=shared_hub.auth("lead"))
    assert r.is_success, r.text
    out = tmp_path_factory.mktemp("export") / "pack.zip"
    subprocess.run(
        shared_hub.command("export-pack", str(out), "--sign"),
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out


def tampered(source: Path, dest: Path) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "sops/coin-refund.md":
                data = data.replace(b"Refunds follow", b"Refunds never follow")
            zout.writestr(info, data)
    return dest


def test_without_a_trusted_key_nothing_is_imported(signed_zip: Path, data_dir: Path) -> None:
    code, _, err = cli("--data-dir", str(data_dir), "import", str(signed_zip))
    assert code == 1 and "no trusted hub key" in err
    with Store.in_dir(data_dir) as store:
        assert store.is_empty()


def test_pinned_key_verifies_and_tampering_is_refused(
    shared_hub: RunningHub, signed_zip: Path, data_dir: Path, tmp_path: Path
) -> None:
    settings = Settings(data_dir, system_file=data_dir / "none.toml")
    creds = Credentials(None, {TOKEN_ENV: shared_hub.tokens["agent"]})
    report = sync_once(data_dir, settings, hub_url=shared_hub.url, credentials=creds)
    assert report.state is SyncState.ONLINE
    bad = tampered(signed_zip, tmp_path / "bad.zip")
    code, _, err = cli("--data-dir", str(data_dir), "import", str(bad))
    assert code == 1 and "refused" in err and "changed after signing" in err
    code, out, err = cli("--data-dir", str(data_dir), "import", str(signed_zip), "--json")
    assert code == 0, err
    assert "signature verified" in err
    assert sorted(json.loads(out)["unchanged"]) == [
        "macro:account-secured",
        "macro:refund-approved",
        "sop:coin-refund",
        "sop:hacked-account",
    ]


def test_hub_key_file_during_an_outage(
    shared_hub: RunningHub, signed_zip: Path, data_dir: Path, tmp_path: Path
) -> None:
    key_file = tmp_path / "hub-key.json"
    key_file.write_text(httpx.get(f"{shared_hub.url}/v1/hub-key").text)
    code, out, err = cli(
        "--data-dir", str(data_dir), "import", str(signed_zip), "--hub-key", str(key_file)
    )
    assert code == 0, err
    assert "4 added" in out
    with Store.in_dir(data_dir) as store:
        assert store.get("coin-refund").pack == "hub-export"
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"public_key": "A" * 43 + "="}))
    code, _, err = cli(
        "--data-dir", str(data_dir), "import", str(signed_zip), "--hub-key", str(other)
    )
    assert code == 1 and "does not match the trusted hub key" in err
