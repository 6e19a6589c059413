"""A deterministic synthetic catalogue: N SOPs with 10 customer phrasings each.

Vocabulary is support-desk English: products x problems x contexts, with synonyms and
fillers, plus invented brand and plan names so that larger catalogues also have larger
vocabularies, as real ones do.  The same seed always gives the same catalogue.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from agent_assist.core.knowledge.models import Sop, SourceFile

PRODUCTS = (
    "card",
    "debit card",
    "credit card",
    "account",
    "savings account",
    "app",
    "wallet",
    "transfer",
    "payment",
    "subscription",
    "order",
    "parcel",
    "refund",
    "invoice",
    "password",
    "login",
    "profile",
    "phone number",
    "address",
    "loan",
    "mortgage",
    "insurance policy",
    "gift card",
    "voucher",
    "coupon",
    "top up",
    "exchange rate",
    "pin",
    "statement",
    "direct debit",
    "standing order",
    "cheque",
    "cash withdrawal",
    "contactless payment",
    "virtual card",
    "delivery",
    "return label",
    "warranty",
    "device",
    "router",
    "sim card",
    "data plan",
    "roaming",
    "bill",
    "tariff",
    "contract",
    "membership",
    "ticket",
    "booking",
    "reservation",
    "flight",
    "hotel room",
    "rental car",
    "coins",
    "livestream",
    "video upload",
    "creator payout",
    "ad campaign",
    "tax form",
    "two factor code",
)
PROBLEMS = (
    ("has not arrived", "still not here", "never arrived", "is missing"),
    ("was declined", "got rejected", "was refused", "failed"),
    ("charged twice", "double charged", "billed two times", "duplicate charge"),
    ("is locked", "is blocked", "is frozen", "got suspended"),
    ("cancel", "stop", "terminate", "end"),
    ("change", "update", "edit", "correct"),
    ("lost", "misplaced", "cannot find", "gone"),
    ("stolen", "was stolen", "taken", "theft"),
    ("refund", "money back", "reimburse", "repay"),
    ("wrong amount", "incorrect amount", "overcharged", "too much"),
    ("not working", "broken", "stopped working", "keeps crashing"),
    ("activate", "turn on", "enable", "set up"),
    ("deactivate", "turn off", "disable", "pause"),
    ("verify", "confirm", "validate", "prove"),
    ("transfer", "move", "send", "switch"),
    ("too slow", "delayed", "taking ages", "pending"),
    ("hacked", "compromised", "accessed by someone", "breached"),
    ("fee", "extra charge", "hidden cost", "commission"),
    ("limit", "maximum", "cap", "allowance"),
    ("expired", "out of date", "no longer valid", "lapsed"),
)
CONTEXTS = (
    "abroad",
    "online",
    "in the shop",
    "on ios",
    "on android",
    "on the website",
    "for my business",
    "for my child",
    "after moving",
    "after an update",
    "at the atm",
    "during checkout",
    "on a weekend",
    "from another bank",
    "in euros",
    "in dollars",
)
OPENERS = ("", "", "hi ", "hello ", "please help ", "urgent ", "hey team ", "good morning ")
TEMPLATES = (
    "{o}my {p} {x}",
    "{o}why is my {p} {x} {c}",
    "{o}i need help my {p} {x} {c}",
    "{o}can you check my {p} it {x}",
    "{o}{p} {x} {c} what now",
    "{o}how do i fix {p} {x}",
    "{o}my {b} {p} {x}",
    "{o}the {p} {x} again {c}",
    "{o}what happens if {p} {x}",
    "{o}need to sort out {p} {x} {c}",
)
SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ra",
    "ven",
    "tor",
    "zu",
    "pe",
    "sol",
    "nix",
    "qua",
    "del",
    "ban",
    "ori",
    "tes",
    "lum",
    "gar",
    "fen",
    "yo",
    "wex",
)


@dataclass(frozen=True)
class SynthSop:
    sop: Sop
    brand: str


def _brand(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def phrasing(
    rng: random.Random, product: str, problem: tuple[str, ...], context: str, brand: str
) -> str:
    return " ".join(
        rng.choice(TEMPLATES)
        .format(o=rng.choice(OPENERS), p=product, x=rng.choice(problem), c=context, b=brand)
        .split()
    )


def catalogue(n: int, seed: int = 11) -> list[SynthSop]:
    rng = random.Random(seed)
    combos = [(p, x, c) for p in PRODUCTS for x in range(len(PROBLEMS)) for c in CONTEXTS]
    rng.shuffle(combos)
    out = []
    for i in range(n):
        product, problem, context = combos[i % len(combos)]
        brand = _brand(rng)
        texts = tuple(phrasing(rng, product, PROBLEMS[problem], context, brand) for _ in range(10))
        title = f"{product.capitalize()} {PROBLEMS[problem][0]} {context} ({brand})"
        sop = Sop(
            id=f"sop-{i:06d}",
            title=title,
            summary=f"{brand} plan: {product} {PROBLEMS[problem][1]} {context}.",
            tags=(product.split()[-1],),
            phrasings=texts,
            body=f"Check the {product} in the {brand} console.",
        )
        out.append(SynthSop(sop, brand))
    return out


def source(sop: Sop) -> SourceFile:
    text = repr(sop)
    return SourceFile(f"sops/{sop.id}.md", text, hashlib.sha256(text.encode()).hexdigest())


def queries(cat: list[SynthSop], count: int, seed: int = 5) -> list[tuple[str, str]]:
    """(query, expected SOP id): fresh phrasings of random SOPs, not copies of the stored
    ones."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        s = rng.choice(cat)
        words = s.sop.title.split(" (")[0].lower()
        product = next(p for p in sorted(PRODUCTS, key=len, reverse=True) if words.startswith(p))
        problem = next(pr for pr in PROBLEMS if pr[0] in words)
        context = next(c for c in CONTEXTS if words.endswith(c))
        out.append((phrasing(rng, product, problem, context, s.brand), s.sop.id))
    return out
