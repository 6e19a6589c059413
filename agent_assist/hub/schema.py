"""The hub schema, one migration per entry: SQL in the subset SQLite and PostgreSQL share.

Append a tuple to :data:`MIGRATIONS` to change the schema; never edit a released one.
Timestamps are ISO 8601 UTC text; booleans are 0/1 integers.
"""

from __future__ import annotations

_V1 = (
    "CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
    "INSERT INTO counters (name, value) VALUES ('feed', 0)",
    "INSERT INTO counters (name, value) VALUES ('learned', 0)",
    "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE tokens (name TEXT PRIMARY KEY, role TEXT NOT NULL, "
    "hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT)",
    # Every publish or retirement is one row; upserts are the immutable item versions.
    "CREATE TABLE changes (seq BIGINT PRIMARY KEY, op TEXT NOT NULL, kind TEXT NOT NULL, "
    "id TEXT NOT NULL, version BIGINT NOT NULL, content_hash TEXT NOT NULL, "
    "pack TEXT NOT NULL, pack_locale TEXT NOT NULL, source_path TEXT NOT NULL, "
    "source_text TEXT NOT NULL, published_at TEXT NOT NULL, author TEXT NOT NULL, "
    "note TEXT NOT NULL, requires_ack BIGINT NOT NULL)",
    "CREATE INDEX changes_item ON changes (kind, id, version)",
    # The current state of each item, kept beside the feed to diff a publish quickly.
    "CREATE TABLE items (kind TEXT NOT NULL, id TEXT NOT NULL, version BIGINT NOT NULL, "
    "content_hash TEXT NOT NULL, pack TEXT NOT NULL, retired BIGINT NOT NULL, "
    "seq BIGINT NOT NULL, PRIMARY KEY (kind, id))",
    "CREATE TABLE events (id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, type TEXT NOT NULL, "
    "wall TEXT NOT NULL, session_id TEXT NOT NULL, body TEXT NOT NULL, "
    "received_at TEXT NOT NULL)",
    "CREATE INDEX events_session ON events (session_id)",
    "CREATE INDEX events_wall ON events (wall)",
    "CREATE TABLE acks (sop_id TEXT NOT NULL, version BIGINT NOT NULL, agent TEXT NOT NULL, "
    "at TEXT NOT NULL, PRIMARY KEY (sop_id, version, agent))",
    "CREATE TABLE feedback (query TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, "
    "agent TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (query, kind, id, agent))",
    "CREATE TABLE learned (seq BIGINT PRIMARY KEY, sop_id TEXT NOT NULL, text TEXT NOT NULL, "
    "count BIGINT NOT NULL, UNIQUE (sop_id, text))",
)

# The team's keys for ticket hashes (hub/team_secret.py): the newest is current, older ones
# stay so hashes made under them remain attributable.  The counter row serializes creation.
_V2 = (
    "CREATE TABLE team_keys (seq BIGINT PRIMARY KEY, key_id TEXT NOT NULL UNIQUE, "
    "secret TEXT NOT NULL, created_at TEXT NOT NULL, retired_at TEXT)",
    "INSERT INTO counters (name, value) VALUES ('team_keys', 0)",
)

# Token expiry, and a counter that every token change increments: each request reads it (one
# row, one read shared by the requests that wait together, see ``tokencheck.py``), so a token
# revoked through any replica or the CLI is refused by every replica on its next request.
_V3 = (
    "ALTER TABLE tokens ADD COLUMN expires_at TEXT",
    "INSERT INTO counters (name, value) VALUES ('tokens', 0)",
)

# Console sign-in sessions (hub/console/session.py): only the SHA-256 of the session id is kept,
# with the hash of the token it was made from, so revoking that token ends its sessions too.
_V4 = (
    "CREATE TABLE console_sessions (id_hash TEXT PRIMARY KEY, token_hash TEXT NOT NULL, "
    "csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL)",
    "CREATE INDEX console_sessions_expiry ON console_sessions (expires_at)",
)

# Lead console content (issue 14).  Gaps inbox: a lead's decision per scrubbed query (groups
# are recomputed from the queries, so decisions attach to what was decided on); "covered by
# SOP X" queues the queries as phrasings of X until X's next publish, which applies them and
# records the version.  Drafts: edits waiting for a second lead when the team asks for
# approval.  Owners: who reviews an item (default: whoever published it last).
_V5 = (
    "CREATE TABLE gap_decisions (query TEXT PRIMARY KEY, decision TEXT NOT NULL, "
    "sop_id TEXT, decided_by TEXT NOT NULL, decided_at TEXT NOT NULL)",
    "CREATE TABLE pending_phrasings (sop_id TEXT NOT NULL, text TEXT NOT NULL, "
    "added_by TEXT NOT NULL, added_at TEXT NOT NULL, applied_version BIGINT, "
    "applied_at TEXT, PRIMARY KEY (sop_id, text))",
    "CREATE TABLE drafts (id BIGINT PRIMARY KEY, kind TEXT NOT NULL, item_id TEXT NOT NULL, "
    "pack TEXT NOT NULL, source_path TEXT NOT NULL, source_text TEXT NOT NULL, "
    "base_version BIGINT NOT NULL, note TEXT NOT NULL, author TEXT NOT NULL, "
    "created_at TEXT NOT NULL, status TEXT NOT NULL, decided_by TEXT, decided_at TEXT, "
    "reason TEXT, published_version BIGINT)",
    "CREATE INDEX drafts_status ON drafts (status)",
    "INSERT INTO counters (name, value) VALUES ('drafts', 0)",
    "CREATE TABLE owners (kind TEXT NOT NULL, id TEXT NOT NULL, owner TEXT NOT NULL, "
    "set_by TEXT NOT NULL, set_at TEXT NOT NULL, PRIMARY KEY (kind, id))",
    "CREATE INDEX events_type_wall ON events (type, wall)",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3, _V4, _V5)
