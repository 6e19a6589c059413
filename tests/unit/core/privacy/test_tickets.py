"""Keyed ticket hashes: stable, naming their key, useless without it; the local team secret
created whole and private, and refused when empty or malformed.  Processes racing to create
it, and the hub's key: tests/integration/test_team_secret.py."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from agent_assist.core.privacy import (
    LOCAL_KEY_ID,
    SECRET_FILE,
    TICKET_HASH_RE,
    TeamKey,
    TeamSecretError,
    local_key,
    team_secret,
    ticket_hash,
    write_private_file,
)

A = TeamKey("k1", b"a" * 32)
B = TeamKey("k2", b"b" * 32)


def test_ticket_hash_is_keyed_stable_and_names_its_key() -> None:
    assert ticket_hash("T-1001", A) == ticket_hash(" T-1001 ", A)
    assert ticket_hash("T-1001", A) != ticket_hash("T-1002", A)
    assert ticket_hash("T-1001", A) != ticket_hash("T-1001", B)
    assert ticket_hash("T-1001", A)[3:] != ticket_hash("T-1001", TeamKey("k1", b"c" * 32))[3:]
    assert "1001" not in ticket_hash("T-1001", A)
    digest = ticket_hash("T-1001", A)
    assert digest.startswith("t1-k1-") and len(digest) == len("t1-k1-") + 32
    assert TICKET_HASH_RE.match(digest)


def test_enumerating_ticket_numbers_needs_the_key() -> None:
    """Ticket numbers are few: with the key they are found in a moment, without it never."""
    shared = ticket_hash("88421", A)
    guesses = (str(n) for n in range(100_000))
    assert [t for t in guesses if ticket_hash(t, A) == shared] == ["88421"]
    wrong = TeamKey("k1", b"x" * 32)  # the same key id, another secret
    assert not any(ticket_hash(str(n), wrong) == shared for n in range(100_000))


@pytest.mark.parametrize(
    ("key_id", "secret", "message"),
    [
        ("k1", b"", "has 0 bytes"),
        ("k1", b"short", "has 5 bytes"),
        ("k1", b"a" * 33, "has 33 bytes"),
        ("", b"a" * 32, "is not a team key id"),
        ("K1", b"a" * 32, "is not a team key id"),
        ("k-1", b"a" * 32, "is not a team key id"),  # '-' separates the parts of a hash
    ],
)
def test_a_key_cannot_be_empty_or_malformed(key_id: str, secret: bytes, message: str) -> None:
    with pytest.raises(TeamSecretError, match=message):
        TeamKey(key_id, secret)


def test_a_key_does_not_show_its_secret() -> None:
    assert "aaaa" not in repr(A) and "97" not in repr(A)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("", True),
        ("t-" + "0" * 32, True),  # the first format, without a key id: still accepted
        ("t1-local-" + "f" * 32, True),
        ("t1-3fa9c2d1-" + "a" * 32, True),
        ("ACME-4711", False),
        ("884213", False),
        ("t-884213", False),
        ("t1-local-884213", False),
        ("t1-local-" + "f" * 32 + "\n", False),
        ("t1--" + "f" * 32, False),
    ],
)
def test_what_the_hub_accepts_as_a_ticket_hash(text: str, ok: bool) -> None:
    assert bool(TICKET_HASH_RE.match(text)) is ok


def test_team_secret_is_created_once_private(tmp_path: Path) -> None:
    first = team_secret(tmp_path / "data")
    assert len(first) == 32
    assert team_secret(tmp_path / "data") == first
    assert local_key(tmp_path / "data") == TeamKey(LOCAL_KEY_ID, first)
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [SECRET_FILE]  # no temp
    if sys.platform != "win32":
        mode = stat.S_IMODE((tmp_path / "data" / SECRET_FILE).stat().st_mode)
        assert mode == 0o600


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("\n  \n", "is empty"),
        ("abc123\n", r"is malformed \(expected 64 hex digits, found 6 characters\)"),
        ("z" * 64, "is malformed"),
        ("ab" * 33, "is malformed"),
    ],
)
def test_an_empty_or_malformed_secret_file_is_a_clear_error(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / SECRET_FILE
    path.write_text(content, encoding="ascii")
    with pytest.raises(TeamSecretError, match=message) as caught:
        team_secret(tmp_path)
    assert str(path) in str(caught.value) and "delete the file" in str(caught.value)
    assert path.read_text(encoding="ascii") == content  # left for the user to look at


def test_an_unreadable_secret_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / SECRET_FILE).mkdir()
    with pytest.raises(TeamSecretError, match="cannot read the team secret"):
        team_secret(tmp_path)


def test_write_private_file_first_one_wins_unless_replacing(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "f"
    assert write_private_file(path, "one", replace=False)
    assert not write_private_file(path, "two", replace=False)
    assert path.read_text(encoding="utf-8") == "one"
    assert write_private_file(path, "three", replace=True)
    assert path.read_text(encoding="utf-8") == "three"
    assert [p.name for p in path.parent.iterdir()] == ["f"]
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
