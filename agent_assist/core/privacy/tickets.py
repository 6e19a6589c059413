"""Ticket ids that may leave the workstation: keyed pseudonyms, never the id itself.

Anything that can leave the workstation carries :func:`ticket_hash` of a ticket id, an
HMAC-SHA256 keyed with a team key: the hub can group events of one ticket across agents of a
team, but nobody without the key can test a guessed ticket id against it.  Ticket numbers are
few enough to enumerate in a second, so the key is the whole protection: an empty, short or
malformed key is an error here, never used.

Which key (``docs/sync.md``, "Team secret"): the team's, issued by the hub
(``GET /v1/team/secret``) and kept by ``sync/credentials.py``; a workstation without a hub
uses its own, :func:`local_key` (key id ``local``, the 0600 file ``team-secret`` in the data
dir).  Every hash names its key (``t1-<key id>-<hmac>``), so hashes made under a rotated key
stay attributable; hashes of the first format (``t-<hmac>``, no key id) are still accepted
by the hub (:data:`TICKET_HASH_RE`).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from agent_assist.core.errors import AgentAssistError

SECRET_FILE = "team-secret"
SECRET_BYTES = 32
LOCAL_KEY_ID = "local"
KEY_ID_RE = re.compile(r"[a-z0-9]{1,32}\Z")
TICKET_HASH_RE = re.compile(r"(t-[0-9a-f]{32}|t1-[a-z0-9]{1,32}-[0-9a-f]{32})?\Z")
"""What the hub accepts as a ``ticket_hash``: empty, the first format, or one naming its key;
anything else (a raw ticket id) is refused."""


class TeamSecretError(AgentAssistError):
    """A team key that is missing, empty or malformed, or cannot be stored."""


@dataclass(frozen=True)
class TeamKey:
    """A key for ticket hashes: ``key_id`` (lower-case letters and digits) and a secret of
    exactly :data:`SECRET_BYTES` bytes.  Building one checks both, so no code path can hash
    with an empty key."""

    key_id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not KEY_ID_RE.match(self.key_id):
            raise TeamSecretError(
                f"'{self.key_id}' is not a team key id (expected 1-32 lower-case letters "
                "and digits)"
            )
        if len(self.secret) != SECRET_BYTES:
            raise TeamSecretError(
                f"the team key '{self.key_id}' has {len(self.secret)} bytes "
                f"(expected {SECRET_BYTES})"
            )

    @classmethod
    def from_hex(cls, key_id: str, text: str, where: str) -> TeamKey:
        """The key ``key_id`` with the secret written as hex in ``text`` (read from
        ``where``, named in the error)."""
        return cls(key_id, parse_secret(text, where))

    @property
    def hex(self) -> str:
        return self.secret.hex()


def parse_secret(text: str, where: str) -> bytes:
    """The secret written as hex in ``text``; a clear error for an empty or malformed one."""
    text = text.strip()
    if not text:
        raise TeamSecretError(f"the team secret in {where} is empty")
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) != SECRET_BYTES:
        raise TeamSecretError(
            f"the team secret in {where} is malformed (expected {2 * SECRET_BYTES} "
            f"hex digits, found {len(text)} characters)"
        )
    return secret


def ticket_hash(ticket: str, key: TeamKey) -> str:
    """A stable, keyed pseudonym for a ticket id that names its key: safe to share, useless
    without the key."""
    digest = hmac.new(key.secret, ticket.strip().encode("utf-8"), hashlib.sha256).hexdigest()
    return f"t1-{key.key_id}-{digest[:32]}"


def local_key(data_dir: Path) -> TeamKey:
    """This workstation's own key (id ``local``), for when there is no hub to issue one."""
    return TeamKey(LOCAL_KEY_ID, team_secret(data_dir))


def team_secret(data_dir: Path) -> bytes:
    """This install's own team secret, created (0600) on first use.

    Created whole or not at all (:func:`write_private_file` with ``replace=False``): when
    several processes start at once, exactly one file wins and every process returns its
    secret; no reader ever sees a partial or empty file.  An empty or malformed file is an
    error saying what to do, never a secret.  On Windows the mode is not enforced; the file
    inherits the user profile's ACL.
    """
    path = data_dir / SECRET_FILE
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        write_private_file(path, secrets.token_hex(SECRET_BYTES) + "\n", replace=False)
        text = _read(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise TeamSecretError(f"cannot read the team secret {path}: {exc}") from exc
    try:
        return parse_secret(text, str(path))
    except TeamSecretError as exc:
        raise TeamSecretError(
            f"{exc}: delete the file to make a new one (ticket hashes this workstation "
            "shared before will not match new ones)"
        ) from None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise TeamSecretError(f"cannot read the team secret {path}: {exc}") from exc


def write_private_file(path: Path, text: str, *, replace: bool) -> bool:
    """Write ``text`` to ``path`` (mode 0600) so that no reader can see a partial file.

    The text goes to a temporary file in the same directory, is flushed to disk, then
    appears under ``path`` in one step: renamed over it (``replace=True``), or hard-linked
    only if ``path`` does not exist yet (``replace=False``; returns False when another
    process was first, and its file stays).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(text.encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
            created = _publish(tmp, path, replace)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        _sync_dir(path.parent)
    except OSError as exc:
        raise TeamSecretError(f"cannot write {path}: {exc}") from exc
    return created


def _publish(tmp: Path, path: Path, replace: bool) -> bool:
    if replace:
        tmp.replace(path)
        return True
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    except OSError:
        if os.name != "nt":
            raise  # no exclusive rename on POSIX: a file system without hard links
        try:
            tmp.rename(path)  # on Windows, refuses an existing target: first one wins
        except FileExistsError:
            return False
    return True


def _sync_dir(directory: Path) -> None:
    """Make the new name durable (POSIX); some file systems refuse, and that is harmless."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
