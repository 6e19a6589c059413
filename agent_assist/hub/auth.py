"""Bearer tokens: random (256 bits), shown once, stored only as SHA-256 hashes.

A plain hash (no salt, no slow KDF) is right here: the token is 256 random bits, so there is
nothing to guess, and a fast hash keeps the per-request lookup cheap.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from agent_assist.core.errors import AgentAssistError
from agent_assist.hub.db import Database

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


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def now_text() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def create_token(db: Database, name: str, role: Role) -> str:
    """A new token for ``name``; the only time the token itself is ever seen."""
    if not NAME_RE.match(name):
        raise TokenError(
            f"'{name}' is not a token name (expected 1-100 letters, digits, '.', '_', '@', '-')"
        )
    token = secrets.token_urlsafe(32)
    with db.transaction() as tx:
        row = tx.execute("SELECT revoked_at FROM tokens WHERE name = ?", (name,)).fetchone()
        if row is not None and row[0] is None:
            raise TokenError(f"a token named '{name}' exists already (revoke it first)")
        tx.execute("DELETE FROM tokens WHERE name = ?", (name,))
        tx.execute(
            "INSERT INTO tokens (name, role, hash, created_at) VALUES (?, ?, ?, ?)",
            (name, role.label, token_hash(token), now_text()),
        )
    return token


def list_tokens(db: Database) -> list[dict[str, Any]]:
    with db.read() as tx:
        rows = tx.execute(
            "SELECT name, role, created_at, revoked_at FROM tokens ORDER BY name"
        ).fetchall()
    return [
        {"name": r[0], "role": r[1], "created_at": r[2], "revoked_at": r[3], "active": not r[3]}
        for r in rows
    ]


def revoke_token(db: Database, name: str) -> None:
    with db.transaction() as tx:
        changed = tx.execute(
            "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
            (now_text(), name),
        ).rowcount
    if not changed:
        raise TokenError(f"no active token named '{name}'")


def authenticate(db: Database, token: str) -> Caller | None:
    """The caller holding ``token``, or ``None`` for an unknown or revoked one."""
    with db.read() as tx:
        row = tx.execute(
            "SELECT name, role FROM tokens WHERE hash = ? AND revoked_at IS NULL",
            (token_hash(token),),
        ).fetchone()
    return None if row is None else Caller(str(row[0]), Role.parse(str(row[1])))


def active_agents(db: Database) -> list[str]:
    """Names of active agent tokens: the people acknowledgement coverage counts."""
    with db.read() as tx:
        rows = tx.execute(
            "SELECT name FROM tokens WHERE role = 'agent' AND revoked_at IS NULL ORDER BY name"
        ).fetchall()
    return [str(r[0]) for r in rows]
