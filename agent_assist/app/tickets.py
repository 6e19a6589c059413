"""The connected ticketing tool, as use cases both front-ends call (no Qt).

What the app does with a ticketing tool (``docs/connectors.md``): list the agent's open
tickets, read one, suggest SOPs and macros for its latest customer message (through the same
:meth:`Search.rows <agent_assist.app.search.Search.rows>` as ``suggest``), post a filled macro
as a reply or internal note, set the status, take a ticket, and record what the tool says about
the quality of tickets worked.

* Configuration (tool, URL, user) is in the settings; the secret only in the OS keyring
  (service ``agent-assist``, user ``connector:<tool>:<user>@<url>``), or in
  ``$AGENT_ASSIST_CONNECTOR_TOKEN``, which wins (scripts, CI, a machine without a keyring).
* The handle-time session of a ticket is keyed by its reference ``tool:id`` (``rt:123``):
  suggesting for a ticket or replying to it starts that ticket's timer (or resumes it), as
  choosing a ticket in the app does.
* Customer text is held in memory only: never logged, never stored, never in an error.
* Offline is a normal state: a reply that cannot be posted is returned filled
  (:attr:`Reply.posted` is False, :attr:`Reply.problem` says why) for the caller to put on the
  clipboard and tell the agent.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent_assist.connectors.base import (
    STATUSES,
    Connector,
    ConnectorError,
    ConnectorOfflineError,
    Message,
    Status,
    Ticket,
    TicketSummary,
)
from agent_assist.connectors.registry import TOOLS, open_connector
from agent_assist.core.errors import AgentAssistError, SessionError
from agent_assist.core.knowledge import macros
from agent_assist.core.knowledge.models import Kind, Macro
from agent_assist.core.settings import Settings
from agent_assist.core.worklog.events import Event, EventType, Outcome
from agent_assist.sync.credentials import SERVICE, KeyringBackend, system_keyring

if TYPE_CHECKING:
    from agent_assist.app.context import AppContext
    from agent_assist.app.search import ResultRow

__all__ = [  # the connector values the front-ends use come from here (the layer graph)
    "STATUSES",
    "TOKEN_ENV",
    "TOOLS",
    "Connected",
    "ConnectorConfig",
    "Message",
    "NotConnectedError",
    "Reply",
    "Status",
    "Ticket",
    "TicketDesk",
    "TicketSummary",
]

log = logging.getLogger(__name__)

TOKEN_ENV = "AGENT_ASSIST_CONNECTOR_TOKEN"
QUALITY_DAYS = 30
"""How far back :meth:`TicketDesk.record_quality` looks for tickets worked."""
_REF = re.compile(r"\A(?:(?P<tool>[a-z]+):)?#?(?P<id>[0-9]{1,18})\Z")

Opener = Callable[[str, str, str, str], Connector]


class NotConnectedError(AgentAssistError):
    """No ticketing tool is configured, or its secret is not available."""


@dataclass(frozen=True)
class ConnectorConfig:
    tool: str
    url: str
    user: str

    @property
    def keyring_user(self) -> str:
        return f"connector:{self.tool}:{self.user}@{self.url}"


@dataclass(frozen=True)
class Connected:
    """What ``connect`` did: the tickets it could see (proving the credentials work) and
    where the secret went (``keyring``, ``environment`` or ``memory``)."""

    config: ConnectorConfig
    open_tickets: int
    secret_kept_in: str


@dataclass(frozen=True)
class Reply:
    """A filled macro and what became of it."""

    ref: str
    macro_id: str
    text: str
    internal: bool
    posted: bool
    status: Status | None = None
    """The status set after posting (None: unchanged)."""
    problem: str | None = None
    """Why it was not posted (the tool is offline), or why the status was not set."""
    session_ended: bool = False
    """The status set was resolved or closed, so the ticket's handle-time session ended
    (outcome: resolved)."""


class TicketDesk:
    """The ticketing-tool use cases over one :class:`~agent_assist.app.context.AppContext`.

    ``keyring`` finds the OS keyring (returning None: there is none), ``environ`` defaults to
    ``os.environ``, ``opener`` to :func:`agent_assist.connectors.registry.open_connector`
    (tests pass their own to reach a fake server)."""

    def __init__(
        self,
        ctx: AppContext,
        *,
        keyring: Callable[[], KeyringBackend | None] = system_keyring,
        environ: Mapping[str, str] | None = None,
        opener: Opener | None = None,
        http_options: Mapping[str, Any] | None = None,
    ) -> None:
        self._ctx = ctx
        self._keyring = keyring()
        self._environ = os.environ if environ is None else environ
        self._http_options = dict(http_options or {})
        self._opener = opener or self._open
        self._memory: dict[str, str] = {}
        self._connector: Connector | None = None

    # -- configuration -----------------------------------------------------------------------
    @property
    def config(self) -> ConnectorConfig | None:
        """The configured tool, or None."""
        settings = self._ctx.settings
        if not settings.ticketing_tool or not settings.ticketing_url:
            return None
        return ConnectorConfig(
            settings.ticketing_tool, settings.ticketing_url, settings.ticketing_user
        )

    def connect(self, tool: str, url: str, user: str, secret: str | None) -> Connected:
        """Check that ``tool`` at ``url`` accepts ``user`` and ``secret`` (or the secret in
        ``$AGENT_ASSIST_CONNECTOR_TOKEN`` when ``secret`` is None) by listing the user's open
        tickets, then remember the configuration and keep the secret."""
        if tool not in TOOLS:
            raise ConnectorError(
                f"unknown ticketing tool '{tool}' (expected one of: {', '.join(TOOLS)})"
            )
        url = _checked_url(url)
        from_env = self._environ.get(TOKEN_ENV, "").strip()
        secret = secret if secret else from_env
        if not secret:
            raise NotConnectedError(
                f"no token for {TOOLS[tool]}: type it when asked, or set {TOKEN_ENV}"
            )
        config = ConnectorConfig(tool, url, user.strip())
        connector = self._opener(tool, url, config.user, secret)
        try:
            count = len(connector.my_open_tickets())
        except BaseException:
            connector.close()
            raise
        self.close()
        self._connector = connector
        settings = self._ctx.settings
        settings.set(Settings.ticketing_tool, tool)
        settings.set(Settings.ticketing_url, url)
        settings.set(Settings.ticketing_user, config.user)
        kept = "environment" if secret == from_env else self._keep(config, secret)
        log.info("connected to %s at %s as %s", tool, url, config.user)
        return Connected(config, count, kept)

    def connector(self) -> Connector:
        """The configured tool's connector, opened on first use."""
        if self._connector is None:
            config = self._require_config()
            secret = self._secret(config)
            if not secret:
                raise NotConnectedError(
                    f"no token for {TOOLS.get(config.tool, config.tool)} at {config.url}: run "
                    f"'agent-assist connect {config.tool} --url {config.url}' or set {TOKEN_ENV}"
                )
            self._connector = self._opener(config.tool, config.url, config.user, secret)
        return self._connector

    def close(self) -> None:
        connector, self._connector = self._connector, None
        if connector is not None:
            connector.close()

    # -- reading -----------------------------------------------------------------------------
    def my_tickets(self) -> list[TicketSummary]:
        return self.connector().my_open_tickets()

    def ref(self, text: str) -> tuple[str, str]:
        """``(tool, id)`` of a reference typed by the agent: ``123``, ``#123`` or ``rt:123``
        (the tool, when named, must be the connected one)."""
        config = self._require_config()
        match = _REF.match(text.strip())
        if match is None:
            raise AgentAssistError(
                f"'{text[:40]}' is not a ticket reference (expected a ticket number such as "
                f"123, or {config.tool}:123)"
            )
        tool = match.group("tool") or config.tool
        if tool != config.tool:
            raise AgentAssistError(
                f"ticket '{text}' is in {tool}, but the connected tool is {config.tool} "
                f"(run 'agent-assist connect {tool} …' to switch)"
            )
        return tool, match.group("id")

    def show(self, ref: str) -> Ticket:
        _, ticket_id = self.ref(ref)
        return self.connector().ticket(ticket_id)

    def suggest(self, ref: str, limit: int = 5) -> tuple[Ticket, list[ResultRow]]:
        """The ticket and the suggestions for its latest customer message (the ``suggest``
        command's rows); the ticket's timer is started (or resumed)."""
        ticket = self.show(ref)
        self.work_on(ticket.summary.ref)
        query = ticket.latest_customer_text
        rows = self._ctx.search.rows(query, limit=limit) if query.strip() else []
        return ticket, rows

    # -- replying ----------------------------------------------------------------------------
    def fill(
        self, ticket: Ticket, macro_id: str, values: Mapping[str, str] | None = None
    ) -> tuple[Macro, str]:
        """``macro_id`` filled for ``ticket``: fields with a ``source`` from the ticket, the
        built-ins (agent name, ticket id, today) from context, then ``values`` (the agent's
        own, which win).  Raises :class:`~agent_assist.core.knowledge.macros.MacroError`
        naming every required field still empty, or a field ``values`` names that the macro
        does not have."""
        item = self._ctx.store.get(macro_id, Kind.MACRO)
        macro = item.content
        if not isinstance(macro, Macro):
            raise AgentAssistError(f"'{macro_id}' is not a macro")
        context = macros.MacroContext(
            agent_name=self._ctx.settings.agent_name,
            ticket_id=ticket.summary.id,
            today=self._ctx.clock.now().wall.astimezone().date(),
            requester_name=ticket.summary.requester_name,
            ticket_subject=ticket.summary.subject,
        )
        specs = macros.fields(macro, context)
        known = {s.name for s in specs}
        unknown = sorted(set(values or {}) - known)
        if unknown:
            raise macros.MacroError(
                f"macro '{macro.id}' has no field {', '.join(unknown)} (its fields: "
                f"{', '.join(sorted(known)) or 'none'})"
            )
        filled = {**macros.initial_values(specs), **dict(values or {})}
        wrong = macros.problems(specs, filled)
        if wrong:
            raise macros.MacroError(
                f"macro '{macro.id}' cannot be sent to {ticket.summary.ref} yet: "
                + "; ".join(f"{name}: {why}" for name, why in wrong.items())
                + " (give each with --field NAME=VALUE)"
            )
        return macro, macros.render(macro, specs, filled)

    def reply(
        self,
        ref: str,
        macro_id: str,
        values: Mapping[str, str] | None = None,
        *,
        internal: bool = False,
        status: Status | None = None,
    ) -> Reply:
        """Fill ``macro_id`` for the ticket and post it (a reply, or an internal note), then
        set ``status``.  The ticket's timer is started or resumed and the sent macro logged on
        it; a status of resolved or closed ends the ticket's session (the work is done).  When
        the tool cannot be reached the reply comes back unposted, filled, with the reason; any
        other failure raises."""
        if status is not None and status not in STATUSES:
            raise AgentAssistError(
                f"unknown status '{status}' (expected one of: {', '.join(STATUSES)})"
            )
        ticket = self.show(ref)
        macro, text = self.fill(ticket, macro_id, values)
        key = ticket.summary.ref
        self.work_on(key)
        connector = self.connector()
        try:
            connector.reply(ticket.summary.id, text, internal=internal)
        except ConnectorOfflineError as exc:
            return Reply(key, macro.id, text, internal, posted=False, problem=str(exc))
        self._ctx.work.sessions.send_macro(macro.id, key)
        if status is None:
            return Reply(key, macro.id, text, internal, posted=True)
        try:
            connector.set_status(ticket.summary.id, status)
        except ConnectorOfflineError as exc:
            return Reply(key, macro.id, text, internal, posted=True, problem=str(exc))
        done = status in ("resolved", "closed")
        if done:
            self._ctx.work.end(Outcome.RESOLVED, key)
        return Reply(key, macro.id, text, internal, True, status, session_ended=done)

    def set_status(self, ref: str, status: Status) -> None:
        _, ticket_id = self.ref(ref)
        self.connector().set_status(ticket_id, status)

    def take(self, ref: str) -> None:
        _, ticket_id = self.ref(ref)
        self.connector().take(ticket_id)

    # -- handle time and quality -------------------------------------------------------------
    def work_on(self, key: str) -> None:
        """Make ``key`` (``tool:id``) the running ticket: started when not open, resumed when
        paused (the same session keeps the ticket's whole time)."""
        sessions = self._ctx.work.sessions
        for state in sessions.status():
            if state.timing.ticket == key:
                if state.timing.paused:
                    sessions.resume(key)
                return
        try:
            sessions.start(key)
        except SessionError:  # opened meanwhile by the app's other process: it is running
            log.info("ticket session already open")

    def record_quality(self, days: int = QUALITY_DAYS) -> int:
        """For each ticket of the connected tool that the agent finished in the last ``days``
        days, ask the tool how it went and log a ``ticket_quality`` event on its session when
        the answer is new or changed.  Returns how many events were logged.  Offline stops
        quietly (the next run catches up)."""
        config = self._require_config()
        log_ = self._ctx.events
        since = self._ctx.clock.now().wall - dt.timedelta(days=days)
        logged = 0
        for session_id in dict.fromkeys(log_.sessions_ended_since(since)):
            events = log_.session(session_id)
            if not events or not events[0].ticket.startswith(f"{config.tool}:"):
                continue
            ticket_id = events[0].ticket.split(":", 1)[1]
            try:
                quality = self.connector().quality(ticket_id)
            except ConnectorOfflineError:
                break
            except ConnectorError as exc:  # deleted, or no longer visible: skip it
                log.info("no quality for a ticket of %s: %s", config.tool, exc)
                continue
            if quality.satisfaction is None and quality.reopened is None:
                continue
            last = [e for e in events if e.type is EventType.TICKET_QUALITY]
            if last and (last[-1].satisfaction, last[-1].reopened) == (
                quality.satisfaction,
                quality.reopened,
            ):
                continue
            first = events[0]
            log_.append(
                Event(
                    EventType.TICKET_QUALITY,
                    self._ctx.clock.now(),
                    first.agent_id,
                    ticket=first.ticket,
                    session_id=session_id,
                    satisfaction=quality.satisfaction,
                    reopened=quality.reopened,
                )
            )
            logged += 1
        return logged

    # -- helpers -----------------------------------------------------------------------------
    def _require_config(self) -> ConnectorConfig:
        config = self.config
        if config is None:
            raise NotConnectedError(
                "no ticketing tool is connected: run 'agent-assist connect rt|zendesk|"
                "freshdesk|zammad --url URL --user NAME'"
            )
        return config

    def _open(self, tool: str, url: str, user: str, secret: str) -> Connector:
        return open_connector(tool, url, user, secret, http_options=self._http_options)

    def _secret(self, config: ConnectorConfig) -> str | None:
        from_env = self._environ.get(TOKEN_ENV, "").strip()
        if from_env:
            return from_env
        if config.keyring_user in self._memory:
            return self._memory[config.keyring_user]
        if self._keyring is None:
            return None
        try:
            return self._keyring.get_password(SERVICE, config.keyring_user)
        except Exception as exc:  # a locked keyring is "no secret here", not a crash
            log.warning("keyring could not read the %s token: %s", config.tool, exc)
            return None

    def _keep(self, config: ConnectorConfig, secret: str) -> str:
        if self._keyring is not None:
            try:
                self._keyring.set_password(SERVICE, config.keyring_user, secret)
                return "keyring"
            except Exception as exc:  # a refusing keyring: keep it for this process, say so
                log.warning("keyring refused the %s token: %s", config.tool, exc)
        self._memory[config.keyring_user] = secret
        return "memory"


def _checked_url(url: str) -> str:
    """``url`` without a trailing slash; http only for this machine (a token must not cross
    the network in the clear)."""
    text = url.strip().rstrip("/")
    match = re.match(r"\A(https?)://([^/\s:]+|\[[0-9a-fA-F:]+\])(:\d{1,5})?(/\S*)?\Z", text)
    if match is None:
        raise AgentAssistError(f"'{url[:100]}' is not a web address (expected https://host/…)")
    if match.group(1) == "http" and match.group(2) not in ("127.0.0.1", "localhost", "[::1]"):
        raise AgentAssistError(
            f"'{text}' is plain http: the token would cross the network in the clear (use "
            "https://, or http only for a tool on this machine)"
        )
    return text
