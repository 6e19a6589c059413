"""A small knowledge pack for the ranking tests: two locales, tags, macros linked to SOPs."""

from __future__ import annotations

from pathlib import Path

from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge.packs import import_pack_dir
from tests.packs import write_pack


def _sop(
    id_: str,
    title: str,
    phrasings: list[str],
    *,
    tags: str = "",
    macros: str = "",
    locale: str = "",
    summary: str = "",
) -> str:
    lines = ["---", f"id: {id_}", f"title: {title}"]
    if summary:
        lines.append(f"summary: {summary}")
    if tags:
        lines.append(f"tags: [{tags}]")
    if macros:
        lines.append(f"macros: [{macros}]")
    if locale:
        lines.append(f"locale: {locale}")
    lines.append("phrasings:")
    lines += [f"  - {p}" for p in phrasings]
    return "\n".join([*lines, "---", f"Background for {title}.", ""])


def _macro(id_: str, title: str, body: str, tags: str = "") -> str:
    tag_line = f"tags: [{tags}]\n" if tags else ""
    return f"---\nid: {id_}\ntitle: {title}\n{tag_line}---\n{body}\n"


FILES = {
    "sops/coin-refund.md": _sop(
        "coin-refund",
        "Refund request for in-app coin purchase",
        [
            "I want my money back for the coins",
            "refund my coin purchase please",
            "charged for coins I never received",
            "bought coins by mistake",
        ],
        tags="payments, refunds",
        macros="refund-ok",
    ),
    "sops/hacked-account.md": _sop(
        "hacked-account",
        "Hacked or compromised account",
        [
            "someone logged into my account",
            "my password was changed by someone else",
            "I got hacked",
            "strange posts on my profile that I did not make",
        ],
        tags="account, security",
        macros="hacked-secured",
    ),
    "sops/forgot-password.md": _sop(
        "forgot-password",
        "Forgotten password",
        [
            "I forgot my password",
            "cannot log in, need to reset my password",
            "password reset email is not arriving",
        ],
        tags="account",
    ),
    "sops/delete-account.md": _sop(
        "delete-account",
        "Delete or deactivate an account",
        ["delete my account permanently", "please close my account", "erase all my data"],
        tags="account, privacy",
    ),
    "sops/card-not-arrived.md": _sop(
        "card-not-arrived",
        "Payment card has not arrived",
        [
            "my card has not arrived",
            "still waiting for my new card",
            "when will my card be delivered",
        ],
        tags="cards",
    ),
    "sops/shipping-delay.md": _sop(
        "shipping-delay",
        "Shop order delivery is late",
        ["my parcel is late", "where is my order", "delivery is delayed"],
        tags="shop, shipping",
        macros="delivery-update",
    ),
    "sops/payout-missing.md": _sop(
        "payout-missing",
        "Creator payout not received",
        ["creator payout not received", "where is my payout", "monthly earnings missing"],
        tags="creators, payments",
    ),
    "sops/konto-loeschen.md": _sop(
        "konto-loeschen",
        "Konto löschen",
        [
            "ich möchte mein Konto löschen",
            "bitte mein Konto schließen",
            "alle meine Daten entfernen",
        ],
        tags="account",
        locale="de",
    ),
    "macros/refund-ok.md": _macro(
        "refund-ok", "Refund approved", "We have refunded your coin purchase.", "payments"
    ),
    "macros/hacked-secured.md": _macro(
        "hacked-secured", "Account secured", "We secured your account and reset the sessions."
    ),
    "macros/delivery-update.md": _macro(
        "delivery-update", "Delivery update", "Your parcel is on its way.", "shipping"
    ),
    "macros/greeting.md": _macro("greeting", "Greeting", "Hello, thanks for contacting us."),
}


def make_store(root: Path) -> Store:
    pack = write_pack(root / "pack", FILES, name="ranking-test")
    store = Store.in_dir(root / "data")
    import_pack_dir(store, pack)
    return store
