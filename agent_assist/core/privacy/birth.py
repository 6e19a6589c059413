"""Dates of birth, recognised by what precedes them: a date alone is no personal data
(delivery dates, timestamps), a date after "born on", "DOB" or "date of birth" is."""

from __future__ import annotations

from agent_assist.core.privacy.spans import Rule, regex

_MONTHS = (
    r"jan(?:uary|vier|uar)?|feb(?:ruary|ruar)?|f[ée]v(?:rier)?|mar(?:ch|s|zo)?|m[äa]rz"
    r"|apr(?:il)?|avr(?:il)?|abr(?:il)?|may|mai|mayo|jun(?:e|i|io)?|juin|jul(?:y|i|io)?"
    r"|juil(?:let)?|aug(?:ust)?|ao[ûu]t|ago(?:sto)?|sep(?:t(?:ember|embre)?)?|sept?iembre"
    r"|oct(?:ober|obre)?|okt(?:ober)?|nov(?:ember|embre|iembre)?|dec(?:ember)?|d[ée]c(?:embre)?"
    r"|dez(?:ember)?|dic(?:iembre)?|ene(?:ro)?|enero"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th|er|º|°|\.)?"
_DATE = (
    r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2}"
    rf"|{_DAY}\s+(?:of\s+|de\s+)?(?:{_MONTHS})\.?,?\s+(?:de\s+)?\d{{4}}"
    rf"|\d{{1,2}}[-/ ](?:{_MONTHS})[-/ ](?:\d{{4}}|\d{{2}})"
    rf"|(?:{_MONTHS})\.?\s+{_DAY},?\s+\d{{4}}"
    rf"|(?:{_MONTHS})\.?\s+\d{{4}}|(?<=in\s)\d{{4}}"
)
_CONTEXT = (
    r"born(?:\s+(?:on|in))?|d\.?o\.?b\.?|date\s+of\s+birth|birth\s?date|birthday"
    r"|geb(?:oren)?\.?(?:\s+(?:am|im))?|geburtsdatum|geburtstag|n[ée]e?\s+(?:le|en)"
    r"|date\s+de\s+naissance|fecha\s+de\s+nacimiento|nacid[oa]\s+(?:el|en)|f\.\s?nac\."
)
DATE_OF_BIRTH = Rule(
    "dob",
    regex(
        rf"(?i)(?<!\w)(?:{_CONTEXT})(?!\w)\s*(?:is|was|ist|est|es)?\s*[:=-]?\s*"
        rf"(?:the\s+)?(?P<pii>{_DATE})(?!\w)"
    ),
)
