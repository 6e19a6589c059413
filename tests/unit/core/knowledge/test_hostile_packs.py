"""Hostile packs (security review, issue 11): alias bombs in keys and values, huge keys and
values echoed in messages, quadratic checks, links and special files in pack folders, zip bombs
and malformed signed zips.  Each is refused quickly, with a short message, reading nothing it
does not have to."""

from __future__ import annotations

import base64
import difflib
import io
import json
import os
import re
import string
import subprocess
import sys
import threading
import time
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, Literal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent_assist.cli import main
from agent_assist.core.cache.store import Store
from agent_assist.core.knowledge import packfiles
from agent_assist.core.knowledge.checks import check_pack, validate_pack
from agent_assist.core.knowledge.models import Macro, Sop, SourceFile, Step
from agent_assist.core.knowledge.reader import LoadedItem, LoadedPack
from agent_assist.core.knowledge.signing import (
    SignatureError,
    extract_signed_pack,
    manifest_bytes,
    verify_signed_pack,
    write_signed_pack,
)
from agent_assist.core.knowledge.yamlsource import YamlDoc
from agent_assist.hub.keys import public_key_b64
from tests.packs import write_pack

MIB = 1024 * 1024
SOP = "---\nid: {id}\ntitle: {title}\n---\nBody.\n"


def key_bomb(size: int, levels: int, width: int = 9) -> str:
    """A SOP of exactly ``size`` bytes with one complex key made of ``levels`` nested lists of
    ``width`` aliases: ``width ** levels`` values once expanded (9 ** 7 = 4.8 million, a 28 MB
    key as text; 9 ** 8 = 43 million).  The title pads the file to ``size``."""
    names = string.ascii_lowercase
    lists = [f"&a [{','.join(['x'] * width)}]"]
    lists += [f"&{names[i]} [{','.join(['*' + names[i - 1]] * width)}]" for i in range(1, levels)]
    head, tail = "---\nid: bomb\ntitle: Bomb", f"\n? [{', '.join(lists)}]\n: 1\n---\n"
    return head + "b" * (size - len(head) - len(tail)) + tail


BOMBS = [pytest.param(339, 7, id="339 bytes"), pytest.param(382, 8, id="382 bytes")]

# Runs in a child whose address space is capped at 1 GiB, so that an unbounded loader fails
# there (MemoryError) instead of taking the machine's memory.
MEASURE = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from pathlib import Path
from agent_assist.core.knowledge.checks import validate_pack
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cpu = time.process_time()
pack = validate_pack(Path(sys.argv[1]))
cpu = time.process_time() - cpu
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
print(json.dumps({"cpu": cpu, "grown_mib": grown, "errors": [str(p) for p in pack.errors]}))
"""


@pytest.mark.parametrize(("size", "levels"), BOMBS)
def test_key_alias_bomb_is_refused_fast_and_small(tmp_path: Path, size: int, levels: int) -> None:
    text = key_bomb(size, levels)
    assert len(text.encode()) == size
    root = write_pack(tmp_path / "pack", {"sops/bomb.md": text})
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(root)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["cpu"] < 1.0 and result["grown_mib"] < 100, result
    [error] = result["errors"]
    assert error.startswith("sops/bomb.md:4: YAML too large: more than 100,000 values"), error
    assert len(error) < 200


@pytest.mark.parametrize(("size", "levels"), BOMBS)
def test_validate_command_reports_a_key_bomb_briefly(
    tmp_path: Path, size: int, levels: int
) -> None:
    root = write_pack(tmp_path / "pack", {"sops/bomb.md": key_bomb(size, levels)})
    capped = (
        "import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
        "sys.argv = ['agent-assist', *sys.argv[1:]]; runpy.run_module('agent_assist', "
        "run_name='__main__')"
    )
    args = ["--data-dir", str(tmp_path / "data"), "validate", str(root), "--json"]
    done = subprocess.run(
        [sys.executable, "-c", capped, *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert len(done.stdout) < 2000
    [problem] = json.loads(done.stdout)["problems"]
    assert (problem["file"], problem["line"]) == ("sops/bomb.md", 4)
    assert "YAML too large" in problem["message"]


def _errors(tmp_path: Path, front: str, body: str = "", folder: str = "sops") -> list[str]:
    root = write_pack(tmp_path / "pack", {f"{folder}/x.md": f"---\n{front}---\n{body}"})
    return [str(p) for p in validate_pack(root).errors]


LONG = "Q" * 50_000

# (front matter, words of the one error): every limit of the loader, each checked while
# composing, before a value is built.
LIMITS = [
    ("id: a\ntitle: T\n? [a, b]\n: 1\n", "x.md:4: unsupported YAML: a key is a list"),
    ("id: a\ntitle: T\n? {a: b}\n: 1\n", "x.md:4: unsupported YAML: a key is a mapping"),
    ("id: a\ntitle: T\nl: &l [x, *l]\n", "x.md:4: unsupported YAML: an alias refers to"),
    (f"id: a\ntitle: T\n{'k' * 201}: 1\n", "x.md:4: YAML too large: a key of 201 characters"),
    (
        f"id: a\ntitle: T\nv: &v {'w' * 20_000}\nphrasings: [{', '.join(['*v'] * 60)}]\n",
        "x.md:5: YAML too large: more than 1,048,576 characters",
    ),
    (
        f"id: a\ntitle: T\nsteps: {'[' * 60}{']' * 60}\n",
        "YAML too large: lists and mappings nested",
    ),
]


@pytest.mark.parametrize(("front", "words"), LIMITS, ids=[w.split(": ")[-1] for _, w in LIMITS])
def test_loader_limits_are_ordinary_problems(tmp_path: Path, front: str, words: str) -> None:
    [error] = _errors(tmp_path, front)
    assert words in error
    assert len(error) < 200


def test_a_few_aliases_still_work(tmp_path: Path) -> None:
    front = (
        "id: a\ntitle: T\ntags: &tags [billing, refunds]\nphrasings: *tags\n"
        "steps:\n  - {id: one, text: &text Do it}\n  - {id: two, text: *text}\n"
    )
    root = write_pack(tmp_path / "pack", {"sops/a.md": f"---\n{front}---\n"})
    pack = validate_pack(root)
    assert pack.errors == []
    sop = pack.items[0].content
    assert isinstance(sop, Sop)
    assert sop.phrasings == ("billing", "refunds")
    assert [(s.id, s.text) for s in sop.steps] == [("one", "Do it"), ("two", "Do it")]


# (front matter, body, folder): each error message quotes a huge value or key.
ECHOES = [
    (f"id: {LONG}\ntitle: T\n", "", "sops"),
    ("id: a\ntitle: T\nlocale: " + "e" * 50_000 + "\n", "", "sops"),
    ("id: a\ntitle: T\nreview_due: " + "9" * 50_000 + "\n", "", "sops"),
    ("id: a\ntitle: T\ndeadline: {days: 5, basis: " + LONG + "}\n", "", "sops"),
    (
        "id: a\ntitle: T\nsteps:\n  - {id: s, text: t, choices: [{label: l, next: "
        + LONG
        + "}]}\n",
        "",
        "sops",
    ),
    (
        "id: a\ntitle: T\nsteps:\n  - {id: s, text: t, choices: [{label: " + LONG + ", next: end}, "
        "{label: " + LONG + ", next: end}]}\n",
        "",
        "sops",
    ),
    ("id: m\ntitle: M\n", "{{ " + LONG + " }}\n", "macros"),
    ("id: m\ntitle: M\n", "{{" + "q" * 50_000 + "}}\n", "macros"),
    ("id: m\ntitle: M\nfields: {f: {default: " + LONG + ", choices: [a]}}\n", "{{f}}\n", "macros"),
    ("id: a\ntitle: T\n" + "k" * 200 + ": 1\n", "", "sops"),
    ("id: a\ntitle: T\n{{\n", "", "sops"),
]


@pytest.mark.parametrize(("front", "body", "folder"), ECHOES)
def test_messages_quote_only_a_short_excerpt(
    tmp_path: Path, front: str, body: str, folder: str
) -> None:
    errors = _errors(tmp_path, front, body, folder)
    assert errors
    for error in errors:
        assert len(error) < 400, error[:500]
        assert "Q" * 61 not in error and "k" * 61 not in error and "q" * 61 not in error


def test_did_you_mean_spares_difflib_long_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[int] = []
    real = difflib.get_close_matches

    def spy(word: str, possibilities: list[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
        compared.append(len(word))
        return real(word, possibilities, n, cutoff)

    monkeypatch.setattr(difflib, "get_close_matches", spy)
    errors = _errors(tmp_path, "id: a\ntitle: T\ntitel: x\n" + "z" * 199 + ": 1\n")
    assert any("did you mean 'title'" in e for e in errors)
    assert any("z" * 60 + "…" in e and "expected one of" in e for e in errors)
    assert compared == [5]


def _items(*items: tuple[Sop | Macro, str]) -> LoadedPack:
    pack = LoadedPack(Path())
    for content, text in items:
        path = f"{content.kind.value}s/{content.id}.md"
        pack.items.append(LoadedItem(content, SourceFile(path, text, "h"), YamlDoc({})))
    return pack


def _cpu(run: Callable[[], object]) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


def test_long_checklists_are_checked_in_linear_time() -> None:
    # Step i leads to step i + 1: the old fixpoint took one pass per step (quadratic).
    steps = tuple(Step(f"s{i}", "t") for i in range(3000))
    pack = _items((Sop("a", "A", steps=steps), ""))
    assert _cpu(lambda: check_pack(pack)) < 1.0
    assert pack.problems == []


def test_many_unclosed_placeholders_are_checked_in_linear_time() -> None:
    # r"\{\{(.*?)\}\}" retried from every "{{" to the end of the body: a minute for 40 KB.
    text = "---\nid: m\ntitle: M\n---\nHi\n{{ bad name }}\n" + "{{" * 20_000
    pack = _items((Macro("m", "M", body=""), text))
    assert _cpu(lambda: check_pack(pack)) < 1.0
    [problem] = pack.problems
    assert (problem.line, problem.field) == (6, "body")
    assert problem.message.startswith("'{{ bad name }}' is not a valid placeholder")


# -- directory packs: links and special files -------------------------------------------------


def _validated_within(root: Path, seconds: float = 30) -> LoadedPack:
    """validate_pack in a daemon thread, so that a read blocking on a pipe fails the test
    instead of hanging it."""
    result: list[LoadedPack] = []
    worker = threading.Thread(target=lambda: result.append(validate_pack(root)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert result, f"validate_pack({root}) blocked for {seconds} s"
    return result[0]


def _cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue() + err.getvalue()


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A private file outside the pack, shaped as a SOP."""
    secret = tmp_path / "private" / "secret.md"
    secret.parent.mkdir()
    secret.write_text(SOP.format(id="leaked", title="Private notes"))
    return secret


LINKS: list[tuple[str, Callable[[Path, Path], None], str]] = [
    ("sops/leak.md", lambda root, secret: (root / "sops/leak.md").symlink_to(secret), "link"),
    ("sops/same.md", lambda root, _: (root / "sops/same.md").symlink_to("ok.md"), "link"),
    ("sops/readme", lambda root, secret: (root / "sops/readme").symlink_to(secret), "link"),
    ("macros", lambda root, secret: (root / "macros").symlink_to(secret.parent), "link"),
    ("sops/pipe.md", lambda root, _: os.mkfifo(root / "sops/pipe.md"), "named pipe (FIFO)"),
    ("sops/pipe", lambda root, _: os.mkfifo(root / "sops/pipe"), "named pipe (FIFO)"),
]


@pytest.mark.parametrize(("rel", "make", "kind"), LINKS, ids=[r for r, _, _ in LINKS])
def test_links_and_pipes_in_a_pack_are_refused_and_nothing_imported(
    tmp_path: Path, outside: Path, rel: str, make: Callable[[Path, Path], None], kind: str
) -> None:
    root = write_pack(tmp_path / "pack", {"sops/ok.md": SOP.format(id="ok", title="OK")})
    make(root, outside)
    pack = _validated_within(root)
    [error] = pack.errors
    assert (error.file, error.line) == (rel, 0)
    assert kind in error.message
    assert "leaked" not in {i.content.id for i in pack.items}
    data = tmp_path / "data"
    code, output = _cli("--data-dir", str(data), "import", str(root))
    assert code == 1 and rel in output and "nothing was imported" in output
    with Store.in_dir(data) as store:
        assert store.is_empty()


def test_a_linked_pack_yaml_is_refused(tmp_path: Path, outside: Path) -> None:
    root = write_pack(tmp_path / "pack", {"sops/ok.md": SOP.format(id="ok", title="OK")})
    (root / "pack.yaml").unlink()
    (root / "pack.yaml").symlink_to(outside)
    [error] = _validated_within(root).errors
    assert (error.file, error.message.split(" (")[0]) == ("pack.yaml", "is a symbolic link")


def test_entry_and_size_limits_are_checked_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"sops/s{i}.md": SOP.format(id=f"s{i}", title="S") for i in range(4)}
    root = write_pack(tmp_path / "pack", {**files, "macros/notes.txt": "x"})
    monkeypatch.setattr(packfiles, "MAX_ENTRIES", 4)
    pack = validate_pack(root)
    assert [(p.file, p.message) for p in pack.errors] == [
        ("macros/", "sops/ and macros/ hold more than 4 entries (split the pack)")
    ]
    assert pack.items == []
    monkeypatch.setattr(packfiles, "MAX_ENTRIES", 5)
    monkeypatch.setattr(packfiles, "MAX_PACK_BYTES", 4 * len(files["sops/s0.md"]) - 1)
    [error] = validate_pack(root).errors
    assert "the pack's files add up to" in error.message and validate_pack(root).items == []


# -- signed zips --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signer() -> tuple[Ed25519PrivateKey, str]:
    key = Ed25519PrivateKey.generate()
    return key, public_key_b64(key)


def _signed(out: Path, files: dict[str, bytes], key: Ed25519PrivateKey) -> Path:
    write_signed_pack(out, files, key, "f", "2026-11-26T00:00:00Z")
    return out


def _declare(data: bytes, sizes: Callable[[str], int | None]) -> bytes:
    """``data`` (a zip) with the uncompressed size of each central-directory entry replaced
    by ``sizes(name)`` where that is not None: what a zip bomb declares."""
    out = bytearray(data)
    at = out.rfind(b"PK\x05\x06")
    entries = int.from_bytes(out[at + 10 : at + 12], "little")
    pos = int.from_bytes(out[at + 16 : at + 20], "little")
    for _ in range(entries):
        lengths = [int.from_bytes(out[pos + i : pos + i + 2], "little") for i in (28, 30, 32)]
        size = sizes(out[pos + 46 : pos + 46 + lengths[0]].decode())
        if size is not None:
            out[pos + 24 : pos + 28] = size.to_bytes(4, "little")
        pos += 46 + sum(lengths)
    return bytes(out)


@pytest.fixture
def no_member_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real = zipfile.ZipFile.open

    def refuse_reads(
        zf: zipfile.ZipFile, name: Any, mode: Literal["r", "w"] = "r", *args: Any
    ) -> Any:
        assert mode != "r", f"a member was read: {name}"
        return real(zf, name, mode, *args)

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse_reads)
    yield


def _refused_within_bounds(source: Path | bytes, key: str) -> str:
    """The message refusing ``source``, once refused in < 1 s of CPU and with < 100 MB
    allocated at the peak (measured in a second run: tracing slows Python down)."""
    start = time.process_time()
    with pytest.raises(SignatureError) as info:
        verify_signed_pack(source, key)
    cpu = time.process_time() - start
    tracemalloc.start()
    try:
        with pytest.raises(SignatureError):
            verify_signed_pack(source, key)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert cpu < 1.0 and peak < 100 * MIB, (cpu, peak)
    return str(info.value)


def test_zip_declaring_2_gib_in_16_mib_members_is_refused_unread(
    tmp_path: Path, signer: tuple[Ed25519PrivateKey, str], no_member_read: None
) -> None:
    files = {f"sops/z{i:03}.md": b"" for i in range(128)}
    data = _signed(tmp_path / "p.zip", files, signer[0]).read_bytes()
    bomb = _declare(data, lambda name: 16 * MIB if name.startswith("sops/") else None)
    message = _refused_within_bounds(bomb, signer[1])
    assert "member 'sops/z000.md' declares 16,777,216 bytes (expected at most 262,144)" in message


def test_zip_declaring_2_gib_in_small_members_is_refused_unread(
    tmp_path: Path, signer: tuple[Ed25519PrivateKey, str], no_member_read: None
) -> None:
    files = {f"sops/z{i:04}.md": b"" for i in range(8192)}
    data = _signed(tmp_path / "p.zip", files, signer[0]).read_bytes()
    bomb = _declare(data, lambda name: 256 * 1024 if name.startswith("sops/") else None)
    message = _refused_within_bounds(bomb, signer[1])
    assert re.search(r"its members declare 2,1\d\d,\d{3},\d{3} bytes in all", message), message


def test_zip_listing_too_many_members_is_refused_before_parsing(
    tmp_path: Path, signer: tuple[Ed25519PrivateKey, str], no_member_read: None
) -> None:
    data = bytearray(
        _signed(tmp_path / "p.zip", {"pack.yaml": b"name: p\n"}, signer[0]).read_bytes()
    )
    at = data.rfind(b"PK\x05\x06")
    data[at + 8 : at + 12] = (30_000).to_bytes(2, "little") * 2
    assert "30,000 members" in _refused_within_bounds(bytes(data), signer[1])


@pytest.mark.parametrize(
    ("names", "words"),
    [
        (["sops/a.md", "sops/a.md/x.md"], "'sops/a.md' is both a file and a folder"),
        (["sops", "sops/a.md"], "'sops' is both a file and a folder"),
        (["../evil.md"], "'../evil.md' has an unsafe name"),
        (["/etc/evil.md"], "'/etc/evil.md' has an unsafe name"),
        (["sops/./a.md"], "unsafe name"),
        (["sops//a.md"], "unsafe name"),
        (["C:evil.md"], "unsafe name"),
        (["sops\\a.md"], "unsafe name"),
    ],
)
def test_signed_zip_with_bad_names_is_a_clear_error(
    tmp_path: Path, signer: tuple[Ed25519PrivateKey, str], names: list[str], words: str
) -> None:
    files = {
        "pack.yaml": b"name: p\n",
        **{n: SOP.format(id="a", title="A").encode() for n in names},
    }
    out = _signed(tmp_path / "p.zip", files, signer[0])
    with pytest.raises(SignatureError, match=r"member|both") as info:
        extract_signed_pack(out, signer[1], tmp_path / "dest")
    assert words in str(info.value)
    assert not (tmp_path / "dest").exists()


def test_signed_zip_name_clash_is_refused_on_import(
    tmp_path: Path, signer: tuple[Ed25519PrivateKey, str]
) -> None:
    sop = SOP.format(id="a", title="A").encode()
    out = _signed(
        tmp_path / "p.zip",
        {"pack.yaml": b"name: p\n", "sops/a.md": sop, "sops/a.md/x.md": sop},
        signer[0],
    )
    key_file = tmp_path / "hub-key.json"
    key_file.write_text(json.dumps({"public_key": signer[1]}))
    data = tmp_path / "data"
    code, output = _cli("--data-dir", str(data), "import", str(out), "--hub-key", str(key_file))
    assert code == 1 and "is both a file and a folder" in output and "Traceback" not in output
    with Store.in_dir(data) as store:
        assert store.is_empty()


def test_duplicate_and_oddly_compressed_members_are_refused(
    tmp_path: Path, signer: tuple[Ed25519PrivateKey, str]
) -> None:
    files = {"pack.yaml": b"name: p\n"}
    manifest = manifest_bytes(files, "f", "t")
    signature = base64.b64encode(signer[0].sign(manifest))
    for extra, words in [
        (("pack.yaml", zipfile.ZIP_DEFLATED), "'pack.yaml' appears twice"),
        (("sops/a.md", zipfile.ZIP_BZIP2), "unsupported compression"),
    ]:
        out = tmp_path / f"{words[:4]}.zip"
        with warnings.catch_warnings(), zipfile.ZipFile(out, "w") as zf:
            warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
            zf.writestr("pack.yaml", files["pack.yaml"])
            zf.writestr(extra[0], b"x" * 100, compress_type=extra[1])
            zf.writestr("MANIFEST.json", manifest)
            zf.writestr("MANIFEST.sig", signature)
        with pytest.raises(SignatureError, match=words):
            verify_signed_pack(out, signer[1])


def test_member_larger_than_declared_is_refused(
    tmp_path: Path, signer: tuple[Ed25519PrivateKey, str]
) -> None:
    sop = SOP.format(id="a", title="A").encode() + b"x" * 100_000
    data = _signed(tmp_path / "p.zip", {"pack.yaml": b"name: p\n", "sops/a.md": sop}, signer[0])
    lying = _declare(data.read_bytes(), lambda name: 1000 if name == "sops/a.md" else None)
    message = _refused_within_bounds(lying, signer[1])
    assert "not a readable zip" in message or "declares" in message
