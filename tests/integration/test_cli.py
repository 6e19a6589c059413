"""The agent-assist command as users and scripts call it: exit codes, output shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent_assist.cli import main
from agent_assist.resources import demo_pack
from tests.packs import GOOD_FILES, write_pack


def run(
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real command in a subprocess (entry point, exit codes, streams)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "agent_assist", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command in-process (fast) and return (exit code, stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_and_help() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("agent-assist ")
    for sub in ("import", "export", "list", "show", "validate", "doctor", "suggest"):
        helped = run(sub, "--help")
        assert helped.returncode == 0, sub
        assert f"usage: agent-assist {sub}" in helped.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("--data-dir", str(tmp_path), "frobnicate").returncode == 2
    assert run("--data-dir", str(tmp_path), "suggest", "--limit", "0", "x").returncode == 2
    assert run("--data-dir", str(tmp_path), "import").returncode == 2


def test_demo_pack_import_list_export_roundtrip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = str(tmp_path / "one"), str(tmp_path / "two")
    code, out, _ = cli(capsys, "--data-dir", first, "import", str(demo_pack()))
    assert code == 0 and "added" in out
    code, out, _ = cli(capsys, "--data-dir", first, "list", "--json")
    items = json.loads(out)
    assert {"kind", "id", "title", "version"} <= set(items[0])
    assert sum(i["kind"] == "sop" for i in items) >= 40
    assert sum(i["kind"] == "macro" for i in items) >= 40

    exported = tmp_path / "exported"
    code, out, _ = cli(capsys, "--data-dir", first, "export", str(exported))
    assert code == 0
    code, _, _ = cli(capsys, "--data-dir", second, "import", str(exported))
    assert code == 0
    _, out2, _ = cli(capsys, "--data-dir", second, "list", "--json")

    def strip(rows: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: v for k, v in r.items() if k != "updated_at"} for r in rows]

    assert strip(json.loads(out2)) == strip(items)
    for item in items[:: max(1, len(items) // 10)]:
        _, a, _ = cli(
            capsys, "--data-dir", first, "show", item["id"], "--kind", item["kind"], "--json"
        )
        _, b, _ = cli(
            capsys, "--data-dir", second, "show", item["id"], "--kind", item["kind"], "--json"
        )
        assert json.loads(a)["content"] == json.loads(b)["content"]
    for path in demo_pack().rglob("*.md"):
        rel = path.relative_to(demo_pack())
        if rel.parts[0] in ("sops", "macros"):
            assert (exported / rel).read_bytes() == path.read_bytes().removeprefix(b"\xef\xbb\xbf")


def test_export_refuses_non_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "d")
    cli(capsys, "--data-dir", data, "import", str(write_pack(tmp_path / "p", GOOD_FILES)))
    target = tmp_path / "out"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    code, _, err = cli(capsys, "--data-dir", data, "export", str(target))
    assert code == 1 and "not an empty folder" in err
    assert (target / "keep.txt").read_text() == "mine"


def test_broken_pack_reports_every_error_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "d")
    assert (
        cli(capsys, "--data-dir", data, "import", str(write_pack(tmp_path / "good", GOOD_FILES)))[0]
        == 0
    )
    _, before, _ = cli(capsys, "--data-dir", data, "list", "--json")
    bad = {
        **GOOD_FILES,
        "sops/hacked.md": "---\nid: hacked-account\ntitle: Changed title\n---\n",
        "sops/one.md": "---\nid: one\ntitle: One\nmacros: [missing-macro]\n---\n",
        "sops/two.md": "---\nid: two\ntitel: Two\n---\n",
        "macros/three.md": "---\nid: three\ntitle: Three\n---\nHello {{name}}\n",
    }
    result = run("--data-dir", data, "import", str(write_pack(tmp_path / "bad", bad)))
    assert result.returncode == 1
    err = result.stderr
    assert "sops/one.md:4: macros[0]: unknown macro 'missing-macro'" in err
    assert "sops/two.md:3: titel: unknown field" in err
    assert "sops/two.md:2: title: is required" in err
    assert "macros/three.md:5: body: placeholder 'name' is not declared" in err
    assert err.strip().splitlines()[-1] == (
        f"agent-assist: {tmp_path / 'bad'}: 4 error(s); nothing was imported"
    )
    _, after, _ = cli(capsys, "--data-dir", data, "list", "--json")
    assert after == before

    check = run("validate", str(tmp_path / "bad"))
    assert check.returncode == 1 and "4 error(s)" in check.stderr
    assert run("validate", str(tmp_path / "good")).returncode == 0


def test_suggest_json_over_stdin(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    assert (
        run("--data-dir", data, "import", str(write_pack(tmp_path / "p", GOOD_FILES))).returncode
        == 0
    )
    queries = "someone changed my password\nrefund coins\n\n\U0001f600 \u202e\x07\n"
    result = run("--data-dir", data, "suggest", "--json", "--limit", "3", stdin=queries)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == queries.splitlines()
    for line in lines:
        assert set(line) == {"query", "results"}
        assert len(line["results"]) <= 3
        for r in line["results"]:
            assert set(r) == {"kind", "id", "title", "score", "confident"}
            assert r["kind"] in ("sop", "macro")
            assert 0.0 <= r["score"] <= 1.0 and isinstance(r["confident"], bool)
    assert lines[0]["results"][0]["id"] == "hacked-account"
    assert lines[1]["results"][0]["id"] == "coin-refund"
    assert lines[2]["results"] == []


def test_show_and_list_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "d")
    cli(capsys, "--data-dir", data, "import", str(write_pack(tmp_path / "p", GOOD_FILES)))
    code, out, _ = cli(capsys, "--data-dir", data, "show", "coin-refund")
    assert code == 0 and "Refund for coins" in out and "-> Web: refund" in out
    code, _, err = cli(capsys, "--data-dir", data, "show", "nope")
    assert code == 1 and err.startswith("agent-assist: no SOP or macro with id 'nope'")
    code, out, _ = cli(capsys, "--data-dir", data, "list")
    assert code == 0 and "2 SOPs, 1 macros" in out


def test_data_dir_from_environment(tmp_path: Path) -> None:
    env = {"AGENT_ASSIST_DATA_DIR": str(tmp_path / "envdir")}
    assert run("import", str(write_pack(tmp_path / "p", GOOD_FILES)), env=env).returncode == 0
    assert (tmp_path / "envdir" / "knowledge.sqlite3").exists()
    doctor = run("doctor", env=env)
    assert "[OK] data dir:" in doctor.stdout and "$AGENT_ASSIST_DATA_DIR" in doctor.stdout
    assert "keyring" in doctor.stdout and "Qt platform" in doctor.stdout


READ_ONLY_COMMANDS = (
    ("list",),
    ("suggest", "refund for coins"),
    ("show", "coin-refund"),
    ("import", "PACK"),
    ("export", "DEST"),
    ("session", "start", "12345"),
    ("session", "status"),
    ("report",),
    ("data", "export"),
)


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=" ".join)
def test_read_only_empty_data_dir_gives_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    from tests.readonly import read_only

    pack = str(write_pack(tmp_path / "p", GOOD_FILES))
    args = [{"PACK": pack, "DEST": str(tmp_path / "out")}.get(a, a) for a in command]
    data = tmp_path / "data"
    with read_only(data):
        code, _, err = cli(capsys, "--data-dir", str(data), *args)
    lines = err.splitlines()
    assert code == 1
    assert len(lines) == 1, err
    assert lines[0].startswith("agent-assist: ") and str(data) in lines[0]
    assert "unexpected error" not in err and "Traceback" not in err
