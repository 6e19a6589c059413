"""The client against a real hub (uvicorn subprocess): publish, pull, the SSE notice, signed
packs.  No mocks of our own hub."""

from __future__ import annotations

import io
import json
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import httpx
import pytest

from agent_assist.cli import main
from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.models import Kind
from agent_assist.core.settings import Settings
from agent_assist.sync.credentials import TOKEN_ENV, Credentials
from agent_assist.sync.service import SyncReport, SyncState, listen_for_changes, sync_once
from tests.conftest import TINY_PACK, write_pack
from tests.integration import hubserver
from tests.integration.hubserver import RunningHub

hub = hubserver.hub


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def agent_settings(data_dir: Path, hub: RunningHub) -> Settings:
    settings = Settings(data_dir, system_file=data_dir / "none.toml")
    settings.set("hub_url", hub.url)
    return settings


def as_agent(hub: RunningHub) -> Credentials:
    return Credentials(None, {TOKEN_ENV: hub.tokens["agent"]})


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "tiny", TINY_PACK)


def test_publish_cli_then_sync_cli(
    hub: RunningHub, tiny: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, hub.tokens["lead"])
    code, out, err = cli(
        "--data-dir", str(data_dir), "publish", str(tiny), "--hub", hub.url, "--note", "first"
    )
    assert code == 0, err
    assert "4 new version(s)" in out
    monkeypatch.setenv(TOKEN_ENV, hub.tokens["agent"])
    code, out, err = cli("--data-dir", str(data_dir), "sync", "--hub", hub.url, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["state"] == "online" and report["agent"] == "agent-bob"
    assert sorted(report["changed"]) == [
        "macro:account-secured",
        "macro:refund-approved",
        "sop:coin-refund",
        "sop:hacked-account",
    ]
    assert report["key_pinned"]
    with Store.in_dir(data_dir) as store:
        item = store.get("coin-refund")
        assert (item.pack, item.version) == ("tiny", 1)
        assert store.source(Kind.SOP, "coin-refund")[1] == TINY_PACK["sops/coin-refund.md"]
        assert store.hub_pack_names() == {"tiny"}
    # idle: nothing new (the ETag poll)
    code, out, _ = cli("--data-dir", str(data_dir), "sync", "--hub", hub.url)
    assert code == 0 and "0 item(s) changed" in out


def test_publish_refused_by_local_checks_sends_nothing(
    hub: RunningHub, tiny: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, hub.tokens["lead"])
    bad = tiny / "sops" / "hacked-account.md"
    bad.write_text(bad.read_text().replace("title: Hacked", "titel: Hacked"))
    code, _, err = cli("--data-dir", str(data_dir), "publish", str(tiny), "--hub", hub.url)
    assert code == 1 and "sops/hacked-account.md:" in err
    assert httpx.get(f"{hub.url}/v1/changes", headers=hub.auth("agent")).json()["cursor"] == 0


def test_publish_as_agent_is_refused(
    hub: RunningHub, tiny: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, hub.tokens["agent"])
    code, _, err = cli("--data-dir", str(data_dir), "publish", str(tiny), "--hub", hub.url)
    assert code == 1 and "403" in err


def test_bad_token_is_auth_failed(hub: RunningHub, data_dir: Path) -> None:
    report = sync_once(
        data_dir,
        agent_settings(data_dir, hub),
        credentials=Credentials(None, {TOKEN_ENV: "not-a-token"}),
    )
    assert report.state is SyncState.AUTH_FAILED and "401" in (report.error or "")


def _publish(hub: RunningHub, files: dict[str, str]) -> None:
    body = hubserver.publish_body(files)
    response = httpx.post(f"{hub.url}/v1/publish", json=body, headers=hub.auth("lead"))
    assert response.status_code == 200, response.text


@pytest.fixture
def listener(hub: RunningHub, data_dir: Path) -> Iterator[queue.Queue[SyncReport]]:
    reports: queue.Queue[SyncReport] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(
        target=listen_for_changes,
        args=(data_dir, agent_settings(data_dir, hub), stop, reports.put),
        kwargs={"credentials": as_agent(hub)},
        daemon=True,
    )
    thread.start()
    yield reports
    stop.set()
    thread.join(10)
    assert not thread.is_alive()


def test_publish_reaches_a_listening_agent_within_2_seconds(
    hub: RunningHub, listener: queue.Queue[SyncReport], data_dir: Path
) -> None:
    first = listener.get(timeout=10)
    assert first.state is SyncState.ONLINE and first.changed == []
    latencies = []
    for n in range(5):
        text = TINY_PACK["sops/hacked-account.md"].replace("Put the account", f"Hold ({n})")
        files = {**TINY_PACK, "sops/hacked-account.md": text}
        started = time.monotonic()
        _publish(hub, files)
        report = listener.get(timeout=2)
        while "sop:hacked-account" not in report.changed:  # the first round brings all four
            report = listener.get(timeout=2)
        latencies.append(time.monotonic() - started)
        assert report.state is SyncState.ONLINE
        with Store.in_dir(data_dir) as store:
            assert f"Hold ({n})" in store.source(Kind.SOP, "hacked-account")[1]
    assert max(latencies) < 2.0, latencies
    print(
        f"publish -> applied: max {max(latencies) * 1000:.0f} ms, "
        f"median {sorted(latencies)[2] * 1000:.0f} ms"
    )


def test_login_without_a_keyring_explains_the_fallback(
    hub: RunningHub, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import agent_assist.sync.credentials as credentials

    monkeypatch.delenv(TOKEN_ENV, raising=False)  # headless Linux: no keyring backend
    monkeypatch.setattr(credentials, "_process_credentials", Credentials(None))
    monkeypatch.setattr("sys.stdin", io.StringIO(hub.tokens["agent"] + "\n"))
    code, out, err = cli(
        "--data-dir", str(data_dir), "login", "--hub", hub.url + "/", "--token-stdin"
    )
    assert code == 1
    assert "Token accepted by " + hub.url + ": agent-bob (agent)" in out
    assert "NOT saved" in err and TOKEN_ENV in err
    assert Settings(data_dir).get("hub_url") == hub.url
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong-token\n"))
    code, _, err = cli("--data-dir", str(data_dir), "login", "--hub", hub.url, "--token-stdin")
    assert code == 1 and "401" in err
