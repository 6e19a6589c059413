"""The scrubber's issue-11 rules: the review's findings verbatim, the ``kinds`` option used for
step notes, generated national ids inside arbitrary text, the lazy python-stdnum import, and
the ids and labels of real knowledge packs coming through unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.es import dni
from stdnum.nl import bsn

from agent_assist.core.knowledge.models import Macro, Sop
from agent_assist.core.knowledge.reader import read_pack
from agent_assist.core.privacy import scrub, scrub_payment_and_ids
from agent_assist.core.privacy.scrubber import KINDS
from agent_assist.resources import demo_pack
from tests.conftest import TINY_PACK, write_pack

# The review's examples (issue 11, item 3), each with what must come out.
FINDINGS: list[tuple[str, str]] = [
    ("Card 4111 1111 1111 1111", "Card [card]"),
    ("SSN 123-45-6789", "SSN [id]"),
    ("123-45-6789", "[id]"),
    ("NINO AB 12 34 56 C", "NINO [id]"),
    ("passport no. 123456789", "passport no. [id]"),
    ("born on 12/03/1985", "born on [dob]"),
    ("DOB 1985-03-12", "DOB [dob]"),
    ("date of birth: 12 March 1985", "date of birth: [dob]"),
    ("221B Baker Street", "[address]"),
    ("Hauptstraße 5", "[address]"),
    ("12 rue de la Paix", "[address]"),
    ("Calle Mayor 10, 3º", "[address]"),
    ("my son Tom Baker", "my son [name]"),
    ("my wife Anna", "my wife [name]"),
    ("my name is Tom", "my name is [name]"),
    ("I am Tom Baker", "I am [name]"),
    ("this is Anna from billing", "this is [name] from billing"),
    ("bob [at] example [dot] com", "[email]"),
    ("bob at example dot com", "[email]"),
]
UNCHANGED = [
    "ORD-2026-000123",
    "2026-11-26 17:05",
    "2026-03-12",
    "USPS 9400 1118 9922 3344 5566 77",
    "UPS 1Z999AA10123456784",
    "v2.14.3",
    "$1,234.56",
    "SKU-88421-BLK",
]


@pytest.mark.parametrize(("text", "expected"), FINDINGS)
def test_review_findings_are_scrubbed(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_review_lookalikes_are_kept(text: str) -> None:
    assert scrub(text) == text


def test_notes_lose_payment_data_and_ids_only() -> None:
    note = (
        "read card 4111 1111 1111 1111 and IBAN DE89 3704 0044 0532 0130 00, SSN 123-45-6789, "
        "DNI 54362315-K; call Anna back on +44 20 7946 0958 or anna@example.com"
    )
    assert scrub_payment_and_ids(note) == (
        "read card [card] and IBAN [iban], SSN [id], DNI [id]; "
        "call Anna back on +44 20 7946 0958 or anna@example.com"
    )
    assert scrub(note, kinds={"email"}) == note.replace("anna@example.com", "[email]")
    assert scrub("ORD-2026-000123 4111111111111111", kinds=()) == (
        "ORD-2026-000123 4111111111111111"
    )
    assert {"card", "iban", "id", "email", "phone", "dob", "address", "name"} <= KINDS


# -- generated national ids inside arbitrary text never survive -------------------------------


def _dni(body: str) -> str:
    return body + dni.calc_check_digit(body)


def _bsn(body: str) -> str:
    return next((body + d for d in "0123456789" if bsn.is_valid(body + d)), "")


def _ssn(area: int, group: int, serial: int) -> str:
    return f"{area:03d}-{group:02d}-{serial:04d}"


digits = st.text("0123456789", min_size=8, max_size=8)
ids = st.one_of(
    digits.map(_dni),
    digits.map(lambda d: _dni(d)[:8] + "-" + _dni(d)[8]),
    st.text("0123456789", min_size=7, max_size=7).map(
        lambda d: "X" + d + dni.calc_check_digit("0" + d)
    ),
    digits.map(lambda d: _bsn("1" + d)).filter(lambda n: len(n) == 9),
    st.builds(_ssn, st.integers(1, 899), st.integers(1, 99), st.integers(1, 9999)),
    st.builds(
        "{}{} {:02d} {:02d} {:02d} {}".format,
        st.sampled_from("ABCEHJKLMPRSTWXYZ"),
        st.sampled_from("ABCEHJKLMPRSTWXYZ"),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 99),
        st.sampled_from("ABCD"),
    ).filter(lambda n: n[:2] not in {"GB", "NK", "KN", "TN", "NT", "ZZ", "BG"}),
)
emails = st.builds(
    "{} [at] {} [dot] {}".format,
    st.from_regex(r"[a-z][a-z0-9._-]{0,10}[a-z0-9]", fullmatch=True),
    st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True),
    st.sampled_from(["com", "de", "fr", "es"]),
)
filler = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@given(st.one_of(ids, emails), filler, filler)
@settings(max_examples=300, deadline=None)
def test_generated_ids_never_survive(value: str, before: str, after: str) -> None:
    out = scrub(f"{before} {value} {after}")
    assert value not in out


# -- cost -------------------------------------------------------------------------------------

_IMPORTS = """
import sys
import agent_assist.core.privacy as privacy
privacy.scrub("Hi Tom, the app crashes on login since the update")
loaded_by_words = sorted(m for m in sys.modules if m.startswith("stdnum"))
privacy.scrub("her id is 54362315-K")
print(loaded_by_words, "stdnum.es.dni" in sys.modules)
"""


def test_stdnum_is_imported_only_when_a_number_needs_checking() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _IMPORTS], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["[]", "True"]


# -- what packs hold passes through unchanged -----------------------------------------------


def _pack_texts(root: Path) -> list[str]:
    texts: list[str] = []
    for item in read_pack(root).items:
        content = item.content
        if isinstance(content, Sop):
            texts.append(content.id)
            for step in content.steps:
                texts += [step.id, *(c.label for c in step.choices)]
        elif isinstance(content, Macro):
            texts.append(content.id)
    return texts


def test_pack_ids_and_choice_labels_are_not_taken_for_personal_data(tmp_path: Path) -> None:
    texts = _pack_texts(demo_pack()) + _pack_texts(write_pack(tmp_path / "tiny", TINY_PACK))
    assert len(texts) > 20
    assert [t for t in texts if scrub(t) != t] == []
