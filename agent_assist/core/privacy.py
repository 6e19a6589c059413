"""Privacy by design: scrub PII out of free text, and hash ticket ids with a team key.

Two rules keep customer data on the workstation (GDPR data minimisation):

* Free text that may be shared (search queries, skip reasons, gap reports) goes through
  :func:`scrub` *before* it is stored.  The scrubber is conservative: when in doubt it removes
  (an order number lost from a query costs little; a leaked phone number costs a lot).  It
  never raises and is idempotent, so it is safe to apply again at any boundary.
* Anything that can leave the workstation carries :func:`ticket_hash` of a ticket id, an
  HMAC-SHA256 keyed with the team secret: the hub can group events of one ticket across
  agents of a team, but nobody without the secret can test a guessed ticket id against it.

The team secret is generated per install and kept in the data dir (mode 0600).  When hub sync
lands, the hub's team secret replaces it, so that hashes agree across a team's workstations.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from agent_assist.core.errors import AgentAssistError

SECRET_FILE = "team-secret"
_MAX_PASSES = 8

# -- validators --------------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number carries."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(compact: str) -> bool:
    """ISO 13616: country, two check digits, up to 30 alphanumerics, mod 97 == 1."""
    text = compact.upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", text):
        return False
    moved = text[4:] + text[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def _card_ok(span: str) -> bool:
    digits = re.sub(r"\D", "", span)
    return 13 <= len(digits) <= 19 and luhn_ok(digits)


def _iban_ok(span: str) -> bool:
    return iban_ok(re.sub(r"[\s-]", "", span))


_DATE = re.compile(r"\d{1,4}[-./]\d{1,2}[-./]\d{1,4}")


def _phone_ok(span: str) -> bool:
    digits = re.sub(r"\D", "", span)
    n = len(digits)
    if span.startswith("+") or span.startswith("00"):
        return 8 <= n <= 15
    if _DATE.fullmatch(span):
        return False
    if re.fullmatch(r"\d{3}[-. ]\d{4}", span):  # North American local number
        return True
    grouped = bool(re.search(r"[\s().-]", span))
    return 9 <= n <= 12 and (grouped or digits.startswith("0") or n == 10)


def _ip_ok(span: str) -> bool:
    try:
        ipaddress.ip_address(span)
    except ValueError:
        return False
    return True


# -- the scrubber ------------------------------------------------------------------------------

_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~-]"
Validator = tuple[Callable[[str], bool], int] | None
"""Checks a candidate's sub-span, and the most alphanumerics such a span can hold."""

_CANDIDATES: tuple[tuple[str, re.Pattern[str], Validator], ...] = (
    # The lookbehind starts a match only where a local part starts: linear, not quadratic.
    (
        "email",
        re.compile(
            rf"(?<!{_LOCAL}){_LOCAL}+@[^\W_](?:[\w-]*[^\W_])?"
            r"(?:\.[^\W_](?:[\w-]*[^\W_])?)+"
        ),
        None,
    ),
    ("iban", re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){11,}\b"), (_iban_ok, 34)),
    ("ip", re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)"), (_ip_ok, 12)),
    (
        "ip",
        re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])"),
        (_ip_ok, 32),
    ),
    ("card", re.compile(r"\b\d(?:[ -]?\d){12,}\b"), (_card_ok, 19)),
    (
        "postcode",
        re.compile(
            r"\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}"  # United Kingdom
            r"|[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d"  # Canada
            r"|\d{5}-\d{4})\b"
        ),
        None,
    ),  # United States ZIP+4
    (
        "postcode",
        re.compile(
            r"(?i:\b(?:post ?code|postal code|zip code|zip|plz|cep)\b:?\s*)"
            r"(?P<pii>[A-Z0-9](?:[A-Z0-9 -]{1,8}[A-Z0-9])?)\b"
        ),
        None,
    ),
    ("phone", re.compile(r"(?<!\w)\+?\(?\d(?:[ ./()-]{0,3}\d){6,}(?!\w)"), (_phone_ok, 17)),
)


def _alnum_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"[A-Za-z0-9]+", text)]


def _validated_spans(cand: str, ok: Callable[[str], bool], longest: int) -> list[tuple[int, int]]:
    """Runs of whole alphanumeric groups of ``cand`` (each at most ``longest`` alphanumerics,
    leftmost-longest first) that ``ok`` accepts: so a card number next to a year or an order
    number, or an IBAN next to a word, is still found, and the search stays linear."""
    groups = _alnum_spans(cand)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(groups):
        start = groups[i][0]
        while start > 0 and cand[start - 1] in "+(":
            start -= 1
        ends, size = [], 0
        for k in range(i, len(groups)):
            size += groups[k][1] - groups[k][0]
            if size > longest:
                break
            ends.append(k)
        found = next((k for k in reversed(ends) if ok(cand[start : groups[k][1]])), None)
        if found is None:
            i += 1
            continue
        spans.append((start, groups[found][1]))
        i = found + 1
    return spans


def _sub_validated(text: str, label: str, pattern: re.Pattern[str], ok: Validator) -> str:
    token = f"[{label}]"

    def replace(m: re.Match[str]) -> str:
        cand = m.group()
        if ok is not None:
            spans = _validated_spans(cand, *ok)
        else:  # the whole match, or just its ``pii`` group when the pattern has one
            start, end = m.span("pii") if "pii" in pattern.groupindex else m.span()
            spans = [(start - m.start(), end - m.start())]
        out, last = [], 0
        for start, end in spans:
            out += [cand[last:start], token]
            last = end
        out.append(cand[last:])
        return "".join(out)

    return pattern.sub(replace, text)


# Names: a greeting or self-introduction, then one to three words that look like a name.
_GREETING = (
    r"hi|hello|hey|hiya|dear|good (?:morning|afternoon|evening)|thanks|thank you|"
    r"cheers|regards|bonjour|bonsoir|hallo|hola|ciao|salut|hej|guten tag"
)
_INTRO = (
    r"my name is|my name's|name is|this is|i am|i'm|i’m|je m'appelle|je suis|"
    r"ich heiße|ich bin|me llamo|mi chiamo|signed"
)
_TITLE = r"(?:(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam|herr|frau|mme|mlle|m)\.?\s+)?"
_LEAD = re.compile(
    rf"(?i)(?<!\w)(?:(?P<greet>{_GREETING})[,!]?|(?P<intro>{_INTRO}):?)"
    rf"\s+{_TITLE}"
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_COMMON_WORDS = """
    a an and are as at be but by can could do for from good have hello hey hi hope how i i'm
    if in is it just me morning afternoon evening my no not of ok okay on or our please so
    sorry support team the there thank thanks that this to was we what when where who why
    will with would yes you your all everyone guys folks again here calling writing having
    trying looking still unable really very new afraid sure glad happy fine well customer
    agent madam sir dear regards cheers kind best"""
_NOT_NAMES = frozenset(_COMMON_WORDS.split())


def _name_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for lead in _LEAD.finditer(text):
        pos, end, words = lead.end(), -1, 0
        while words < 3:
            m = _WORD.match(text, pos)
            if m is None or m.group().lower() in _NOT_NAMES:
                break
            if lead.group("greet") is not None and not m.group()[0].isupper():
                break
            end, words = m.end(), words + 1
            gap = re.match(r"[ \t]+", text[m.end() :])
            if gap is None:
                break
            pos = m.end() + gap.end()
        if end > 0:
            spans.append((lead.end(), end))
    return spans


def _sub_names(text: str) -> str:
    out, last = [], 0
    for start, end in _name_spans(text):
        if start < last:
            continue
        out.append(text[last:start])
        out.append("[name]")
        last = end
    out.append(text[last:])
    return "".join(out)


def _one_pass(text: str) -> str:
    for label, pattern, ok in _CANDIDATES:
        text = _sub_validated(text, label, pattern, ok)
    return _sub_names(text)


def scrub(text: str) -> str:
    """``text`` with emails, phone numbers, card numbers, IBANs, IP addresses, unambiguous
    postcodes and greeted or self-introduced names replaced by ``[email]``, ``[phone]``, …

    Repeats until nothing changes, which makes it idempotent; never raises on any ``str``.
    """
    for _ in range(_MAX_PASSES):
        scrubbed = _one_pass(text)
        if scrubbed == text:
            break
        text = scrubbed
    return text


# -- ticket hashing ----------------------------------------------------------------------------


def ticket_hash(ticket: str, secret: bytes) -> str:
    """A stable, keyed pseudonym for a ticket id: safe to share, useless without ``secret``."""
    digest = hmac.new(secret, ticket.strip().encode("utf-8"), hashlib.sha256).hexdigest()
    return f"t-{digest[:32]}"


def team_secret(data_dir: Path) -> bytes:
    """This install's team secret, created (0600) on first use.

    On Windows the mode is not enforced; the file inherits the user profile's ACL.
    """
    path = data_dir / SECRET_FILE
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            text = path.read_text(encoding="ascii").strip()
        else:
            text = secrets.token_hex(32)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(text + "\n")
        return bytes.fromhex(text)
    except (OSError, ValueError) as exc:
        raise AgentAssistError(
            f"cannot read or create the team secret {path}: {exc} (delete "
            "the file to make a new one; shared ticket hashes will "
            "change)"
        ) from exc
