"""Console sessions: a lead's or admin's bearer token exchanged for an expiring cookie.

The cookie holds a random session id (256 bits); the database keeps only its SHA-256, the
session's CSRF token, its expiry and the hash of the bearer token it was made from.  Every
request looks the token up again (through the gate's cached :class:`TokenCheck`), so revoking
or expiring a token ends its console sessions on every replica at once; signing out deletes
the row, so a copied cookie is worthless afterwards.  Rows live in the database, not in
memory, so ``serve --workers N`` and replicas share them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from agent_assist.hub.auth import Caller, parse_time, time_text
from agent_assist.hub.db import Database

COOKIE = "aa_console"
LIFETIME = dt.timedelta(hours=8)
MAX_COOKIE_CHARS = 100


@dataclass(frozen=True)
class Found:
    caller: Caller
    csrf: str


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def create(db: Database, token_hash: str, now: dt.datetime) -> str:
    """A new session for the token hashed ``token_hash``; returns the cookie value."""
    session_id = secrets.token_urlsafe(32)
    with db.transaction() as tx:
        tx.execute("DELETE FROM console_sessions WHERE expires_at < ?", (time_text(now),))
        tx.execute(
            "INSERT INTO console_sessions (id_hash, token_hash, csrf, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                _hash(session_id),
                token_hash,
                secrets.token_urlsafe(32),
                time_text(now),
                time_text(now + LIFETIME),
            ),
        )
    return session_id


def end(db: Database, session_id: str) -> None:
    with db.transaction() as tx:
        tx.execute("DELETE FROM console_sessions WHERE id_hash = ?", (_hash(session_id),))


def _row(db: Database, session_id: str) -> tuple[str, str, str] | None:
    with db.read() as tx:
        row = tx.execute(
            "SELECT token_hash, csrf, expires_at FROM console_sessions WHERE id_hash = ?",
            (_hash(session_id),),
        ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), str(row[2]))


async def lookup(request: Request) -> Found | None:
    """The caller of the request's session cookie, if the session and its token are valid."""
    session_id = request.cookies.get(COOKIE, "")
    if not session_id or len(session_id) > MAX_COOKIE_CHARS:
        return None
    state = request.app.state.hub
    row = await run_in_threadpool(_row, state.db, session_id)
    if row is None:
        return None
    token_hash, csrf, expires = row
    now = dt.datetime.now(dt.UTC)
    if parse_time(expires) <= now:
        return None
    token = await state.tokens.find(token_hash)
    if token is None or token.expired(now):
        return None
    return Found(token.caller, csrf)


def set_cookie(response: Response, request: Request, session_id: str) -> None:
    """HttpOnly, SameSite=Strict, Secure when the console is served over TLS."""
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(LIFETIME.total_seconds()),
        path="/console",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        COOKIE,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
