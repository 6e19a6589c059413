"""National identity numbers: found by what precedes them ("SSN", "passport no."), by a
format no other number has (US SSN ``123-45-6789``, UK NINO), or by the check digits that
python-stdnum validates.

Ids whose check is strong (one random number in ~100 passes, or a distinctive shape) are
claimed before the look-alike rules; weak ones (the Dutch BSN's 11-test, the German tax id:
about one nine- or eleven-digit number in ten passes) only after them, so an order or ticket
number is not taken for one.
"""

from __future__ import annotations

from agent_assist.core.privacy.checksums import stdnum_ok
from agent_assist.core.privacy.spans import Rule, regex

LABEL = "id"

_WORDS = (
    r"social\s+security(?:\s+(?:number|no\.?|#))?|social\s+insurance\s+number"
    r"|passport(?:\s+(?:number|no\.?|nr\.?|#))?|passeport|pasaporte|reisepass(?:nummer)?"
    r"|pass(?:nummer|-nr\.?)|national\s+(?:id|identity|insurance)(?:\s+(?:number|no\.?|card))?"
    r"|ni\s+(?:number|no\.?)|id(?:entity)?\s+(?:number|no\.?|card(?:\s+(?:number|no\.?))?)"
    r"|personalausweis(?:nummer)?|ausweis(?:nummer|-nr\.?)|steuer-?id(?:entifikationsnummer)?"
    r"|steuernummer|tax\s+(?:id|number|identification\s+number)"
    r"|num[ée]ro\s+(?:de\s+)?(?:s[ée]curit[ée]\s+sociale|passeport|fiscal)|s[ée]cu"
    r"|n[úu]mero\s+de\s+(?:pasaporte|identidad|seguridad\s+social)|documento\s+de\s+identidad"
    r"|codice\s+fiscale|burgerservicenummer|personnummer|henkil[öo]tunnus|fødselsnummer"
    r"|driver'?s\s+licen[cs]e(?:\s+(?:number|no\.?))?|licen[cs]e\s+(?:number|no\.?)"
    r"|f[üu]hrerschein(?:nummer)?|permis\s+de\s+conduire|carn[ée]\s+de\s+conducir"
)
_ACRONYMS = (
    r"SSN|ssn|SSNs|ITIN|NINO|NI|TIN|NIF|NIE|DNI|dni|BSN|NIR|INSEE|PESEL|CPR|AHV|AVS|PPSN?|CPF"
)
_TOKEN = r"[A-Za-z0-9]*\d[A-Za-z0-9]*(?:[ ./-](?:[A-Za-z0-9]*\d[A-Za-z0-9]*|[A-Za-z]\b))*"
IN_CONTEXT = Rule(
    LABEL,
    regex(
        rf"(?:(?i:\b(?:{_WORDS}))|\b(?:{_ACRONYMS}))\b"
        r"(?i:\s*(?:n[°ºo]\.?|number|no\.?|nr\.?|#)?\s*(?:is|es|ist|est)?\s*[:#=-]?\s*)"
        rf"(?P<pii>{_TOKEN})"
    ),
)

# 123-45-6789: no date, phone or order number is written 3-2-4 with dashes.
US_SSN = Rule(LABEL, regex(r"(?<![\w-])\d{3}(?:-\d{2}-| \d{2} )\d{4}(?![\w-])"))

_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})
UK_NINO = Rule(
    LABEL,
    regex(
        (r"(?i)\b(?:QQ|[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"),
        lambda span: span[:2].upper() not in _NINO_BAD_PREFIXES,
    ),
)


def _stdnum_rule(module: str, pattern: str) -> Rule:
    return Rule(LABEL, regex(pattern, lambda span: stdnum_ok(module, span)))


CODICE_FISCALE = _stdnum_rule(
    "it.codicefiscale",
    r"(?i)\b[A-Z]{6}[0-9LMNP-V]{2}[A-EHLMPR-T][0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{3}[A-Z]\b",
)
STRONG = (
    _stdnum_rule("es.dni", r"\b\d{8}[ -]?[A-Za-z]\b"),
    _stdnum_rule("es.nie", r"\b[XYZxyz][ -]?\d{7}[ -]?[A-Za-z]\b"),
    CODICE_FISCALE,
    _stdnum_rule("fr.nir", r"\b[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}\b"),
    _stdnum_rule("be.nn", r"\b\d{2}[ .]?\d{2}[ .]?\d{2}[ .-]?\d{3}[ .-]?\d{2}\b"),
    _stdnum_rule("fi.hetu", r"(?i)\b\d{6}[-+A-FU-Y]\d{3}[0-9A-FHJ-NPR-Y]\b"),
    _stdnum_rule("ch.ssn", r"\b756[ .]?\d{4}[ .]?\d{4}[ .]?\d{2}\b"),
    _stdnum_rule("se.personnummer", r"\b(?:\d{2})?\d{6}[-+]\d{4}\b"),
    _stdnum_rule("no.fodselsnummer", r"\b\d{6} ?\d{5}\b"),
    _stdnum_rule("br.cpf", r"\b\d{3}\.\d{3}\.\d{3}-\d{2}\b"),
)
WEAK = (
    _stdnum_rule("de.idnr", r"\b\d{2} ?\d{3} ?\d{3} ?\d{3}\b"),
    _stdnum_rule("nl.bsn", r"\b\d{4}\.?\d{2}\.?\d{3}\b"),
    _stdnum_rule("pl.pesel", r"\b\d{11}\b"),
    _stdnum_rule("dk.cpr", r"\b\d{6}-\d{4}\b"),
    _stdnum_rule("at.vnr", r"\b\d{4} ?\d{6}\b"),
    _stdnum_rule("ie.pps", r"(?i)\b\d{7}[A-W][A-IW]?\b"),
    _stdnum_rule("gb.nhs", r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b"),
)
