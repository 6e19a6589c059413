"""``agent-assist-hub demo``: a real hub, seeded with weeks of a team's work, to look around.

It serves the hub as ``serve`` does (uvicorn, the same app) and, on first start in a data
dir, fills it through the hub's own HTTP API, as clients would: the lead publishes the
bundled demo pack and then a version 2 of five SOPs (``POST /v1/publish``), each simulated
agent uploads its events (``POST /v1/events``: validation, allow-list and scrubbing all
apply) and acknowledges SOPs (``POST /v1/acks``).  The simulation is ``demo_seed.py``.
Then it prints ``console: URL`` and ``token: LEAD_TOKEN`` and serves until stopped (Ctrl-C
or SIGTERM stop it cleanly).  Started again on the same data dir it seeds nothing and prints
a new lead token (a token is only ever shown once).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from agent_assist.core.errors import AgentAssistError
from agent_assist.core.knowledge.models import Kind, Sop
from agent_assist.core.knowledge.reader import parse_item
from agent_assist.core.privacy import TeamKey
from agent_assist.hub import auth
from agent_assist.hub.db import Database
from agent_assist.hub.demo_seed import AGENTS, TWO_VERSIONS, Seeded, seed, v2_text

SEEDED_SETTING = "demo_seeded"
BATCH = 500
START_TIMEOUT = 30.0


def _pack_files(pack: Path) -> dict[str, str]:
    return {
        str(p.relative_to(pack)): p.read_text(encoding="utf-8")
        for folder in ("sops", "macros")
        for p in sorted((pack / folder).glob("*.md"))
    }


def _publish_body(pack: Path, files: dict[str, str], note: str) -> dict[str, Any]:
    import yaml

    pack_yaml = (pack / "pack.yaml").read_text(encoding="utf-8")
    info = yaml.safe_load(pack_yaml)
    return {
        "pack": {
            "name": str(info["name"]),
            "version": str(info.get("version", "")),
            "locale": str(info.get("locale", "en")),
            "publisher": str(info.get("publisher", "")),
            "pack_yaml": pack_yaml,
        },
        "files": [{"path": p, "text": t} for p, t in files.items()],
        "note": note,
    }


def _sops(files: dict[str, str]) -> dict[str, Sop]:
    out = {}
    for path, text in files.items():
        if path.startswith("sops/"):
            item, _ = parse_item(text, path, Kind.SOP, "en")
            if item is not None and isinstance(item.content, Sop):
                out[item.content.id] = item.content
    return out


def _new_token(db: Database, base: str, role: auth.Role) -> tuple[str, str]:
    """A token for ``base`` (or ``base-2``, ``-3`` … when taken): (name, token)."""
    taken = {t["name"] for t in auth.list_tokens(db)}
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name, auth.create_token(db, name, role)


def _is_seeded(db: Database) -> bool:
    with db.read() as tx:
        row = tx.execute("SELECT value FROM settings WHERE name = ?", (SEEDED_SETTING,)).fetchone()
    return row is not None


def _mark_seeded(db: Database) -> None:
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (SEEDED_SETTING, auth.now_text()),
        )


def _next_second() -> None:
    """Wait for the hub clock's next second: the hub stores times to the second, and the
    uploads before the first publish must arrive in an earlier second than that publish."""
    time.sleep(1.0 - (time.time() % 1.0) + 0.01)


class _Seeder:
    def __init__(self, url: str, lead: str, agents: dict[str, str]) -> None:
        import httpx

        self.http = httpx.Client(base_url=url, timeout=60.0)
        self.lead, self.agents = lead, agents

    def call(self, method: str, path: str, token: str, body: Any = None) -> Any:
        response = self.http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code >= 300:
            raise AgentAssistError(
                f"demo: {method} {path} answered {response.status_code}: {response.text[:300]}"
            )
        return response.json()

    def upload(self, events: list[dict[str, Any]]) -> None:
        by_agent: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in events:
            by_agent[str(e["agent_id"])].append(e)
        for agent, mine in by_agent.items():
            for i in range(0, len(mine), BATCH):
                self.call("POST", "/v1/events", self.agents[agent], {"events": mine[i : i + BATCH]})

    def run(self, pack: Path) -> Seeded:
        key = self.call("GET", "/v1/team/secret", self.agents[AGENTS[0]])
        team_key = TeamKey(key["key_id"], bytes.fromhex(key["secret"]))
        files = _pack_files(pack)
        today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        plan = seed(_sops(files), team_key, today)
        self.upload(plan.early)  # sessions on the bundled demo, before anything is published
        _next_second()
        self.call("POST", "/v1/publish", self.lead, _publish_body(pack, files, "First publish"))
        v2 = {p: (v2_text(t) if Path(p).stem in TWO_VERSIONS else t) for p, t in files.items()}
        note = "Version 2: note the account or order ID before the first step's check"
        self.call("POST", "/v1/publish", self.lead, _publish_body(pack, v2, note))
        _next_second()
        self.upload(plan.events)
        for agent, sop_id, version in plan.acks:
            self.call(
                "POST", "/v1/acks", self.agents[agent], {"sop_id": sop_id, "version": version}
            )
        return plan


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def run_demo(data_dir: Path, database: str | None, host: str, port: int) -> int:
    import uvicorn

    from agent_assist.hub.serve import _build, _protocol
    from agent_assist.resources import demo_pack

    db = Database.open(database, data_dir)
    try:
        fresh = not _is_seeded(db)
        _, lead = _new_token(db, "demo-lead", auth.Role.LEAD)
        agents = {}
        if fresh:
            for name in AGENTS:
                if name not in {t["name"] for t in auth.list_tokens(db)}:
                    agents[name] = auth.create_token(db, name, auth.Role.AGENT)
    finally:
        db.close()
    port = port or _free_port(host)
    options = {
        "keepalive": 15.0,
        "docs": False,
        "limits": {"auth_failures": "30/min", "writes": "0", "ip_writes": "0"},
    }
    app = _build(database, data_dir, options)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, http=_protocol()
    )
    config.timeout_graceful_shutdown = 3
    server = uvicorn.Server(config)
    failed: list[BaseException] = []

    def seed_then_announce() -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started and not server.should_exit and time.monotonic() < deadline:
            time.sleep(0.05)
        if not server.started:
            return
        url = f"http://{host}:{port}"
        try:
            if fresh:
                print(f"seeding the hub in {data_dir} …", file=sys.stderr, flush=True)
                _Seeder(url, lead, agents).run(demo_pack())
                marker = Database.open(database, data_dir)
                try:
                    _mark_seeded(marker)
                finally:
                    marker.close()
        except BaseException as exc:  # reported by the main thread, after the server stops
            failed.append(exc)
            server.should_exit = True
            return
        print(f"console: {url}/console", flush=True)
        print(f"token: {lead}", flush=True)
        print("serving until stopped (Ctrl-C)", file=sys.stderr, flush=True)

    thread = threading.Thread(target=seed_then_announce, name="demo-seed", daemon=True)
    thread.start()
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the Ctrl-C it obeyed
        server.run()
    thread.join(timeout=5)
    if failed:
        raise AgentAssistError(f"demo: seeding the hub failed: {failed[0]}") from failed[0]
    if not server.started:
        raise AgentAssistError(f"demo: the hub could not start on {host}:{port}")
    return 0
