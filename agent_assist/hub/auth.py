"""Bearer tokens: random (256 bits), shown once, stored only as SHA-256 hashes.

A plain hash (no salt, no slow KDF) is right here: the token is 256 random bits, so there is
nothing to guess, and a fast hash keeps the per-request lookup cheap.

A token may carry an expiry (``expires_at``); every change to the table (create, revoke)
increments the ``tokens`` counter in the same transaction, which is how every replica learns
of a revocation on its next request (``tokencheck.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from agent_assist.core.errors import AgentAssistError
from agent_assist.hub.db import Database, notify

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}\Z")


class Role(IntEnum):
    """Ordered: a higher role may do everything a lower one may."""

    AGENT = 1
    LEAD = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls[text.upper()]
        except KeyError:
            raise TokenError(f"unknown role '{text}' (expected agent, lead or admin)") from None


class TokenError(AgentAssistError):
    """A token operation that cannot be done (duplicate name, unknown token, bad role)."""


@dataclass(frozen=True)
class Caller:
    name: str
    role: Role


@dataclass(frozen=True)
class TokenRow:
    """An unrevoked token as stored: who holds it and until when (``None``: no expiry)."""

    caller: Caller
    expires_at: dt.datetime | None

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def time_text(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def now_text() -> str:
    return time_text(dt.datetime.now(dt.UTC))


def parse_time(text: str) -> dt.datetime:
    """A time this module wrote (``time_text``)."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_expiry(text: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """``--expires``: a span from now (``30d``, ``12h``, ``2w``), an ISO 8601 time (naive:
    UTC), or ``never``.  The result lies in the future and before the year 2100."""
    from agent_assist.core.worklog.durations import parse_span

    now = now or dt.datetime.now(dt.UTC)
    if text.strip().lower() == "never":
        return None
    try:
        when = now + parse_span(text)
    except (OverflowError, ValueError):
        raise TokenError(f"expiry '{text}' is out of range (years 2000-2099)") from None
    except AgentAssistError:
        try:
            when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise TokenError(
                f"expiry '{text}' is neither a span (30d, 12h), an ISO 8601 time nor 'never'"
            ) from None
        when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    if not 2000 <= when.year <= 2099:
        raise TokenError(f"expiry '{text}' is out of range (years 2000-2099)")
    if when <= now:
        raise TokenError(f"expiry '{text}' is not in the future")
    return when


def _changed(tx: Any) -> None:
    """Every token change moves the counter replicas compare before trusting their cache."""
    tx.execute("UPDATE counters SET value = value + 1 WHERE name = 'tokens'")
    notify(tx, "tokens")  # listening replicas drop their token caches when this commits


def create_token(db: Database, name: str, role: Role, expires_at: dt.datetime | None = None) -> str:
    """A new token for ``name``; the only time the token itself is ever seen."""
    if not NAME_RE.match(name):
        raise TokenError(
            f"'{name}' is not a token name (expected 1-100 letters, digits, '.', '_', '@', '-')"
        )
    if expires_at is not None and not 2000 <= expires_at.year <= 2099:
        raise TokenError(f"expiry {expires_at} is out of range (years 2000-2099)")
    token = secrets.token_urlsafe(32)
    expires = time_text(expires_at) if expires_at is not None else None
    with db.transaction() as tx:
        row = tx.execute("SELECT revoked_at FROM tokens WHERE name = ?", (name,)).fetchone()
        if row is not None and row[0] is None:
            raise TokenError(f"a token named '{name}' exists already (revoke it first)")
        tx.execute("DELETE FROM tokens WHERE name = ?", (name,))
        tx.execute(
            "INSERT INTO tokens (name, role, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            (name, role.label, token_hash(token), now_text(), expires),
        )
        _changed(tx)
    return token


def list_tokens(db: Database) -> list[dict[str, Any]]:
    with db.read() as tx:
        rows = tx.execute(
            "SELECT name, role, created_at, revoked_at, expires_at FROM tokens ORDER BY name"
        ).fetchall()
    now = dt.datetime.now(dt.UTC)
    return [
        {
            "name": r[0],
            "role": r[1],
            "created_at": r[2],
            "revoked_at": r[3],
            "expires_at": r[4],
            "active": not r[3] and not (r[4] and parse_time(r[4]) <= now),
        }
        for r in rows
    ]


def revoke_token(db: Database, name: str) -> None:
    with db.transaction() as tx:
        changed = tx.execute(
            "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
            (now_text(), name),
        ).rowcount
        if changed:
            _changed(tx)
    if not changed:
        raise TokenError(f"no active token named '{name}'")


def lookup(db: Database, hashed: str) -> TokenRow | None:
    """The unrevoked token with SHA-256 ``hashed`` (expired or not), or ``None``."""
    with db.read() as tx:
        row = tx.execute(
            "SELECT name, role, expires_at FROM tokens WHERE hash = ? AND revoked_at IS NULL",
            (hashed,),
        ).fetchone()
    if row is None:
        return None
    expires = parse_time(str(row[2])) if row[2] else None
    return TokenRow(Caller(str(row[0]), Role.parse(str(row[1]))), expires)


LOOKUP_BATCH = 256
"""Hashes per query in :func:`lookup_many` (far below SQLite's limit on parameters)."""


def lookup_many(db: Database, hashes: Sequence[str]) -> dict[str, TokenRow]:
    """The unrevoked tokens among ``hashes`` (expired or not), by hash: one query per
    :data:`LOOKUP_BATCH` hashes, in one snapshot."""
    found: dict[str, TokenRow] = {}
    with db.read() as tx:
        for start in range(0, len(hashes), LOOKUP_BATCH):
            chunk = hashes[start : start + LOOKUP_BATCH]
            marks = ", ".join("?" * len(chunk))
            rows = tx.execute(
                "SELECT hash, name, role, expires_at FROM tokens "
                f"WHERE hash IN ({marks}) AND revoked_at IS NULL",
                chunk,
            ).fetchall()
            for hashed, name, role, expires_at in rows:
                expires = parse_time(str(expires_at)) if expires_at else None
                found[str(hashed)] = TokenRow(Caller(str(name), Role.parse(str(role))), expires)
    return found


def generation(db: Database) -> int:
    """The ``tokens`` counter: it moves whenever any token is created or revoked."""
    with db.read() as tx:
        return int(tx.execute("SELECT value FROM counters WHERE name = 'tokens'").fetchone()[0])


def authenticate(db: Database, token: str) -> Caller | None:
    """The caller holding ``token``, or ``None`` for an unknown, revoked or expired one."""
    row = lookup(db, token_hash(token))
    if row is None or row.expired(dt.datetime.now(dt.UTC)):
        return None
    return row.caller


def active_agents(db: Database) -> list[str]:
    """Names of active agent tokens: the people acknowledgement coverage counts."""
    with db.read() as tx:
        rows = tx.execute(
            "SELECT name, expires_at FROM tokens WHERE role = 'agent' AND revoked_at IS NULL "
            "ORDER BY name"
        ).fetchall()
    now = dt.datetime.now(dt.UTC)
    return [str(r[0]) for r in rows if not (r[1] and parse_time(str(r[1])) <= now)]
