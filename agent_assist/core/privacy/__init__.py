"""Privacy by design (GDPR data minimisation, PCI DSS): what keeps customer data on the
workstation.  :mod:`.scrubber` removes personal data from free text before it is stored or
shared; :mod:`.tickets` turns ticket ids into keyed pseudonyms for anything that leaves."""

from agent_assist.core.privacy.scrubber import iban_ok, luhn_ok, scrub, scrub_payment_and_ids
from agent_assist.core.privacy.tickets import (
    LOCAL_KEY_ID,
    SECRET_FILE,
    TICKET_HASH_RE,
    TeamKey,
    TeamSecretError,
    local_key,
    team_secret,
    ticket_hash,
    write_private_file,
)

__all__ = [
    "LOCAL_KEY_ID",
    "SECRET_FILE",
    "TICKET_HASH_RE",
    "TeamKey",
    "TeamSecretError",
    "iban_ok",
    "local_key",
    "luhn_ok",
    "scrub",
    "scrub_payment_and_ids",
    "team_secret",
    "ticket_hash",
    "write_private_file",
]
