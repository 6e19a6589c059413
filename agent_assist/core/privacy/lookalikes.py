"""What looks like personal data and is not: claimed (and so kept) before the rules for
phone numbers, weak national ids, IP addresses and postcodes run.

Cards, IBANs and strong national ids are found *before* these rules: an order "number" that
is a valid card number is still removed.
"""

from __future__ import annotations

from agent_assist.core.privacy.checksums import gs1_ok
from agent_assist.core.privacy.spans import KEEP, Rule, regex

_ENDS = r"(?![\w-]|[.,:/]\d)"
"""A look-alike ends where the number ends: never claim the first part of an IP address or of
a longer number."""

# USPS IMpb: 20-22 digits starting 91-95 with a GS1 check digit; claimed before the card rule,
# which would otherwise find a Luhn-valid run inside most of them.
USPS = Rule(
    KEEP,
    regex(
        rf"(?<![\w-])9[1-5](?:\d{{18,20}}|\d\d(?: \d{{4}}){{4}} \d{{2,4}}){_ENDS}",
        lambda span: gs1_ok(span.replace(" ", "")),
    ),
)

_ISO = (
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?)?"
)
_NUMERIC_DATE = r"\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?)?"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?"
TIMESTAMP = Rule(
    KEEP,
    regex(
        rf"(?<![\w./:-])(?:{_ISO}|\d{{4}}/\d{{2}}/\d{{2}}|{_NUMERIC_DATE}|{_TIME})"
        r"(?![\w:]|[./-]\d)"
    ),
)

_KEYWORDS = (
    r"order|ticket|incident|invoice|inv|ref|reference|tracking|shipment|parcel|package"
    r"|consignment|awb|waybill|sku|product|po|purchase\s+order|rma|booking|reservation"
    r"|confirmation|serial|kb|error|batch|ean|upc|isbn|gtin|bestellung|bestellnummer|auftrag"
    r"|rechnung|sendung|sendungsnummer|commande|facture|colis|suivi|pedido|factura|env[íi]o"
    r"|seguimiento|usps|ups|fedex|dhl|dpd|gls|hermes|tnt|colissimo|chronopost|correos|seur"
    r"|royal\s+mail|parcelforce|purolator|canada\s+post|postnl|bpost"
)
_NUMBERED = r"case|item|part|model|code|article|return|lot"
"""Everyday words too: they mark a code only when "number", "no.", "#" or ":" follows."""
_SUFFIX = r"(?:number|no\.?|nr\.?|num|id|code|n[°º])"
KEYWORD_CODE = Rule(
    KEEP,
    regex(
        rf"(?i:\b(?:(?:{_KEYWORDS})(?:\s*{_SUFFIX})?|(?:{_NUMBERED})\s*(?:{_SUFFIX}|(?=\s*[:#])))"
        rf"\.?\s*[:#]?\s*)(?P<pii>#?[A-Z0-9](?:[ /-]?[A-Z0-9]){{2,40}}){_ENDS}"
    ),
)
# ORD-2026-000123, INV-2026-00042, SKU-88421-BLK; 1Z999AA10123456784 (UPS)
CODE = Rule(
    KEEP,
    regex(
        (
            r"\b(?:[A-Z]{2,}[A-Z0-9]*(?:[-_/][A-Z0-9]+)+"
            r"|1Z ?[0-9A-Z]{3} ?[0-9A-Z]{3} ?[0-9A-Z]{2} ?[0-9A-Z]{4} ?[0-9A-Z]{4})\b" + _ENDS
        ),
        lambda span: any(ch.isdigit() for ch in span),
    ),
)
VERSION = Rule(
    KEEP,
    regex(
        r"(?i:\b(?:v|(?:ver\.?|version|release|build|firmware|fw|ios|android|macos|windows)"
        r"\s?))\d+(?:[._]\d+){1,3}(?:[-+][\w.]+)?(?![\w.])"
        r"|(?<![\w.])\d{1,2}\.\d{1,3}\.\d{1,3}(?:-(?:alpha|beta|rc|dev)[\w.]*)?(?![\w]|\.\d)"
    ),
)
_CURRENCY = r"[$€£¥₹]|\b(?:USD|EUR|GBP|CHF|JPY|CAD|AUD|SEK|NOK|DKK|PLN|INR|MXN|BRL)\b"
_AMOUNT = (  # 1,234.56 / 1.234,56 / 1 234,56 / 1'234.56 / 12.5
    r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d{1,2})?|[1-9]\d{0,2}(?:\.\d{3})+(?:,\d{1,2})?"
    r"|[1-9]\d{0,2}(?:[ '’\u202f]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
)
AMOUNT = Rule(
    KEEP,
    regex(
        rf"(?:{_CURRENCY})\s?-?(?:{_AMOUNT})(?!\d|[ ,.'’\u202f]\d)"
        rf"|(?<![\w.,+(])(?<!\d[ '’\u202f])(?:{_AMOUNT})\s?(?:{_CURRENCY})"
    ),
)
UUID = Rule(
    KEEP,
    regex(
        r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
        r"|\b0x[0-9a-f]+\b|\b[0-9a-f]{32,64}\b"
    ),
)
BEFORE_IP = (TIMESTAMP, KEYWORD_CODE, CODE, VERSION, UUID)
"""In order; :data:`USPS` runs earlier, before the card rule, and :data:`AMOUNT` after the IP
address rules (``1.100.100.100 €`` is rather an address than a billion)."""
