"""The team hub, as the agent's and the lead's use cases: sign in, sign out, sync, publish.

The ``login``/``logout``/``sync``/``publish`` commands and the app's status bar call these; the
sync modules (httpx, keyring) are imported inside each function, so neither the CLI's start
nor the window's first paint pays for them.  Known faults (no hub set, hub down, a refused
token) are :class:`~agent_assist.core.errors.SyncError`\\ s with a sentence for the user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agent_assist.core.errors import SyncError
from agent_assist.core.settings import Settings, SettingsError

if TYPE_CHECKING:
    from agent_assist.app.context import AppContext
    from agent_assist.core.knowledge.problems import Problem
    from agent_assist.core.knowledge.reader import LoadedPack
    from agent_assist.core.privacy import TeamKey
    from agent_assist.sync.client import HubClient
    from agent_assist.sync.service import SyncDetails, SyncReport
    from agent_assist.sync.wire import PublishResult

TOKEN_ENV = "AGENT_ASSIST_TOKEN"
"""Where scripts put a hub token (it wins over the keyring); see ``sync/credentials.py``."""


def hub_url(ctx: AppContext, given: str | None = None) -> str:
    """``given`` or the ``hub_url`` setting, normalised; a clear error when there is none."""
    from agent_assist.sync.client import normalize_url

    url = normalize_url(given or ctx.settings.hub_url)
    if not url:
        raise SyncError("no hub given: pass --hub URL or set the hub_url setting")
    if not url.startswith(("https://", "http://")):
        raise SyncError(f"'{url}' is not a hub URL (expected https://host[:port])")
    return url


def _client(ctx: AppContext, url: str, token: str) -> HubClient:
    from agent_assist.sync.client import HubClient, make_http

    return HubClient(make_http(url, ctx.settings.ca_bundle), token)


@dataclass(frozen=True)
class SignIn:
    """What happened when a token was offered: who the hub says it is (``None``: the hub could
    not be reached to check), and where the token is kept (``keyring``, or ``None``: nowhere,
    ``warning`` says why)."""

    url: str
    who: str | None
    role: str | None
    unchecked_reason: str | None
    saved_in: str | None
    warning: str | None
    hub_url_error: str | None = None
    """Why the ``hub_url`` setting could not be changed (e.g. IT enforces another hub)."""


def sign_in(ctx: AppContext, url: str, token: str) -> SignIn:
    """Check ``token`` with the hub (a refusal raises), keep it, and remember the hub."""
    from agent_assist.sync.credentials import process_credentials
    from agent_assist.sync.errors import HubUnreachableError

    if not token:
        raise SyncError("the token is empty")
    who = role = unchecked = None
    try:
        with _client(ctx, url, token) as client:
            me = client.whoami()
        who, role = me.name, me.role
    except HubUnreachableError as exc:
        unchecked = str(exc)
    creds = process_credentials()
    where = creds.store(url, token)
    try:
        ctx.settings.set(Settings.hub_url, url)
        not_set = None
    except SettingsError as exc:
        not_set = str(exc)
    saved = where if where == "keyring" else None
    return SignIn(url, who, role, unchecked, saved, creds.warning, not_set)


def sign_out(ctx: AppContext, given: str | None = None) -> tuple[str, bool]:
    """Forget the saved token of the hub; ``(url, whether one was saved)``."""
    from agent_assist.sync.credentials import process_credentials

    url = hub_url(ctx, given)
    return url, process_credentials().forget(url)


def credentials_warning(url: str) -> str | None:
    """The keyring's one-time warning, unless the token comes from the environment anyway."""
    from agent_assist.sync.credentials import process_credentials

    creds = process_credentials()
    warning = creds.warn_once()
    return warning if warning and creds.source(url) != "environment" else None


def shareable_key(ctx: AppContext) -> TeamKey:
    """The key ``report --shareable`` hashes tickets with: the hub's team key as the last sync
    stored it, or this workstation's own (key id ``local``) without a hub or a first sync."""
    from agent_assist.sync.client import normalize_url
    from agent_assist.sync.credentials import process_credentials

    keys = process_credentials().team_keys(ctx.data_dir)
    return keys.shareable(normalize_url(ctx.settings.hub_url))


def sync_now(ctx: AppContext, given: str | None = None) -> tuple[SyncReport, SyncDetails]:
    """One sync round (pull knowledge, push the outbox, acks and feedback) with its details."""
    from agent_assist.sync.service import run_sync

    url = hub_url(ctx, given)
    return run_sync(ctx.data_dir, Settings(ctx.data_dir), hub_url=url)


def round_for(data_dir: Path) -> Callable[[], SyncReport]:
    """The app's background round: settings re-read each time (the agent may have changed the
    hub in Settings since), run on the network pool with connections of its own."""

    def run() -> SyncReport:
        from agent_assist.sync.service import sync_once  # httpx only when a round runs

        return sync_once(data_dir, Settings(data_dir))

    return run


class PublishRefusedError(SyncError):
    """The hub refused a pack, naming its problems (each relative to the pack folder)."""

    def __init__(self, message: str, problems: tuple[Problem, ...]) -> None:
        super().__init__(message)
        self.problems = problems


def publish(
    ctx: AppContext, path: Path, given: str | None, note: str, prune: bool
) -> tuple[str, LoadedPack, PublishResult]:
    """Check the pack locally, then publish it; the hub's refusals keep their problems."""
    from agent_assist.sync.credentials import process_credentials
    from agent_assist.sync.errors import HubRejectedError
    from agent_assist.sync.publish import publish_pack

    url = hub_url(ctx, given)
    token = process_credentials().get(url)
    if not token:
        raise SyncError(
            f"no token for the hub {url}: run 'agent-assist login --hub {url}' or set {TOKEN_ENV}"
        )
    with _client(ctx, url, token) as client:
        try:
            pack, result = publish_pack(client, path, note=note, prune=prune)
        except HubRejectedError as exc:
            if not exc.problems:
                raise
            raise PublishRefusedError(f"{exc}; nothing was published", exc.problems) from exc
    return url, pack, result


def process_credentials() -> object:
    """The hub token store, loaded only when sign-in is opened (keyring is slow to load)."""
    from agent_assist.sync.credentials import process_credentials as load

    return load()
