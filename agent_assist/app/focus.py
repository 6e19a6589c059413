"""Which ticket the focused window shows, from its title (no Qt, no platform calls).

The desktop part (:mod:`agent_assist.ui.ticket_focus`) reads the title of the window the
agent is in; this module decides whether it is a ticket of the connected tool, and which.
A browser adds its own name (" — Mozilla Firefox", " - Google Chrome") after the page's
title; the patterns allow for that.  Every pattern needs the tool's own words or layout, so a
chat channel called "#1234" or a document named "Ticket 12" switches nothing.  The patterns
are documented in ``docs/connectors.md`` ("Following the agent's focus"); the ``focus_pattern``
setting replaces them when a tool is set up to title its pages differently.

When no pattern finds an id, the title is compared with the subjects of the agent's open
tickets: a title holding exactly one of them (at least :data:`MIN_SUBJECT` characters) names
that ticket.  This is how Zammad is followed: its pages carry the ticket's title, and the
ticket *number* it shows is not the id the API uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from agent_assist.core.errors import AgentAssistError

MAX_TITLE = 1000
"""Longer titles are cut before matching: bounded work on whatever a window calls itself."""
MIN_SUBJECT = 8
"""Subjects shorter than this are too common ("Refund", "Help") to identify a ticket."""

PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    # Zendesk agent workspace: "Ticket #1234 – Zendesk", "Subject – Ticket #1234 – Zendesk"
    "zendesk": (re.compile(r"#(\d{1,18})\b.*\bZendesk\b", re.IGNORECASE),),
    # Request Tracker 5: the ticket page's title is "#123: Subject"
    "rt": (re.compile(r"\A#(\d{1,18}): "),),
    # Freshdesk: "#123 Subject : Freshdesk" style titles, and "[#123] Subject" (the e-mail
    # subject layout some help desks show as the page title) with the product's name
    "freshdesk": (
        re.compile(r"\[?#(\d{1,18})\]?\b.*\bFreshdesk\b", re.IGNORECASE),
        re.compile(r"\bFreshdesk\b.*\[?#(\d{1,18})\]?\b", re.IGNORECASE),
    ),
    # Zammad: by subject only (see the module docstring)
    "zammad": (),
}


class FocusPatternError(AgentAssistError):
    """The ``focus_pattern`` setting is not a usable regular expression."""


@dataclass(frozen=True)
class OpenTicket:
    """What the matcher needs of a ticket on the agent's list."""

    id: str
    subject: str


def custom_pattern(text: str) -> re.Pattern[str] | None:
    """The ``focus_pattern`` setting compiled (None when empty); it must have one group,
    the ticket id."""
    if not text.strip():
        return None
    try:
        pattern = re.compile(text)
    except re.error as exc:
        raise FocusPatternError(
            f"focus_pattern '{text[:80]}' is not a regular expression: {exc}"
        ) from exc
    if pattern.groups < 1:
        raise FocusPatternError(
            f"focus_pattern '{text[:80]}' needs a group around the ticket id, e.g. #(\\d+)"
        )
    return pattern


def ticket_in_title(
    tool: str,
    title: str,
    open_tickets: Iterable[OpenTicket] = (),
    pattern: re.Pattern[str] | None = None,
) -> str | None:
    """The id of the ``tool`` ticket the window titled ``title`` shows, or None.

    ``pattern`` (the ``focus_pattern`` setting) replaces the tool's own patterns;
    ``open_tickets`` are tried by subject when no pattern finds an id."""
    text = " ".join(title[:MAX_TITLE].split())
    if not text:
        return None
    for candidate in (pattern,) if pattern is not None else PATTERNS.get(tool, ()):
        match = candidate.search(text)
        if match is not None:
            ticket_id = match.group(1)
            if ticket_id and ticket_id.isdigit():
                return ticket_id
    folded = text.casefold()
    found = {
        t.id
        for t in open_tickets
        if len(t.subject.strip()) >= MIN_SUBJECT
        and " ".join(t.subject.split()).casefold() in folded
    }
    return found.pop() if len(found) == 1 else None
