"""Drafts made macro files with unique ids, written as a pack that is checked before it lands.

The pack is written to a temporary folder beside the destination, checked with the same
checks as ``agent-assist validate``, and only then renamed into place: a conversion either
leaves a valid pack or nothing (a check failing here is our bug, reported as such).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from agent_assist.core.knowledge.checks import validate_pack
from agent_assist.core.knowledge.importers.common import (
    ID_MAX,
    MAX_TAGS,
    ConvertError,
    Draft,
    Note,
    Parsed,
    one_line,
    slug,
)
from agent_assist.core.knowledge.importers.placeholders import (
    MAX_BODY_CHARS,
    Body,
    Syntax,
    convert_body,
)
from agent_assist.core.knowledge.packfiles import MAX_FILE_BYTES
from agent_assist.core.knowledge.problems import excerpt
from agent_assist.core.knowledge.reader import LOCALE_RE


@dataclass
class Report:
    """What a conversion did: the pack written, and every note and skipped item."""

    tool: str
    source: Path
    dest: Path
    pack: str
    written: int = 0
    notes: list[Note] = field(default_factory=list)
    skipped: list[Note] = field(default_factory=list)


def _front_matter(draft: Draft, macro_id: str, body: Body, tags: list[str]) -> str:
    data: dict[str, Any] = {"id": macro_id, "title": draft.title}
    if tags:
        data["tags"] = tags
    if body.fields:
        data["fields"] = {
            name: {"label": t.label, **({"source": t.source} if t.source else {})}
            for name, t in body.fields.items()
        }
    comments = "".join(f"# {excerpt(one_line(c), 300)}\n" for c in draft.comments)
    dumped = yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100_000
    )
    return f"---\n{comments}{dumped}---\n"


def _unique_id(draft: Draft, tool: str, taken: set[str]) -> str:
    base = slug(draft.title) or (f"{tool}-{draft.vendor_id}" if draft.vendor_id else tool)
    candidates = [base]
    if draft.vendor_id:
        candidates.append(f"{base[: ID_MAX - len(draft.vendor_id) - 1]}-{draft.vendor_id}")
    for made in candidates:
        if made not in taken:
            return made
    n = 2
    while (made := f"{base[: ID_MAX - len(str(n)) - 1]}-{n}") in taken:
        n += 1
    return made


def macro_files(parsed: Parsed, syntax: Syntax, report: Report) -> dict[str, str]:
    """``{"macros/<id>.md": text}`` for every draft that has reply text and fits a pack file;
    notes and skipped items go to ``report``."""
    tool = slug(syntax.tool)
    files: dict[str, str] = {}
    taken: set[str] = set()
    for draft in parsed.drafts:
        if len(draft.body) > MAX_BODY_CHARS:
            report.skipped.append(
                Note(draft.label, f"reply is {len(draft.body):,} characters (too long to convert)")
            )
            continue
        body = convert_body(draft.body, draft.html, syntax)
        if not body.text.strip():
            report.skipped.append(Note(draft.label, "no reply text after conversion"))
            continue
        tags = draft.tags[:MAX_TAGS]
        if len(draft.tags) > MAX_TAGS:
            body.notes.append(f"kept the first {MAX_TAGS} of {len(draft.tags)} tags")
        macro_id = _unique_id(draft, tool, taken)
        text = f"{_front_matter(draft, macro_id, body, tags)}{body.text}\n"
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            report.skipped.append(
                Note(draft.label, f"converted macro is over {MAX_FILE_BYTES // 1024} KiB")
            )
            continue
        taken.add(macro_id)
        files[f"macros/{macro_id}.md"] = text
        report.notes.extend(Note(draft.label, n) for n in [*draft.notes, *body.notes])
    return files


def pack_yaml(name: str, locale: str, tool: str, source: Path) -> str:
    if not LOCALE_RE.match(locale):
        raise ConvertError(f"'{excerpt(locale)}' is not a locale (expected e.g. en or de-AT)")
    origin = one_line(f"converted from {tool} ({source.name}) by agent-assist convert")
    return f"# {excerpt(origin, 300)}\nname: {name}\nlocale: {locale}\nformat: 1\n"


def write_pack(dest: Path, files: dict[str, str], *, force: bool) -> None:
    """Write ``files`` (relative path -> text) as the pack ``dest``, checked, atomically."""
    if dest.exists() and not dest.is_dir():
        raise ConvertError(f"{dest} exists and is not a folder (expected a new or empty folder)")
    if dest.exists() and any(dest.iterdir()) and not force:
        raise ConvertError(f"{dest} exists and is not an empty folder (use --force to replace it)")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=dest.parent))
    except OSError as exc:
        raise ConvertError(f"cannot write the pack to {dest}: {exc.strerror or exc}") from exc
    try:
        (tmp / "macros").mkdir()
        for rel, text in files.items():
            (tmp / rel).write_text(text, encoding="utf-8", newline="")
        checked = validate_pack(tmp)
        if checked.errors:  # our bug: never leave a pack that validate refuses
            raise ConvertError(
                f"the converted pack does not pass its checks ({len(checked.errors)} error(s), "
                f"first: {checked.errors[0]}); nothing was written to {dest}"
            )
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    except OSError as exc:
        raise ConvertError(f"cannot write the pack to {dest}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
