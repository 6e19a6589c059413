"""Scrub personal data out of free text before it is stored or shared.

Free text that may be shared (search queries, skip reasons, choices, gap reports) goes through
:func:`scrub` *before* it is stored, and again before it leaves; step notes, which stay on the
workstation, lose their payment data and national ids (:func:`scrub_payment_and_ids`).  The
scrubber is conservative: when in doubt it removes (an order number lost from a query costs
little; a leaked phone number costs a lot), except for the look-alikes it knows (timestamps,
order and tracking numbers, versions, amounts).  It never raises and is idempotent, so it is
safe to apply again at any boundary.

The rules run in the order of :data:`RULES` over the same text; each claims what it finds, so a
later rule only sees what is still free (see :mod:`.spans`).  The order is the policy: e-mails
first (they hold digits), then what context makes certain (a date of birth, an id after
"passport no."), payment data and strong ids, then the look-alikes are claimed and kept, then
the ambiguous kinds (phones, weak ids, addresses, names).
"""

from __future__ import annotations

from collections.abc import Iterable

from agent_assist.core.privacy import addresses, birth, contacts, lookalikes, names, national_ids
from agent_assist.core.privacy.checksums import iban_ok, luhn_ok
from agent_assist.core.privacy.payment import CARD, IBAN
from agent_assist.core.privacy.spans import Rule, apply

__all__ = [
    "KINDS",
    "PAYMENT_AND_IDS",
    "RULES",
    "iban_ok",
    "luhn_ok",
    "scrub",
    "scrub_payment_and_ids",
]

_MAX_PASSES = 8

RULES: tuple[Rule, ...] = (
    contacts.EMAIL,
    contacts.OBFUSCATED_EMAIL,
    birth.DATE_OF_BIRTH,
    national_ids.IN_CONTEXT,
    addresses.LABELLED,
    national_ids.US_SSN,
    national_ids.UK_NINO,
    *national_ids.STRONG,
    lookalikes.USPS,
    IBAN,
    CARD,
    *lookalikes.BEFORE_IP,
    contacts.IPV4,
    contacts.IPV6,
    lookalikes.AMOUNT,
    *national_ids.WEAK,
    contacts.POSTCODE,
    contacts.LABELLED_POSTCODE,
    contacts.PHONE,
    addresses.STREET,
    names.NAME,
)
_WITHOUT_DIGITS = tuple(
    rule
    for rule in RULES
    if rule
    in (
        contacts.EMAIL,
        contacts.OBFUSCATED_EMAIL,
        addresses.LABELLED,
        national_ids.CODICE_FISCALE,  # may be all letters (omocodia)
        names.NAME,
    )
)
"""The rules that can match a text without a digit (the others are skipped for such text:
most shared text is a short id or label, and this halves its cost)."""
KINDS = frozenset(rule.label for rule in RULES if rule.label)
"""Every label: ``[email]``, ``[phone]``, ``[card]``, ``[iban]``, ``[id]``, ``[dob]``, …"""
PAYMENT_AND_IDS = frozenset({"card", "iban", national_ids.LABEL})


def scrub(text: str, kinds: Iterable[str] | None = None) -> str:
    """``text`` with personal data replaced by ``[email]``, ``[phone]``, ``[card]``,
    ``[iban]``, ``[id]`` (national ids, passports), ``[dob]``, ``[address]``, ``[ip]``,
    ``[postcode]`` and ``[name]``; only the labels in ``kinds``, when given (look-alikes are
    kept either way).

    Repeats until nothing changes, which makes it idempotent; never raises on any ``str``.
    """
    wanted = None if kinds is None else frozenset(kinds)
    for _ in range(_MAX_PASSES):
        rules = RULES if any(ch.isdigit() for ch in text) else _WITHOUT_DIGITS
        scrubbed = apply(text, rules, wanted)
        if scrubbed == text:
            break
        text = scrubbed
    return text


def scrub_payment_and_ids(text: str) -> str:
    """Only card numbers, IBANs and national ids removed: for step notes, which stay on the
    workstation but must never hold payment data (PCI DSS) or identity numbers."""
    return scrub(text, PAYMENT_AND_IDS)
