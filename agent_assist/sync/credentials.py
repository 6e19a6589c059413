"""Hub tokens: only in the OS keyring, with a documented fallback when there is none.

The keyring entry is service ``agent-assist``, user name = the hub URL.  Where no keyring
backend works (a headless Linux box without a Secret Service: ``keyring.backends.fail``), the
app never crashes and never prompts on stdin; instead (``docs/sync.md``):

1. ``AGENT_ASSIST_TOKEN`` in the environment is used when set (it also wins over the keyring,
   so scripts and CI can choose a token explicitly);
2. otherwise a token given to :meth:`Credentials.store` is kept in memory for this process only
   and is gone when the app quits.

:attr:`Credentials.warning` says so in one sentence; :meth:`Credentials.warn_once` hands it out
the first time only, for the CLI or the status bar to show.

The team's key for ticket hashes, issued by the hub, is kept the same way by :class:`TeamKeys`
(user name ``team-secret:<hub url>``); its fallback is a 0600 file in the data dir.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from agent_assist.core.privacy import (
    TeamKey,
    TeamSecretError,
    local_key,
    write_private_file,
)
from agent_assist.sync.errors import HubRejectedError

if TYPE_CHECKING:
    from agent_assist.sync.client import HubClient

log = logging.getLogger(__name__)

SERVICE = "agent-assist"
TOKEN_ENV = "AGENT_ASSIST_TOKEN"


class KeyringBackend(Protocol):
    def get_password(self, service: str, username: str) -> str | None: ...

    def set_password(self, service: str, username: str, password: str) -> None: ...

    def delete_password(self, service: str, username: str) -> None: ...


def system_keyring() -> KeyringBackend | None:
    """The OS keyring, or None when no usable backend exists (never raises)."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring install is "no keyring", reported by doctor
        log.warning("keyring failed to load: %s", exc)
        return None
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, fail.Keyring) or "null" in name.lower():
        return None
    return backend


class Credentials:
    """Where the hub token comes from.  ``backend`` is the keyring (None: there is none) and
    ``environ`` the environment (default ``os.environ``); :meth:`from_system` uses the OS's."""

    def __init__(
        self, backend: KeyringBackend | None, environ: Mapping[str, str] | None = None
    ) -> None:
        self._backend = backend
        self._environ = os.environ if environ is None else environ
        self._memory: dict[str, str] = {}
        self._warned = False

    @classmethod
    def from_system(cls) -> Credentials:
        return cls(system_keyring())

    @property
    def has_keyring(self) -> bool:
        return self._backend is not None

    @property
    def warning(self) -> str | None:
        """Why tokens will not be remembered, or None when the keyring works."""
        if self._backend is not None:
            return None
        return (
            "no OS keyring is available, so the hub token cannot be saved: set "
            f"{TOKEN_ENV} for scripts, or log in again each time the app starts (the token "
            "is kept in memory for this session only)"
        )

    def warn_once(self) -> str | None:
        """:attr:`warning` the first time it is asked for, then None."""
        if self._warned:
            return None
        self._warned = True
        return self.warning

    def source(self, hub_url: str) -> str:
        """Where :meth:`get` finds the token: ``environment``, ``keyring``, ``memory`` or
        ``none``."""
        if self._environ.get(TOKEN_ENV):
            return "environment"
        if self._memory.get(hub_url):
            return "memory"
        if self._backend is not None and self._keyring_get(hub_url):
            return "keyring"
        return "none"

    def get(self, hub_url: str) -> str | None:
        token = self._environ.get(TOKEN_ENV, "").strip()
        if token:
            return token
        if hub_url in self._memory:
            return self._memory[hub_url]
        return self._keyring_get(hub_url) if self._backend is not None else None

    def store(self, hub_url: str, token: str) -> str:
        """Keep ``token`` for ``hub_url``; returns where it went (``keyring`` or ``memory``)."""
        if self._backend is not None:
            try:
                self._backend.set_password(SERVICE, hub_url, token)
                self._memory.pop(hub_url, None)
                return "keyring"
            except Exception as exc:  # a locked or refusing keyring: fall back, say so
                log.warning("keyring refused the token for %s: %s", hub_url, exc)
        self._memory[hub_url] = token
        return "memory"

    def forget(self, hub_url: str) -> bool:
        """Remove the token for ``hub_url``; True when one was stored."""
        had = self._memory.pop(hub_url, None) is not None
        if self._backend is not None and self._keyring_get(hub_url):
            try:
                self._backend.delete_password(SERVICE, hub_url)
                had = True
            except Exception as exc:
                log.warning("keyring could not delete the token for %s: %s", hub_url, exc)
        return had

    def team_keys(self, data_dir: Path) -> TeamKeys:
        """The team keys of hubs, kept in this keyring (else in ``data_dir``)."""
        return TeamKeys(self._backend, data_dir)

    def _keyring_get(self, hub_url: str) -> str | None:
        assert self._backend is not None
        try:
            return self._backend.get_password(SERVICE, hub_url)
        except Exception as exc:  # a locked keyring is "no token here", not a crash
            log.warning("keyring could not read the token for %s: %s", hub_url, exc)
            return None


class TeamKeys:
    """The team key each hub issued (``GET /v1/team/secret``), kept for ``report --shareable``
    and between syncs.

    In the keyring (service ``agent-assist``, user ``team-secret:<hub url>``); where there is
    no keyring, or it refuses, in the file ``team-secret-<hash of the url>.json`` (mode 0600,
    written whole or not at all) in the data dir.  A stored key that is empty or malformed is
    an error, never used.
    """

    def __init__(self, backend: KeyringBackend | None, data_dir: Path) -> None:
        self._backend = backend
        self.data_dir = data_dir

    def get(self, hub_url: str) -> TeamKey | None:
        """The key last stored for ``hub_url``, or None."""
        if self._backend is not None:
            try:
                value = self._backend.get_password(SERVICE, _team_user(hub_url))
            except Exception as exc:  # a locked keyring: look in the fallback file
                log.warning("keyring could not read the team key of %s: %s", hub_url, exc)
                value = None
            if value:
                return _decode(value, f"the keyring entry {_team_user(hub_url)}")
        path = self.file(hub_url)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise TeamSecretError(f"cannot read the team key file {path}: {exc}") from exc
        return _decode(text, str(path))

    def store(self, hub_url: str, key: TeamKey) -> str:
        """Keep ``key`` for ``hub_url``; returns where it went (``keyring`` or ``file``)."""
        value = json.dumps({"hub": hub_url, "key_id": key.key_id, "secret": key.hex})
        path = self.file(hub_url)
        if self._backend is not None:
            try:
                self._backend.set_password(SERVICE, _team_user(hub_url), value)
            except Exception as exc:  # a locked or refusing keyring: fall back, say so
                log.warning("keyring refused the team key of %s: %s", hub_url, exc)
            else:
                path.unlink(missing_ok=True)  # no copy left on disk once the keyring has it
                return "keyring"
        write_private_file(path, value + "\n", replace=True)
        return "file"

    def file(self, hub_url: str) -> Path:
        digest = hashlib.sha256(hub_url.encode("utf-8")).hexdigest()[:16]
        return self.data_dir / f"team-secret-{digest}.json"

    def refresh(self, client: HubClient) -> TeamKey:
        """The hub's current key, fetched and stored.  A hub too old to issue one (404) means
        this workstation's own key (``local``), as before hubs issued keys."""
        try:
            key = client.team_secret()
        except HubRejectedError as exc:
            if exc.status != 404:
                raise
            log.warning(
                "the hub %s issues no team key (update it); ticket hashes use this "
                "workstation's own key, so the hub cannot match tickets across agents",
                client.base_url,
            )
            return local_key(self.data_dir)
        try:
            stored = self.get(client.base_url)
        except TeamSecretError as exc:
            log.warning("replacing a damaged team key: %s", exc)
            stored = None
        if stored != key:
            self.store(client.base_url, key)
        return key

    def shareable(self, hub_url: str) -> TeamKey:
        """The key ``report --shareable`` hashes with: the hub's (as the last sync stored it),
        or this workstation's own (key id ``local``) without a hub or before a first sync."""
        key = self.get(hub_url) if hub_url else None
        return key if key is not None else local_key(self.data_dir)


def _team_user(hub_url: str) -> str:
    return f"team-secret:{hub_url}"


def _decode(value: str, where: str) -> TeamKey:
    try:
        data = json.loads(value)
        key_id, secret = str(data["key_id"]), str(data["secret"])
    except (ValueError, TypeError, KeyError) as exc:
        raise TeamSecretError(
            f"the team key in {where} is malformed ({exc}); delete it, the next sync "
            "fetches the key again"
        ) from None
    return TeamKey.from_hex(key_id, secret, where)


_process_credentials: Credentials | None = None


def process_credentials() -> Credentials:
    """This process's credentials: one instance, so an in-memory token (no keyring) lasts
    as long as the app runs and no longer."""
    global _process_credentials
    if _process_credentials is None:
        _process_credentials = Credentials.from_system()
    return _process_credentials
