"""The team secret end to end: processes racing to create the local one, where a hub's key is
kept on the workstation, and a real hub issuing, rotating and receiving keyed hashes.

Security review, issue 11 item 2: an empty key was handed out under a race, and each
workstation hashed with its own key.  These tests pin both down.
"""

from __future__ import annotations

import io
import json
import stat
import subprocess
import sys
import threading
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from agent_assist.cli import main
from agent_assist.core.privacy import (
    LOCAL_KEY_ID,
    TeamKey,
    TeamSecretError,
    local_key,
    team_secret,
    ticket_hash,
)
from agent_assist.core.settings import Settings
from agent_assist.core.worklog.clock import SystemClock
from agent_assist.core.worklog.events import EventLog, Outcome
from agent_assist.core.worklog.sessions import SessionService
from agent_assist.hub.db import Database
from agent_assist.sync.credentials import SERVICE, TOKEN_ENV, Credentials, TeamKeys
from agent_assist.sync.errors import HubRejectedError
from agent_assist.sync.service import SyncState, sync_once
from tests.integration import hubserver
from tests.integration.hubserver import HubServer, RunningHub
from tests.integration.secret_race import PROCESSES, race
from tests.unit.sync.test_credentials import DictKeyring

hub = hubserver.hub
TICKET = "884213"

# -- 8 processes creating the local secret at once -------------------------------------------


def test_eight_processes_creating_the_secret_all_get_the_same_non_empty_one(
    tmp_path: Path,
) -> None:
    results = race(tmp_path, "agent_assist.core.privacy.tickets:team_secret")
    for n, got in enumerate(results):
        assert len(got) == PROCESSES
        assert len(set(got)) == 1, f"round {n}: {got}"
        assert len(got[0]) == 64 and not got[0].startswith("error"), f"round {n}: {got}"
        assert bytes.fromhex(got[0]) == team_secret(tmp_path / f"round-{n}")
        assert [p.name for p in (tmp_path / f"round-{n}").iterdir()] == ["team-secret"]


def test_an_empty_team_secret_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "team-secret").touch()
    with pytest.raises(TeamSecretError) as caught:
        team_secret(tmp_path)
    message = str(caught.value)
    assert "is empty" in message and str(tmp_path / "team-secret") in message
    assert "delete the file" in message


# -- where a hub's key is kept on the workstation --------------------------------------------

URL = "https://hub.example"
KEY = TeamKey("3fa9c2d1", b"s" * 32)


def test_without_a_keyring_the_hub_key_is_a_private_file(tmp_path: Path) -> None:
    keys = Credentials(None, {}).team_keys(tmp_path)
    assert keys.get(URL) is None and keys.shareable(URL).key_id == LOCAL_KEY_ID
    assert keys.store(URL, KEY) == "file"
    assert keys.get(URL) == KEY and keys.shareable(URL) == KEY
    assert keys.shareable("") == local_key(tmp_path)  # no hub: this workstation's own
    saved = json.loads(keys.file(URL).read_text(encoding="utf-8"))
    assert saved == {"hub": URL, "key_id": KEY.key_id, "secret": KEY.hex}
    assert Credentials(None, {}).team_keys(tmp_path).get("https://other") is None
    if sys.platform != "win32":
        assert stat.S_IMODE(keys.file(URL).stat().st_mode) == 0o600


def test_with_a_keyring_the_hub_key_is_kept_there_only(tmp_path: Path) -> None:
    ring = DictKeyring()
    keys = Credentials(ring, {}).team_keys(tmp_path)
    Credentials(None, {}).team_keys(tmp_path).store(URL, TeamKey("old", b"o" * 32))
    assert keys.store(URL, KEY) == "keyring"
    assert json.loads(ring.data[(SERVICE, f"team-secret:{URL}")])["key_id"] == KEY.key_id
    assert not keys.file(URL).exists()  # the fallback copy is gone
    assert keys.get(URL) == KEY


def test_a_refusing_keyring_falls_back_to_the_file(tmp_path: Path) -> None:
    keys = TeamKeys(DictKeyring(fail=True), tmp_path)
    assert keys.store(URL, KEY) == "file" and keys.get(URL) == KEY


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is malformed"),
        ('{"key_id": "k1", "secret": ""}', "is empty"),
        ('{"key_id": "k1", "secret": "abcd"}', "is malformed"),
        ('{"key_id": "", "secret": "' + "ab" * 32 + '"}', "is not a team key id"),
    ],
)
def test_a_damaged_stored_key_is_an_error_never_used(
    tmp_path: Path, content: str, message: str
) -> None:
    keys = Credentials(None, {}).team_keys(tmp_path)
    keys.file(URL).write_text(content, encoding="utf-8")
    with pytest.raises(TeamSecretError, match=message):
        keys.get(URL)
    with pytest.raises(TeamSecretError, match=message):
        keys.shareable(URL)


def test_a_hub_that_issues_no_key_means_the_local_one(tmp_path: Path) -> None:
    class OldHub:
        base_url = URL

        def team_secret(self) -> TeamKey:
            raise HubRejectedError("GET /v1/team/secret (404: Not Found)", 404)

    keys = TeamKeys(None, tmp_path)
    assert keys.refresh(OldHub()) == local_key(tmp_path)  # type: ignore[arg-type]
    assert keys.get(URL) is None


# -- a real hub ------------------------------------------------------------------------------


def _key(hub: RunningHub, role: str) -> dict[str, Any]:
    response = hub.http.get("/v1/team/secret", headers=hub.auth(role))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return dict(response.json())


def test_the_hub_issues_one_key_and_admins_rotate_it(hub: RunningHub) -> None:
    first = _key(hub, "agent")
    assert _key(hub, "lead") == first == _key(hub, "admin")
    assert TeamKey.from_hex(first["key_id"], first["secret"], "test").key_id == first["key_id"]
    assert hub.http.get("/v1/team/secret").status_code == 401
    assert hub.http.post("/v1/team/secret/rotate", headers=hub.auth("lead")).status_code == 403
    rotated = hub.http.post("/v1/team/secret/rotate", headers=hub.auth("admin"))
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["previous"] == first["key_id"]
    second = _key(hub, "agent")
    assert second["key_id"] == rotated.json()["key_id"] != first["key_id"]
    assert second["secret"] != first["secret"]

    out = subprocess.run(hub.command("secret", "rotate"), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert f"replaces {second['key_id']}" in out.stdout
    listed = subprocess.run(hub.command("secret", "list"), capture_output=True, text=True)
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [r[0] for r in rows[1:]] == [second["key_id"], first["key_id"]]  # old keys kept
    assert rows[0][2] == "current" and all(r[2].startswith("retired ") for r in rows[1:])
    assert first["secret"] not in listed.stdout
    assert _key(hub, "agent")["key_id"] == rows[0][0]


def test_replicas_making_the_first_key_together_make_one(hub: RunningHub) -> None:
    from agent_assist.hub import team_secret as hub_keys

    dbs = [Database.open(hub.database_url, hub.data_dir) for _ in range(4)]
    got: list[str] = []
    start = threading.Barrier(len(dbs))

    def first_key(db: Database) -> None:
        start.wait(timeout=30)
        got.append(hub_keys.current_key(db).key_id)

    threads = [threading.Thread(target=first_key, args=(db,)) for db in dbs]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(got) == 4 and len(set(got)) == 1
        assert [k["key_id"] for k in hub_keys.list_keys(dbs[0])] == got[:1]
    finally:
        for db in dbs:
            db.close()


def _workstation(data_dir: Path, hub: RunningHub, outcome: Outcome = Outcome.RESOLVED) -> Settings:
    """A data dir that handled :data:`TICKET` (started and ended) and points at ``hub``."""
    settings = Settings(data_dir, system_file=data_dir / "none.toml")
    settings.set("hub_url", hub.url)
    with EventLog.in_dir(data_dir) as log:
        service = SessionService(log, SystemClock(), "someone")
        service.start(TICKET)
        service.end(outcome)
    return settings


def _sync(data_dir: Path, settings: Settings, token: str) -> None:
    report = sync_once(data_dir, settings, credentials=Credentials(None, {TOKEN_ENV: token}))
    assert report.state is SyncState.ONLINE and report.error is None, report.error
    assert report.pushed >= 2


def _hub_hashes(hub: RunningHub) -> dict[str, set[str]]:
    """Ticket hashes the hub stores, per agent; also checks no raw ticket id is stored."""
    db = Database.open(hub.database_url, hub.data_dir)
    try:
        with db.read() as tx:
            rows = tx.execute("SELECT agent_id, body FROM events").fetchall()
    finally:
        db.close()
    hashes: dict[str, set[str]] = {}
    for agent, body in rows:
        assert TICKET not in body
        hashes.setdefault(str(agent), set()).add(json.loads(body)["ticket_hash"])
    return hashes


def test_two_workstations_hash_a_ticket_alike_and_reports_agree(
    hub: RunningHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ticket is handed from Bob (workstation a) to Eve (workstation b)."""
    eve = hub.create_token("agent-eve", "agent")
    a, b = tmp_path / "a", tmp_path / "b"
    _sync(a, _workstation(a, hub, Outcome.TRANSFERRED), hub.tokens["agent"])
    _sync(b, _workstation(b, hub), eve)

    key = _key(hub, "agent")
    expected = ticket_hash(TICKET, TeamKey.from_hex(key["key_id"], key["secret"], "test"))
    assert expected.startswith(f"t1-{key['key_id']}-")
    assert _hub_hashes(hub) == {"agent-bob": {expected}, "agent-eve": {expected}}
    for data_dir in (a, b):  # each kept the hub's key (no keyring here: the 0600 file)
        assert TeamKeys(None, data_dir).get(hub.url) == TeamKey.from_hex(
            key["key_id"], key["secret"], "test"
        )
        assert ticket_hash(TICKET, local_key(data_dir)) != expected

    import agent_assist.sync.credentials as credentials

    monkeypatch.setattr(credentials, "_process_credentials", Credentials(None, {}))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(
            ["--data-dir", str(a), "report", "--by", "ticket", "--format", "csv", "--shareable"]
        )
    assert code == 0, err.getvalue()
    assert expected in out.getvalue() and TICKET not in out.getvalue()


def test_another_hub_or_a_rotated_key_hashes_differently(hub: RunningHub, tmp_path: Path) -> None:
    a = tmp_path / "a"
    _sync(a, _workstation(a, hub), hub.tokens["agent"])
    (before,) = _hub_hashes(hub)["agent-bob"]
    rotated = hub.http.post("/v1/team/secret/rotate", headers=hub.auth("admin")).json()
    _sync(a, _workstation(a, hub), hub.tokens["agent"])  # the same ticket again
    after = _hub_hashes(hub)["agent-bob"] - {before}
    assert [h.split("-")[1] for h in after] == [rotated["key_id"]]
    assert before.split("-")[1] == rotated["previous"]  # still says which key made it

    with HubServer(tmp_path / "other-hub") as other:
        c = tmp_path / "c"
        _sync(c, _workstation(c, other), other.tokens["agent"])
        (elsewhere,) = _hub_hashes(other)["agent-bob"]
    assert elsewhere not in (before, *after)


def test_the_hub_refuses_a_raw_ticket_id(hub: RunningHub) -> None:
    (event,) = hubserver.session_events(hub.names["agent"], "coin-refund", 1, 60)[:1]
    refused = hub.http.post(
        "/v1/events",
        json={"events": [{**event, "ticket_hash": TICKET}]},
        headers=hub.auth("agent"),
    )
    assert refused.status_code == 422
    assert "ticket_hash" in refused.text and "not a keyed ticket hash" in refused.text
    old_format = {**event, "ticket_hash": "t-" + "0" * 32}  # clients before key ids
    accepted = hub.http.post("/v1/events", json={"events": [old_format]}, headers=hub.auth("agent"))
    assert accepted.status_code == 200 and accepted.json()["accepted"] == 1
