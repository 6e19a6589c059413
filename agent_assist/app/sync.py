"""The team hub, as the agent's and the lead's use cases: sign in, sign out, sync, publish.

The ``login``/``logout``/``sync``/``publish`` commands and the app's sign-in form call these;
the sync modules (httpx, keyring) are imported inside each function, so neither the CLI's start
nor the window's first paint pays for them.  Known faults (no hub set, hub down, a refused
token) are :class:`~agent_assist.core.errors.SyncError`\\ s with a sentence for the user; the
app puts them in the agent's words (:func:`sign_in_summary`, :func:`sign_in_failure`,
:func:`token_note`), never naming a command.  The app's background sync is
:mod:`agent_assist.app.live`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

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


class TokenStore(Protocol):
    """What the front-ends use of :class:`agent_assist.sync.credentials.Credentials`."""

    @property
    def has_keyring(self) -> bool: ...

    def source(self, hub_url: str) -> str: ...

    def get(self, hub_url: str) -> str | None: ...

    def store(self, hub_url: str, token: str) -> str: ...


def check_hub_url(text: str) -> str:
    """``text`` as a hub URL (no trailing slash), or a SyncError saying what is wrong."""
    url = text.strip().rstrip("/")
    if not url.startswith(("https://", "http://")) or len(url.split("://", 1)[1]) == 0:
        raise SyncError(f"'{url}' is not a hub URL (expected https://host[:port])")
    return url


def hub_url(ctx: AppContext, given: str | None = None) -> str:
    """``given`` or the ``hub_url`` setting, normalised; a clear error when there is none."""
    url = (given or ctx.settings.hub_url).strip()
    if not url:
        raise SyncError("no hub given: pass --hub URL or set the hub_url setting")
    return check_hub_url(url)


def check_transport(ctx: AppContext, url: str, insecure_http: bool = False) -> None:
    """Refuse plain ``http://`` to another machine (the token would cross the network in the
    clear) unless ``insecure_http`` (``--insecure-http``) or the setting of that name."""
    from agent_assist.sync.client import plain_http_refusal

    refusal = plain_http_refusal(url, insecure_http or ctx.settings.insecure_http)
    if refusal is not None:
        raise SyncError(refusal)


def _client(ctx: AppContext, url: str, token: str, insecure_http: bool = False) -> HubClient:
    from agent_assist.sync.client import HubClient, make_http

    insecure = insecure_http or ctx.settings.insecure_http
    return HubClient(make_http(url, ctx.settings.ca_bundle), token, insecure_http=insecure)


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


def sign_in(
    ctx: AppContext,
    url: str,
    token: str,
    credentials: TokenStore | None = None,
    *,
    insecure_http: bool = False,
) -> SignIn:
    """Check ``token`` with the hub (a refusal raises), keep it, and remember the hub.
    ``credentials`` defaults to the process's (the app passes the ones its sync uses).
    ``insecure_http`` allows a plain ``http://`` hub on another machine, and is remembered
    (the ``insecure_http`` setting) so that sync keeps working with it."""
    from agent_assist.sync.errors import HubUnreachableError

    if not token:
        raise SyncError("the token is empty")
    check_transport(ctx, url, insecure_http)
    who = role = unchecked = None
    try:
        with _client(ctx, url, token, insecure_http) as client:
            me = client.whoami()
        who, role = me.name, me.role
    except HubUnreachableError as exc:
        unchecked = str(exc)
    creds = credentials if credentials is not None else _credentials()
    where = creds.store(url, token)
    try:
        if ctx.settings.hub_url != url:
            ctx.settings.set(Settings.hub_url, url)
        if insecure_http and not ctx.settings.insecure_http:
            ctx.settings.set(Settings.insecure_http, True)
        not_set = None
    except SettingsError as exc:
        not_set = str(exc)
    saved = where if where == "keyring" else None
    warning = getattr(creds, "warning", None)
    return SignIn(url, who, role, unchecked, saved, warning, not_set)


def hub_name(url: str) -> str:
    """``hub.example.com`` for ``https://hub.example.com/``: how the agent knows the hub."""
    return urlsplit(url).netloc or url or "the hub"


def sign_in_summary(done: SignIn) -> str:
    """What happened at a sign-in, in the agent's words: who the hub says they are, and where
    the token is kept (or that it lasts for this session only)."""
    hub = hub_name(done.url)
    if done.who is not None:
        said = f"Signed in to {hub} as {done.who} ({done.role})."
    else:
        said = f"Could not reach {hub} to check the token; the next sync checks it."
    if done.saved_in == "keyring":
        said += " The token is saved in this computer's keyring."
    else:
        said += (
            " This computer has no keyring to save it in, so the token lasts until Agent "
            "Assist quits: sign in again after the next start."
        )
    if done.hub_url_error:
        said += f" The hub address was not changed: {done.hub_url_error}."
    return said


def token_note(creds: TokenStore, url: str) -> tuple[str, bool]:
    """Where the hub token comes from, for the sign-in form, and whether a token entered there
    would be used (not while ``AGENT_ASSIST_TOKEN`` overrides it)."""
    source = creds.source(url) if url else "none"
    if source == "environment":
        return (
            f"{TOKEN_ENV} is set on this computer, so Agent Assist signs in with that token "
            "and a token entered here would not be used. Ask IT to remove it to sign in here.",
            False,
        )
    if source == "keyring":
        return "Signed in: the token is saved in this computer's keyring.", True
    if source == "memory":
        return (
            "Signed in for this session: this computer has no keyring, so the token is kept "
            "only until Agent Assist quits.",
            True,
        )
    if creds.has_keyring:
        return (
            "Paste the token from your hub admin and choose Sign in: it is checked with the "
            "hub and saved in this computer's keyring, never in a file.",
            True,
        )
    return (
        "This computer has no keyring to save a token in: after you sign in, the token lasts "
        f"until Agent Assist quits. To be signed in at every start, IT can set {TOKEN_ENV} "
        "for your account.",
        True,
    )


def sign_in_failure(exc: SyncError, url: str) -> str:
    """Why a sign-in failed, in the agent's words (nothing was saved)."""
    from agent_assist.sync.client import plain_http_refusal
    from agent_assist.sync.errors import AuthFailedError, HubFailedError, HubUnreachableError

    hub = hub_name(url)
    if plain_http_refusal(url) is not None:
        return (
            f"{hub} has a plain http:// address, so the token would cross the network "
            "unprotected. Ask your hub admin for its https:// address. Nothing was saved."
        )
    if isinstance(exc, AuthFailedError):
        if exc.status == 403:
            return f"{hub} knows this token but does not let it sign in here. Nothing was saved."
        return (
            f"{hub} did not accept this token: check that you copied all of it, or ask your "
            "hub admin for a new one. Nothing was saved."
        )
    if isinstance(exc, HubFailedError):
        return f"{hub} had a problem checking the token; try again in a moment."
    if isinstance(exc, HubUnreachableError):
        return f"Cannot reach {hub}: {exc}"
    return f"Signing in to {hub} failed: {exc}. Nothing was saved."


def _credentials() -> TokenStore:
    from agent_assist.sync.credentials import process_credentials as load

    return load()


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


def process_credentials() -> TokenStore:
    """The hub token store, loaded only when sign-in is opened (keyring is slow to load)."""
    return _credentials()
