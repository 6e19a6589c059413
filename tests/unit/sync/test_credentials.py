"""Tokens live in the keyring; without one, the documented fallback, never a crash or prompt."""

from __future__ import annotations

import pytest

from agent_assist.sync.credentials import SERVICE, TOKEN_ENV, Credentials, system_keyring

HUB = "https://hub.example"


class DictKeyring:
    def __init__(self, fail: bool = False) -> None:
        self.data: dict[tuple[str, str], str] = {}
        self.fail = fail

    def get_password(self, service: str, username: str) -> str | None:
        if self.fail:
            raise RuntimeError("keyring is locked")
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.fail:
            raise RuntimeError("keyring is locked")
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.data[(service, username)]


def test_keyring_round_trip_keyed_by_hub_url() -> None:
    ring = DictKeyring()
    creds = Credentials(ring, environ={})
    assert creds.store(HUB, "t1") == "keyring"
    assert ring.data == {(SERVICE, HUB): "t1"}
    assert creds.get(HUB) == "t1" and creds.source(HUB) == "keyring"
    assert creds.get("https://other") is None
    assert creds.warning is None and creds.warn_once() is None
    assert creds.forget(HUB) and creds.get(HUB) is None and not creds.forget(HUB)


def test_environment_wins_for_scripts() -> None:
    ring = DictKeyring()
    ring.data[(SERVICE, HUB)] = "from-keyring"
    creds = Credentials(ring, environ={TOKEN_ENV: " from-env\n"})
    assert creds.get(HUB) == "from-env" and creds.source(HUB) == "environment"


def test_no_keyring_falls_back_to_memory_and_warns_once() -> None:
    creds = Credentials(None, environ={})
    assert creds.get(HUB) is None and creds.source(HUB) == "none"
    assert creds.store(HUB, "t1") == "memory"
    assert creds.get(HUB) == "t1" and creds.source(HUB) == "memory"
    assert Credentials(None, environ={}).get(HUB) is None  # memory is this instance's only
    warning = creds.warn_once()
    assert warning is not None and TOKEN_ENV in warning and "memory" in warning
    assert creds.warn_once() is None
    assert creds.warning == warning


def test_a_refusing_keyring_is_no_crash() -> None:
    creds = Credentials(DictKeyring(fail=True), environ={})
    assert creds.get(HUB) is None
    assert creds.store(HUB, "t1") == "memory"
    assert creds.get(HUB) == "t1"


def test_headless_linux_fail_backend_counts_as_none(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())  # type: ignore[no-untyped-call]
    assert system_keyring() is None
    creds = Credentials.from_system()
    assert not creds.has_keyring and creds.warning is not None
