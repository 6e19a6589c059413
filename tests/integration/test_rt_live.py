"""The Request Tracker connector, live: a real RT 5 (``scripts/rt-test-instance``), real
``rt-mailgate`` e-mail, the real ``agent-assist`` CLI as a subprocess.

``scripts/test`` starts the RT and exports ``AGENT_ASSIST_TEST_RT_*``.  Without them the tests
skip locally; in CI (``CI=true``) they fail instead, so the live suite cannot silently vanish.
What RT recorded is checked with plain REST calls, not through the connector under test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent_assist.connectors import rt
from agent_assist.connectors.base import (
    ConnectorAuthError,
    ConnectorError,
    ConnectorOfflineError,
    TicketNotFoundError,
)
from agent_assist.connectors.registry import open_connector
from agent_assist.resources import demo_pack

ENV = "AGENT_ASSIST_TEST_RT_URL"


@dataclass(frozen=True)
class LiveRT:
    url: str
    user: str
    token: str
    password: str
    queue: str

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        """A REST 2 call as RT's superuser (the default ``root``/``password`` of a fresh
        database): what the checks read, independent of the connector."""
        response = httpx.request(
            method, f"{self.url}/REST/2.0{path}", auth=("root", "password"), timeout=30, **kwargs
        )
        response.raise_for_status()
        return response.json()

    def mail(
        self, sender: str, subject: str, body: str, *, html: bool = False, new: bool = True
    ) -> str:
        """A customer e-mail through ``rt-mailgate``; returns the new ticket's id (the gate
        exits 0 even when it fails, so the ticket is looked up).  ``new=False``: a reply to
        the ticket the subject names, returned as "" once the gate is done."""
        kind = "text/html" if html else "text/plain"
        message = (
            f"From: {sender}\nTo: support@agent-assist.test\nSubject: {subject}\n"
            f'Content-Type: {kind}; charset="utf-8"\nContent-Language: es\n'
            f"Message-ID: <{uuid.uuid4()}@example.com>\n\n{body}\n"
        )
        subprocess.run(
            ["rt-mailgate", "--queue", self.queue, "--action", "correspond", "--url", self.url],
            input=message.encode(),
            check=True,
            timeout=120,
        )
        if not new:
            return ""
        found = self.api("GET", "/tickets", params={"query": f"Subject = '{subject}'"})
        assert found["items"], f"rt-mailgate created no ticket for {subject!r}"
        return str(found["items"][0]["id"])

    def correspondence(self, ticket_id: str) -> list[tuple[str, str]]:
        """``(transaction type, text)`` of the ticket's replies and comments, oldest first."""
        history = self.api("GET", f"/ticket/{ticket_id}/history", params={"per_page": 100})
        out = []
        for txn in history["items"]:
            detail = self.api("GET", f"/transaction/{txn['id']}")
            if detail["Type"] not in ("Correspond", "Comment"):
                continue
            parts = self.api(
                "GET",
                f"/transaction/{txn['id']}/attachments",
                params={"fields": "ContentType,Content"},
            )
            text = "".join(
                p.get("Content") or "" for p in parts["items"] if p["ContentType"] == "text/plain"
            )
            out.append((detail["Type"], text))
        return out


@pytest.fixture(scope="module")
def live_rt() -> LiveRT:
    url = os.environ.get(ENV)
    if not url:
        why = f"no Request Tracker: {ENV} is not set (scripts/test starts one)"
        if os.environ.get("CI") == "true":
            pytest.fail(why + "; CI must run the live RT tests")
        pytest.skip(why)
    return LiveRT(
        url,
        os.environ["AGENT_ASSIST_TEST_RT_USER"],
        os.environ["AGENT_ASSIST_TEST_RT_TOKEN"],
        os.environ.get("AGENT_ASSIST_TEST_RT_PASSWORD", ""),
        os.environ.get("AGENT_ASSIST_TEST_RT_QUEUE", "Support"),
    )


class Cli:
    """``agent-assist`` as a subprocess, on a throwaway data dir, with the token from the
    environment (no keyring is touched)."""

    def __init__(self, tmp_path: Path, live: LiveRT) -> None:
        self.env = {
            **os.environ,
            "AGENT_ASSIST_DATA_DIR": str(tmp_path / "data"),
            "AGENT_ASSIST_SYSTEM_CONFIG": str(tmp_path / "no-system-config.toml"),
            "AGENT_ASSIST_AGENT_ID": "alex",
            "AGENT_ASSIST_CONNECTOR_TOKEN": live.token,
        }

    def run(self, *args: str, code: int = 0) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "agent_assist", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == code, f"{args}: {done.returncode}\n{done.stdout}{done.stderr}"
        return done.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args))


@pytest.fixture
def cli(tmp_path: Path, live_rt: LiveRT) -> Cli:
    cli = Cli(tmp_path, live_rt)
    cli.run("import", str(demo_pack()))
    cli.run("settings", "set", "agent_name", "Alex Agent")
    cli.run("connect", "rt", "--url", live_rt.url, "--user", live_rt.user)
    return cli


@pytest.fixture
def connector(live_rt: LiveRT) -> Iterator[rt.RTConnector]:
    c = open_connector("rt", live_rt.url, live_rt.user, live_rt.token)
    assert isinstance(c, rt.RTConnector)
    yield c
    c.close()


def test_the_agents_flow_from_customer_mail_to_resolved(cli: Cli, live_rt: LiveRT) -> None:
    subject = f"Charged twice {uuid.uuid4().hex[:8]}"
    tid = live_rt.mail(
        "Maria Lopez <maria.lopez@example.com>",
        subject,
        "Hello, my card was charged twice for the same order yesterday. "
        "Can you refund the duplicate charge?",
    )
    ref = f"rt:{tid}"
    assert ref not in [t["ref"] for t in cli.json("tickets", "--mine", "--json")]

    cli.run("ticket", "take", tid)
    mine = {t["ref"]: t for t in cli.json("tickets", "--mine", "--json")}
    assert mine[ref]["subject"] == subject and mine[ref]["requester_name"] == "Maria Lopez"
    assert mine[ref]["status"] == "new"

    suggested = cli.json("ticket", "suggest", ref, "--json")
    assert suggested["ticket"] == ref and "charged twice" in suggested["query"]
    assert suggested["results"][0]["id"] == "duplicate-charge"
    assert set(suggested["results"][0]) == {"kind", "id", "title", "score", "confident"}

    out = cli.run(
        "ticket", "reply", tid, "--macro", "duplicate-charge-authorisation",
        "--field", "amount=€12.99",
    )  # fmt: skip
    assert "Reply posted to " + ref in out
    replies = live_rt.correspondence(tid)
    assert [kind for kind, _ in replies] == ["Correspond"]
    text = replies[0][1]
    assert text.startswith("Hi Maria,") and "€12.99" in text and "Alex Agent" in text
    assert "{{" not in text
    assert live_rt.api("GET", f"/ticket/{tid}")["Status"] == "open"  # a reply opens it

    out = cli.run(
        "ticket", "reply", ref, "--macro", "duplicate-charge-authorisation",
        "--field", "amount=€12.99", "--internal", "--status", "resolved",
    )  # fmt: skip
    assert f"Status of {ref} set to resolved" in out
    assert live_rt.api("GET", f"/ticket/{tid}")["Status"] == "resolved"
    assert [kind for kind, _ in live_rt.correspondence(tid)] == ["Correspond", "Comment"]
    assert ref not in [t["ref"] for t in cli.json("tickets", "--json")]

    report = cli.json("report", "--by", "ticket", "--format", "json")
    rows = [r for r in report["rows"] if r.get("ticket") == ref]
    assert len(rows) == 1, report
    assert rows[0]["outcome"] == "resolved"


def test_a_missing_field_is_refused_by_name_and_nothing_reaches_rt(
    cli: Cli, live_rt: LiveRT
) -> None:
    tid = live_rt.mail("Maria Lopez <maria.lopez@example.com>", f"Twice {uuid.uuid4()}", "twice")
    done = subprocess.run(
        [sys.executable, "-m", "agent_assist", "ticket", "reply", tid, "--macro",
         "duplicate-charge-authorisation"],
        env=cli.env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 1
    assert "amount: Amount of the pending authorisation is required" in done.stderr
    assert live_rt.correspondence(tid) == []


def test_a_ticket_reads_language_html_and_the_latest_customer_words(
    connector: rt.RTConnector, live_rt: LiveRT
) -> None:
    tid = live_rt.mail(
        "Lucía Pérez <lucia@example.com>",
        f"Cobro doble {uuid.uuid4().hex[:6]}",
        "<p>Hola,</p><p>me <b>cobraron dos veces</b>.</p><blockquote>viejo</blockquote>",
        html=True,
    )
    connector.reply(tid, "Hola Lucía, lo revisamos.")
    connector.reply(tid, "checked the ledger", internal=True)
    ticket = connector.ticket(f"rt:{tid}")
    assert ticket.summary.requester_name == "Lucía Pérez"
    assert ticket.summary.requester_locale == "es"
    assert ticket.latest_customer_text == "Hola,\n\nme cobraron dos veces."
    kinds = [(m.from_customer, m.internal, m.author) for m in ticket.messages]
    assert kinds == [
        (True, False, "Lucía Pérez"),
        (False, False, "Alex Agent"),
        (False, True, "Alex Agent"),
    ]
    assert ticket.messages[1].text == "Hola Lucía, lo revisamos."


def test_status_take_quality_and_refusals(connector: rt.RTConnector, live_rt: LiveRT) -> None:
    tid = live_rt.mail("Maria Lopez <maria.lopez@example.com>", f"Q {uuid.uuid4()}", "help")
    connector.take(tid)
    assert live_rt.api("GET", f"/ticket/{tid}")["Owner"]["id"] == "agent"
    connector.set_status(tid, "pending")
    assert live_rt.api("GET", f"/ticket/{tid}")["Status"] == "stalled"
    connector.set_status(tid, "resolved")
    assert connector.quality(tid).reopened is False
    live_rt.mail(
        "Maria <maria.lopez@example.com>", f"Re: [agent-assist-test #{tid}]", "no", new=False
    )
    assert live_rt.api("GET", f"/ticket/{tid}")["Status"] == "open"  # the customer reopened it
    quality = connector.quality(tid)
    assert (quality.satisfaction, quality.reopened) == (None, True)

    live_rt.api("PUT", f"/ticket/{tid}", json={"Owner": "root"})
    with pytest.raises(ConnectorError, match=r"did not set Owner to 'agent' \(it is 'root'\)"):
        connector.take(tid)
    with pytest.raises(TicketNotFoundError, match=r"rt: GET /REST/2.0/ticket/999999"):
        connector.ticket("999999")
    with pytest.raises(ConnectorError, match="not an RT ticket number"):
        connector.ticket("1/../2")


def test_lists_page_on_without_totals(
    connector: rt.RTConnector, live_rt: LiveRT, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An agent is no superuser: RT gives no total and no next_page, so a full page means
    'read on'."""
    tid = live_rt.mail("Maria Lopez <maria.lopez@example.com>", f"P {uuid.uuid4()}", "first")
    for n in range(4):
        connector.reply(tid, f"note {n}", internal=True)
    page = connector._json("GET", f"/ticket/{tid}/history", {"per_page": "2"})
    assert page["total"] is None and "next_page" not in page
    monkeypatch.setattr(rt, "PER_PAGE", 2)
    texts = [m.text for m in connector.ticket(tid).messages]
    assert texts == ["first", "note 0", "note 1", "note 2", "note 3"]


def test_a_password_signs_in_once_and_again_when_the_session_expires(
    live_rt: LiveRT,
) -> None:
    c = open_connector("rt", live_rt.url, live_rt.user, live_rt.password)
    assert isinstance(c, rt.RTConnector)
    try:
        assert c.version().startswith("5.")
        assert not c.http.cookies.get("Authorization")
        c.http.cookies.clear()  # the session expired
        c.my_open_tickets()
    finally:
        c.close()
    wrong = open_connector("rt", live_rt.url, live_rt.user, "not-the-password")
    with pytest.raises(ConnectorAuthError, match="refused the user 'agent'"):
        wrong.my_open_tickets()
    bad_token = open_connector("rt", live_rt.url, live_rt.user, "1-99-" + "0" * 32)
    with pytest.raises(ConnectorAuthError, match="401"):
        bad_token.my_open_tickets()


def test_an_rt_that_is_down_is_offline(live_rt: LiveRT) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = open_connector(
        "rt", f"http://127.0.0.1:{port}", "agent", live_rt.token, http_options={"backoff": 0.01}
    )
    with pytest.raises(ConnectorOfflineError, match="unreachable"):
        c.my_open_tickets()
