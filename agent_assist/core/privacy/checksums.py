"""Check digits that tell a personal number from any other run of digits, via python-stdnum.

python-stdnum's package import costs tens of milliseconds (it pulls in ``pydoc`` and ``ssl``),
and each national-id module a few more, so every module is imported on its first use: a text
with no candidate number never loads any of them, and the app window never waits for them.
"""

from __future__ import annotations

import re
from functools import cache
from types import ModuleType


@cache
def _stdnum(name: str) -> ModuleType:
    """``stdnum.<name>``, imported now.  Plain import statements rather than importlib, so
    that the frozen build's analysis (PyInstaller) sees and bundles each module."""
    if name == "luhn":
        import stdnum.luhn

        return stdnum.luhn
    if name == "iso7064.mod_97_10":
        import stdnum.iso7064.mod_97_10

        return stdnum.iso7064.mod_97_10
    if name == "ean":
        import stdnum.ean

        return stdnum.ean
    if name == "es.dni":
        import stdnum.es.dni

        return stdnum.es.dni
    if name == "es.nie":
        import stdnum.es.nie

        return stdnum.es.nie
    if name == "it.codicefiscale":
        import stdnum.it.codicefiscale

        return stdnum.it.codicefiscale
    if name == "fr.nir":
        import stdnum.fr.nir

        return stdnum.fr.nir
    if name == "be.nn":
        import stdnum.be.nn

        return stdnum.be.nn
    if name == "fi.hetu":
        import stdnum.fi.hetu

        return stdnum.fi.hetu
    if name == "ch.ssn":
        import stdnum.ch.ssn

        return stdnum.ch.ssn
    if name == "se.personnummer":
        import stdnum.se.personnummer

        return stdnum.se.personnummer
    if name == "no.fodselsnummer":
        import stdnum.no.fodselsnummer

        return stdnum.no.fodselsnummer
    if name == "br.cpf":
        import stdnum.br.cpf

        return stdnum.br.cpf
    if name == "de.idnr":
        import stdnum.de.idnr

        return stdnum.de.idnr
    if name == "nl.bsn":
        import stdnum.nl.bsn

        return stdnum.nl.bsn
    if name == "pl.pesel":
        import stdnum.pl.pesel

        return stdnum.pl.pesel
    if name == "dk.cpr":
        import stdnum.dk.cpr

        return stdnum.dk.cpr
    if name == "at.vnr":
        import stdnum.at.vnr

        return stdnum.at.vnr
    if name == "ie.pps":
        import stdnum.ie.pps

        return stdnum.ie.pps
    if name == "gb.nhs":
        import stdnum.gb.nhs

        return stdnum.gb.nhs
    raise KeyError(name)


def stdnum_ok(name: str, number: str) -> bool:
    """``stdnum.<name>.is_valid(number)``: format, dates and check digits of that id."""
    return bool(_stdnum(name).is_valid(number))


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number carries."""
    return digits.isdigit() and stdnum_ok("luhn", digits)


def iban_ok(compact: str) -> bool:
    """ISO 13616 shape (country, two check digits, 11-30 alphanumerics) and ISO 7064 mod
    97-10.  The country's own BBAN format is not checked: an IBAN of a country the library
    does not know, or a slightly mistyped one, is still personal data."""
    text = compact.upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", text):
        return False
    return stdnum_ok("iso7064.mod_97_10", text[4:] + text[:4])


def gs1_ok(digits: str) -> bool:
    """The GS1 mod-10 check digit (weights 3 and 1 from the right) of shipping labels:
    USPS IMpb tracking numbers carry it."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    ean = _stdnum("ean")
    return bool(ean.calc_check_digit(digits[:-1]) == digits[-1])
