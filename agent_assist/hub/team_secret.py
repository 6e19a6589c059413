"""The team's key for ticket hashes: issued by the hub, so one ticket hashes alike on every
workstation of the team and the hub can follow a ticket handed from one agent to another.

The key is made on first need and kept in the hub database (table ``team_keys``), so every
replica hands out the same one.  Rotation (:func:`rotate`: ``POST /v1/team/secret/rotate``,
``agent-assist-hub secret rotate``) makes a new current key and keeps the old ones: a hash
names its key (``t1-<key id>-...``), so hashes made before a rotation stay attributable.
Whoever holds the database holds the keys: back it up as a secret (``docs/sync.md``).
"""

from __future__ import annotations

import secrets
from typing import Any

from agent_assist.core.privacy import TeamKey, TeamSecretError
from agent_assist.core.privacy.tickets import SECRET_BYTES
from agent_assist.hub.auth import now_text
from agent_assist.hub.db import Database, HubStoreError, Tx

KEY_ID_BYTES = 4
"""Key ids are 8 hex digits: short in every hash, and two hubs' ids differ by chance."""


def current_key(db: Database) -> TeamKey:
    """The key agents hash with now, created on first need."""
    with db.read() as tx:
        row = _newest(tx)
    if row is not None:
        return _key(row)
    return _make(db, rotate=False)[0]


def rotate(db: Database) -> tuple[TeamKey, str | None]:
    """A new current key; returns it and the id of the key it replaces (None: the first)."""
    return _make(db, rotate=True)


def list_keys(db: Database) -> list[dict[str, Any]]:
    """Every key without its secret, newest first (for ``agent-assist-hub secret list``)."""
    with db.read() as tx:
        rows = tx.execute(
            "SELECT key_id, created_at, retired_at FROM team_keys ORDER BY seq DESC"
        ).fetchall()
    return [
        {"key_id": r[0], "created_at": r[1], "retired_at": r[2], "current": i == 0}
        for i, r in enumerate(rows)
    ]


def _make(db: Database, *, rotate: bool) -> tuple[TeamKey, str | None]:
    with db.transaction() as tx:
        # Lock the counter row: two replicas creating the first key at once make one key.
        tx.execute("UPDATE counters SET value = value + 1 WHERE name = 'team_keys'")
        row = _newest(tx)
        if row is not None and not rotate:
            return _key(row), None
        key = TeamKey(secrets.token_hex(KEY_ID_BYTES), secrets.token_bytes(SECRET_BYTES))
        now = now_text()
        seq = int(row[0]) + 1 if row is not None else 1
        previous = str(row[1]) if row is not None else None
        if previous is not None:
            tx.execute("UPDATE team_keys SET retired_at = ? WHERE seq = ?", (now, row[0]))
        tx.execute(
            "INSERT INTO team_keys (seq, key_id, secret, created_at) VALUES (?, ?, ?, ?)",
            (seq, key.key_id, key.hex, now),
        )
    return key, previous


def _newest(tx: Tx) -> Any:
    return tx.execute(
        "SELECT seq, key_id, secret FROM team_keys ORDER BY seq DESC LIMIT 1"
    ).fetchone()


def _key(row: Any) -> TeamKey:
    try:
        return TeamKey.from_hex(str(row[1]), str(row[2]), f"the hub database (key {row[1]})")
    except TeamSecretError as exc:  # a damaged row: the store's fault, not the caller's
        raise HubStoreError(str(exc)) from exc
