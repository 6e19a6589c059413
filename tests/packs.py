"""Build small knowledge packs on disk for tests, one file at a time."""

from __future__ import annotations

import textwrap
from pathlib import Path

MINIMAL_SOP = """\
---
id: {id}
title: {title}
---
"""


def write_pack(root: Path, files: dict[str, str], name: str = "test-pack") -> Path:
    """Write ``files`` (relative path -> text, dedented) plus a pack.yaml unless given."""
    root.mkdir(parents=True, exist_ok=True)
    files = dict(files)
    files.setdefault("pack.yaml", f"name: {name}\n")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


GOOD_FILES = {
    "sops/refund.md": """\
        ---
        id: coin-refund
        title: Refund for coins
        summary: Customer wants money back for coins.
        tags: [payments, refunds]
        phrasings:
          - I want my money back for the coins
          - refund my coin purchase please
        macros: [refund-ok]
        deadline: {business_days: 15, label: Payment complaint answer due}
        review_due: 2027-01-31
        steps:
          - id: find
            text: Find the order.
          - id: where
            text: Where was it bought?
            choices:
              - {label: App store, next: store}
              - {label: Web, next: refund}
          - id: store
            text: Point to the app store.
            choices:
              - {label: Done, next: end}
          - id: refund
            text: Refund it.
            macro: refund-ok
          - id: note
            text: Add a note.
            required: false
        ---
        Coins bought on the web can be refunded within 14 days.
        """,
    "sops/hacked.md": """\
        ---
        id: hacked-account
        title: Hacked account
        phrasings: [someone logged into my account, my password was changed]
        ---
        Secure the account first.
        """,
    "macros/refund-ok.md": """\
        ---
        id: refund-ok
        title: Refund approved
        fields:
          amount: {label: Amount}
          days: {default: "5", choices: ["3", "5"]}
        ---
        Hi, we refunded {{amount}} within {{ days }} days.
        {{agent_name}}
        """,
}
