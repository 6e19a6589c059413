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
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Protocol

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

    def _keyring_get(self, hub_url: str) -> str | None:
        assert self._backend is not None
        try:
            return self._backend.get_password(SERVICE, hub_url)
        except Exception as exc:  # a locked keyring is "no token here", not a crash
            log.warning("keyring could not read the token for %s: %s", hub_url, exc)
            return None


_process_credentials: Credentials | None = None


def process_credentials() -> Credentials:
    """This process's credentials: one instance, so an in-memory token (no keyring) lasts
    as long as the app runs and no longer."""
    global _process_credentials
    if _process_credentials is None:
        _process_credentials = Credentials.from_system()
    return _process_credentials
