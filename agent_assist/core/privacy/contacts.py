"""Ways to reach a person: e-mail addresses (also written out to fool harvesters), phone
numbers, IP addresses and unambiguous postcodes."""

from __future__ import annotations

import ipaddress
import re

from agent_assist.core.privacy.spans import Rule, regex, windows

_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~-]"
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"

# The lookbehind starts a match only where a local part starts: linear, not quadratic.
EMAIL = Rule("email", regex(rf"(?<!{_LOCAL}){_LOCAL}+@{_LABEL}(?:\.{_LABEL})+"))

# "bob [at] example [dot] com", "bob(at)example(dot)com", "bob at example dot com",
# "bob @ example . com": the at and dot spelled out or spaced.
_AT = r"(?:\s*[\[({<]\s*(?:at|arroba)\s*[\])}>]\s*|\s+at\s+|\s*@\s*)"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|punto|point|punkt)\s*[\])}>]\s*|\s+dot\s+|\s\.\s|\.)"
_OBFUSCATED = rf"(?i)(?<![\w.+\[-])[\w.+-]*\w{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[a-z]{{2,24}}\b"

_WEBMAIL_DOMAINS = """gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.es hotmail.com
    hotmail.co.uk hotmail.fr hotmail.es outlook.com live.com msn.com icloud.com me.com aol.com
    gmx.de gmx.net gmx.at gmx.ch web.de t-online.de freenet.de posteo.de orange.fr free.fr
    laposte.net sfr.fr wanadoo.fr proton.me protonmail.com tutanota.com mail.com yandex.ru
    telefonica.net btinternet.com sky.com virginmedia.com comcast.net verizon.net"""
_WEBMAIL = frozenset(_WEBMAIL_DOMAINS.split())


def _obfuscated_ok(span: str) -> bool:
    """Spelled out: the at or a dot must really be spelled out or spaced (a plain address
    is the other rule's), and a plain " at " before a real domain counts only for webmail."""
    plain = re.fullmatch(rf"{_LOCAL}+@{_LABEL}(?:\.{_LABEL})+", span)
    if plain:
        return False
    lower = span.lower()
    if re.search(
        r"[\[({<]\s*(?:at|arroba|dot|punto|point|punkt)\s*[\])}>]|\sdot\s|\s@|@\s|\s\.\s", lower
    ):
        return True
    domain = lower.rsplit(" at ", 1)[-1]
    return domain in _WEBMAIL


OBFUSCATED_EMAIL = Rule("email", regex(_OBFUSCATED, _obfuscated_ok))


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


IPV4 = Rule("ip", windows(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)", _ip_ok, 12))
IPV6 = Rule(
    "ip",
    windows(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])", _ip_ok, 32),
)
# Not followed by ":digit" (a clock time), not glued to a word.
PHONE = Rule(
    "phone",
    windows(r"(?<!\w)\+?\(?\d(?:[ ./()-]{0,3}\d){6,}(?!\w|:\d)", _phone_ok, 17),
)
POSTCODE = Rule(
    "postcode",
    regex(
        r"\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}"  # United Kingdom
        r"|[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d"  # Canada
        r"|\d{5}-\d{4})\b"  # United States ZIP+4
    ),
)
LABELLED_POSTCODE = Rule(
    "postcode",
    regex(
        r"(?i:\b(?:post ?code|postal code|zip code|zip|plz|cep|code postal|código postal)"
        r"\b:?\s*)(?P<pii>[A-Z0-9](?:[A-Z0-9 -]{1,8}[A-Z0-9])?)\b"
    ),
)
