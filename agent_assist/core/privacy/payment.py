"""Payment data (PCI DSS): card numbers (Luhn) and IBANs (ISO 7064 mod 97-10)."""

from __future__ import annotations

import re

from agent_assist.core.privacy.checksums import iban_ok, luhn_ok
from agent_assist.core.privacy.spans import Rule, windows


def _card_ok(span: str) -> bool:
    digits = re.sub(r"\D", "", span)
    return 13 <= len(digits) <= 19 and luhn_ok(digits)


def _iban_ok(span: str) -> bool:
    return iban_ok(re.sub(r"[\s-]", "", span))


IBAN = Rule("iban", windows(r"\b[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){11,}\b", _iban_ok, 34))
CARD = Rule("card", windows(r"\b\d(?:[ -]?\d){12,}\b", _card_ok, 19))
