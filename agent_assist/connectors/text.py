"""HTML → plain text for ticket messages, with the quoted history cut where it is cheap.

Helpdesks store replies as HTML (Zendesk ``html_body``, Freshdesk ``body``, Zammad articles)
or as e-mail text with the previous messages quoted below.  The app searches with the
customer's *latest* words, so the quoted history is noise: :func:`quoted_history_removed`
drops ``<blockquote>`` and Gmail/Outlook quote containers from HTML and, from plain text,
everything from the first "On … wrote:" / "-----Original Message-----" line or the first run of
``>`` lines on.  Parsing is BeautifulSoup's maintained ``html.parser`` (no C dependency);
input is bounded (:data:`MAX_CHARS`) so a hostile message cannot cost unbounded time.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

MAX_CHARS = 200_000
"""Longer input is cut before parsing: a support message is far shorter."""

_BLOCK = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "ul", "ol"}
)
_DROP = ("script", "style", "head", "title", "blockquote")
_QUOTE_CLASSES = ("gmail_quote", "gmail_extra", "moz-cite-prefix", "yahoo_quoted")
_QUOTE_IDS = ("divRplyFwdMsg", "appendonsend")
_ATTRIBUTION = re.compile(
    r"^\s*(?:On .{1,200}wrote:|El .{1,200}escribió:|Le .{1,200}a écrit\s*:|Am .{1,200}schrieb"
    r".{0,50}:|-{2,}\s*Original Message\s*-{2,}|-{2,}\s*Mensaje original\s*-{2,})\s*$",
    re.IGNORECASE,
)


def html_to_text(html: str, *, strip_quotes: bool = True) -> str:
    """The readable text of ``html``: blocks on their own lines, runs of blank lines folded,
    quoted history dropped (unless ``strip_quotes`` is False)."""
    soup = BeautifulSoup(html[:MAX_CHARS], "html.parser")
    for name in _DROP if strip_quotes else _DROP[:-1]:
        for tag in soup.find_all(name):
            tag.decompose()
    if strip_quotes:
        for tag in soup.find_all(_is_quote_container):
            tag.decompose()
    for tag in soup.find_all(True):
        if tag.name == "br":
            tag.replace_with("\n")
        elif tag.name == "li":
            tag.insert_before("\n- ")
            tag.insert_after("\n")
        elif tag.name in _BLOCK:
            tag.insert_before("\n")
            tag.insert_after("\n")
    text = soup.get_text()
    return plain_text(text, strip_quotes=strip_quotes)


def plain_text(text: str, *, strip_quotes: bool = True) -> str:
    """``text`` tidied: line ends unified, trailing spaces and blank-line runs folded, and
    (when ``strip_quotes``) the quoted history below the first attribution line dropped."""
    lines = [line.rstrip() for line in text[:MAX_CHARS].replace("\r\n", "\n").split("\n")]
    lines = [line.replace("\xa0", " ") for line in lines]
    if strip_quotes:
        lines = _before_quote(lines)
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _before_quote(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if index > 0 and (_ATTRIBUTION.match(line) or _outlook_header(lines, index)):
            return lines[:index]
        if line.startswith(">") and index > 0:
            rest = [x for x in lines[index:] if x.strip()]
            if all(x.startswith(">") for x in rest):
                return lines[:index]
    return lines


def _outlook_header(lines: list[str], index: int) -> bool:
    """Outlook's plain-text quote: a ``From:`` line followed by ``Sent:`` or ``Date:``."""
    nxt = lines[index + 1] if index + 1 < len(lines) else ""
    return lines[index].startswith("From: ") and nxt.startswith(("Sent: ", "Date: "))


def _is_quote_container(tag: Tag) -> bool:
    classes = tag.get_attribute_list("class")
    if any(c in _QUOTE_CLASSES for c in classes if c):
        return True
    return tag.get("id") in _QUOTE_IDS
