"""Banking77 (CC BY 4.0) as a knowledge pack: 77 intents = 77 SOPs, train = phrasings.

Everything goes through the public path: the pack is written as files, checked and imported
with :func:`import_pack_dir`, and ranked by :class:`Suggester` - the same calls
``agent-assist import`` and ``agent-assist suggest`` make.
"""

from __future__ import annotations

import csv
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "banking77"


@dataclass(frozen=True)
class Example:
    text: str
    intent: str


def load(data: Path, split: str) -> list[Example]:
    with (data / f"{split}.csv").open(encoding="utf-8", newline="") as f:
        return [Example(r["text"], r["category"]) for r in csv.DictReader(f)]


def sop_id(intent: str) -> str:
    """Intent names as valid pack ids ('Refund_not_showing_up' -> 'refund-not-showing-up')."""
    return re.sub(r"[^a-z0-9]+", "-", intent.lower()).strip("-")


def title(intent: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", " ", intent).strip().capitalize()


def write_pack(root: Path, phrasings: dict[str, list[str]], name: str = "banking77") -> Path:
    """One SOP file per intent; YAML written by PyYAML so any text is quoted safely."""
    (root / "sops").mkdir(parents=True, exist_ok=True)
    (root / "pack.yaml").write_text(f"name: {name}\nlocale: en\n", encoding="utf-8")
    for intent, texts in sorted(phrasings.items()):
        meta = {
            "id": sop_id(intent),
            "title": title(intent),
            "tags": ["banking"],
            "phrasings": texts,
        }
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
        (root / "sops" / f"{sop_id(intent)}.md").write_text(f"---\n{front}---\n", encoding="utf-8")
    return root


def by_intent(examples: list[Example]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for e in examples:
        out[e.intent].append(e.text)
    return dict(out)


def few_shot(train: list[Example], shots: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    return {
        i: rng.sample(texts, min(shots, len(texts)))
        for i, texts in sorted(by_intent(train).items())
    }


def held_out_intents(train: list[Example], count: int, seed: int) -> set[str]:
    return set(random.Random(seed).sample(sorted({e.intent for e in train}), count))


def inject_typos(text: str, rng: random.Random, rate: float = 0.3) -> str:
    """One random edit (delete, insert, substitute, transpose) in ~``rate`` of the words
    longer than two letters."""
    out = []
    for word in text.split(" "):
        if len(word) > 2 and rng.random() < rate:
            i = rng.randrange(len(word) - 1)
            op = rng.choice("dist")
            c = rng.choice("abcdefghijklmnopqrstuvwxyz")
            if op == "d":
                word = word[:i] + word[i + 1 :]
            elif op == "i":
                word = word[:i] + c + word[i:]
            elif op == "s":
                word = word[:i] + c + word[i + 1 :]
            else:
                word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        out.append(word)
    return " ".join(out)
