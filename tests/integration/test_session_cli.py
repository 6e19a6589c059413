"""The session, report, data and scrub commands end to end.

Time is driven through ``$AGENT_ASSIST_FAKE_CLOCK`` (a JSON file read by ``FileClock`` on
every tick), so a ticket recorded through the CLI has exactly known durations and
``report --format json`` can be checked to the second.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent_assist.cli import main
from agent_assist.core.worklog.clock import FAKE_CLOCK_ENV

BASE = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)
PACK = {
    "pack.yaml": 'name: test-pack\nversion: "1"\nlocale: en\npublisher: tests\nformat: 1\n',
    "sops/refund.md": """---
id: refund
title: Refund a duplicate charge
summary: The customer was charged twice.
tags: [billing]
steps:
  - id: verify
    text: Verify the account holder.
  - id: decide
    text: Is the charge a duplicate?
    choices:
      - {label: Duplicate, next: refund}
      - {label: Not a duplicate, next: end}
  - id: refund
    text: Issue the refund.
---
Refunds for duplicate charges.
""",
}


class Cli:
    """Runs ``agent-assist`` in-process against a throwaway data dir and a fake clock."""

    def __init__(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        self.data = tmp_path / "data"
        self.clock_file = tmp_path / "clock.json"
        self.capsys = capsys
        self.run_id = "run-1"
        self.per_command_runs = False
        self.commands = 0
        monkeypatch.setenv(FAKE_CLOCK_ENV, str(self.clock_file))
        monkeypatch.setenv("AGENT_ASSIST_AGENT_ID", "alice")
        monkeypatch.setenv("AGENT_ASSIST_SYSTEM_CONFIG", str(tmp_path / "no-system-config.toml"))
        self.at(0)

    def at(self, mono: float, wall_shift: float = 0.0) -> None:
        """Set the clock: ``mono`` seconds into the run; the wall clock ``wall_shift`` off."""
        self.mono, self.wall_shift = mono, wall_shift
        self._write()

    def _write(self) -> None:
        wall = BASE + dt.timedelta(seconds=self.mono + self.wall_shift)
        run = f"cmd-{self.commands}" if self.per_command_runs else self.run_id
        # A new run starts its monotonic clock anew; only the wall clock then compares.
        mono = 0.0 if self.per_command_runs else self.mono
        self.clock_file.write_text(
            json.dumps({"wall": wall.isoformat(), "mono": mono, "run_id": run})
        )

    def __call__(self, *args: str, code: int = 0) -> str:
        self.commands += 1
        self._write()
        rc = main(["--data-dir", str(self.data), *args])
        out, err = self.capsys.readouterr()
        assert rc == code, err
        return out if code == 0 else err


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    pack = tmp_path / "pack"
    for name, text in PACK.items():
        (pack / name).parent.mkdir(parents=True, exist_ok=True)
        (pack / name).write_text(text, encoding="utf-8")
    runner = Cli(tmp_path, monkeypatch, capsys)
    runner("import", str(pack))
    return runner


def _record_a_shift(cli: Cli, jump: bool) -> None:
    """T-100: 150 s with SOP refund v1 (a 300 s pause); T-200 and T-300 overlap: 100 s
    escalated and 120 s waiting.  With ``jump`` the system clock is set back an hour while
    T-300 is open (a single run: monotonic time is unaffected)."""
    cli.at(0)
    assert cli("session", "start", "T-100", "--sop", "refund") == (
        "Started T-100 with SOP refund v1\n"
    )
    cli.at(30)
    cli("session", "step", "verify")
    cli.at(90)
    cli("session", "pause")
    cli.at(390)
    cli("session", "resume")
    cli.at(400)
    cli("session", "step", "decide", "--choice", "Duplicate")
    cli.at(410)
    cli("session", "step", "refund")
    cli.at(450)
    assert "handle time 2m30s (paused 5m00s)" in cli("session", "end", "--outcome", "resolved")
    cli.at(460)
    cli("session", "start", "T-200")
    cli.at(500)
    cli("session", "start", "T-300")
    cli.at(560, -3600 if jump else 0)
    cli("session", "end", "--ticket", "T-200", "--outcome", "escalated")
    cli.at(620, -3600 if jump else 0)
    cli("session", "end", "--outcome", "waiting")  # the most recent open ticket: T-300


@pytest.mark.parametrize("runs", ["one_run_with_clock_jump", "one_run_per_command"])
def test_report_json_on_a_shift_recorded_through_the_cli(cli: Cli, runs: str) -> None:
    cli.per_command_runs = runs == "one_run_per_command"
    _record_a_shift(cli, jump=not cli.per_command_runs)
    report = json.loads(cli("report", "--format", "json", "--by", "sop"))
    assert report["summary"] == {
        "count": 3,
        "median": 120.0,
        "p90": 144.0,
        "mean": 123.333,
        "escalation_rate": 0.3333,
        "skip_rate": 0.0,
        "outcomes": {"resolved": 1, "escalated": 1, "waiting": 1},
    }
    assert [(r["sop"], r["version"], r["count"], r["median"]) for r in report["rows"]] == [
        ("refund", 1, 1, 150.0),
        ("(none)", None, 2, 110.0),
    ]
    steps = json.loads(cli("report", "--format", "json", "--by", "step"))["rows"]
    assert [(r["step"], r["median"], r["branches"]) for r in steps] == [
        ("decide", 0.0, {"Duplicate": 1.0}),
        ("refund", 40.0, {}),
        ("verify", 70.0, {}),
    ]
    tickets = json.loads(cli("report", "--format", "json", "--by", "ticket"))["rows"]
    assert [(r["ticket"], r["handle_seconds"], r["paused_seconds"]) for r in tickets] == [
        ("T-100", 150.0, 300.0),
        ("T-200", 100.0, 0.0),
        ("T-300", 120.0, 0.0),
    ]


def test_report_window_and_formats(cli: Cli) -> None:
    _record_a_shift(cli, jump=False)
    cli.at(620 + 3 * 86400)
    assert json.loads(cli("report", "--since", "1d", "--format", "json"))["summary"]["count"] == 0
    assert (
        json.loads(cli("report", "--since", "2026-02-01", "--format", "json"))["summary"]["count"]
        == 3
    )
    table = cli("report", "--since", "7d", "--by", "outcome")
    assert table.startswith("3 ticket(s) ended") and "escalated" in table
    shared = cli("report", "--since", "7d", "--by", "ticket", "--format", "csv", "--shareable")
    assert "T-100" not in shared and shared.count("t1-local-") == 3  # no hub: own key
    assert "is not a duration" in cli("report", "--since", "soon", code=1)


def test_status(cli: Cli) -> None:
    assert cli("session", "status") == "No open tickets.\n"
    cli("session", "start", "T-1", "--sop", "refund")
    cli.at(42)
    cli("session", "step", "verify")
    cli("session", "start", "T-2")
    cli("session", "pause", "--ticket", "T-2")
    status = json.loads(cli("session", "status", "--json"))
    assert status["agent_id"] == "alice"
    assert [
        (s["ticket"], s["paused"], s["handle_seconds"], s["step"], s["sop"]) for s in status["open"]
    ] == [
        ("T-2", True, 0.0, None, None),
        ("T-1", False, 42.0, "verify", {"id": "refund", "version": 1}),
    ]
    text = cli("session", "status")
    assert "T-1  running  42s  SOP refund v1  step verify" in text


def test_crash_gap_is_shown_and_trimmed(cli: Cli) -> None:
    cli("session", "start", "T-1")
    cli.at(60)
    cli("session", "step", "a")
    cli.run_id = "run-2"  # the app died; a new run starts two hours later
    cli.at(0, 60 + 7200)
    assert "session trim --ticket T-1 --keep 0" in cli("session", "status")
    cli("session", "trim", "--keep", "5m")
    assert "handle time 6m00s [trimmed]" in cli("session", "end", "--outcome", "resolved")


def test_failures_are_one_line_and_usage_errors_exit_2(cli: Cli) -> None:
    assert "no open ticket; start one" in cli("session", "pause", code=1)
    assert "no SOP or macro with id 'nope'" in cli("session", "start", "T", "--sop", "nope", code=1)
    cli("session", "start", "T-1", "--sop", "refund")
    assert "has no step 'verfy' (steps: verify, decide, refund)" in cli(
        "session", "step", "verfy", code=1
    )
    assert "has no choice 'Maybe'" in cli("session", "step", "decide", "--choice", "Maybe", code=1)
    assert "already open" in cli("session", "start", "T-1", code=1)
    with pytest.raises(SystemExit) as exc:
        main(["--data-dir", str(cli.data), "session", "step", "x", "--choice", "a", "--skip", "b"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["--data-dir", str(cli.data), "session", "end", "--outcome", "done"])
    assert exc.value.code == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_export_and_erase(cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cli("session", "start", "ACME-1")
    cli("session", "end", "--outcome", "resolved")
    exported = json.loads(cli("data", "export"))
    assert exported["agent_id"] == "alice" and exported["event_count"] == 2
    cli("data", "export", "-o", str(tmp_path / "me.json"))
    assert json.loads((tmp_path / "me.json").read_text())["events"] == exported["events"]

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert "without confirmation: no terminal to ask on; add --yes" in cli("data", "erase", code=1)
    monkeypatch.setattr(sys, "stdin", _Terminal("no\n"))
    assert "Nothing erased." in cli("data", "erase", code=1)
    assert json.loads(cli("data", "export"))["event_count"] == 2
    monkeypatch.setattr(sys, "stdin", _Terminal("yes\n"))
    assert "Erased 2 event(s) about agent 'alice'" in cli("data", "erase")
    cli("session", "start", "ACME-2")
    assert "Erased 1 event(s)" in cli("data", "erase", "--yes")
    assert json.loads(cli("data", "export"))["event_count"] == 0


def test_retention_follows_the_setting(cli: Cli) -> None:
    cli("session", "start", "OLD")
    cli("session", "end", "--outcome", "resolved")
    cli.at(40 * 86400)
    assert json.loads(cli("data", "export"))["event_count"] == 2  # default: 90 days
    cli("settings", "set", "retention_days", "30")
    exported = json.loads(cli("data", "export"))  # every command purges first
    assert (exported["event_count"], exported["retention_days"]) == (0, 30)


def test_scrub_reads_stdin_writes_stdout(tmp_path: Path) -> None:
    text = "Hi John, card 4111 1111 1111 1111, mail john@example.com\nIBAN GB82WEST12345698765432\n"
    result = subprocess.run(
        [sys.executable, "-m", "agent_assist", "--data-dir", str(tmp_path), "scrub"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hi [name], card [card], mail [email]\nIBAN [iban]\n"
