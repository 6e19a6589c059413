"""Read a knowledge pack directory into models, collecting every problem on the way.

The reader never raises for bad content: each file that cannot be read or has bad fields adds
problems and is left out.  :mod:`agent_assist.core.knowledge.checks` then checks what spans items
(duplicate ids, references, checklist paths).  See ``docs/pack-format.md`` for the format.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from agent_assist.core.knowledge.fieldreader import FieldReader
from agent_assist.core.knowledge.models import (
    FIELD_SOURCES,
    Choice,
    Content,
    Deadline,
    Kind,
    Macro,
    MacroField,
    PackInfo,
    Sop,
    SourceFile,
    Step,
)
from agent_assist.core.knowledge.packfiles import (
    MAX_FILE_BYTES,
    PackFile,
    list_items,
    plain_file,
    read_bytes,
)
from agent_assist.core.knowledge.problems import Problem, Severity, excerpt
from agent_assist.core.knowledge.yamlsource import (
    YamlDoc,
    YamlSyntaxError,
    parse_yaml,
    split_front_matter,
)

PACK_FILE = "pack.yaml"
FOLDERS = {Kind.SOP: "sops", Kind.MACRO: "macros"}

PACK_FIELDS = ("name", "version", "locale", "publisher", "format")
SOP_FIELDS = (
    "id",
    "title",
    "summary",
    "tags",
    "locale",
    "phrasings",
    "macros",
    "review_due",
    "requires_ack",
    "deadline",
    "steps",
)
STEP_FIELDS = ("id", "text", "required", "choices", "macro")
CHOICE_FIELDS = ("label", "next")
DEADLINE_FIELDS = ("days", "business_days", "basis", "label")
MACRO_FIELDS = ("id", "title", "tags", "locale", "fields")
MACRO_FIELD_FIELDS = ("label", "required", "default", "choices", "source")
LOCALE_RE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")
PLACEHOLDER_NAME_RE = re.compile(r"[a-z_][a-z0-9_]*\Z")


@dataclass(frozen=True)
class LoadedItem:
    content: Content
    source: SourceFile
    doc: YamlDoc


@dataclass
class LoadedPack:
    root: Path
    info: PackInfo | None = None
    pack_file: SourceFile | None = None
    items: list[LoadedItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def of_kind(self, kind: Kind) -> list[LoadedItem]:
        return [i for i in self.items if i.content.kind is kind]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_text(file: PackFile, problems: list[Problem]) -> SourceFile | None:
    rel = file.rel
    data = read_bytes(file, problems)
    if data is None:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(
                rel,
                line,
                "",
                f"not UTF-8 text (bad byte 0x{data[exc.start]:02x}"
                f" at offset {exc.start}; save the file as UTF-8)",
            )
        )
        return None
    if "\x00" in text:
        problems.append(Problem(rel, 0, "", "file contains NUL bytes (expected plain text)"))
        return None
    return SourceFile(rel, text, content_hash(text.encode("utf-8")))


def read_pack(root: Path) -> LoadedPack:
    """Read every file of the pack at ``root``; never raises for bad content.

    Links and special files are refused, never followed (see
    :mod:`agent_assist.core.knowledge.packfiles`)."""
    pack = LoadedPack(root)
    if not root.is_dir():
        pack.problems.append(
            Problem(
                str(root), 0, "", "is not a directory (expected a pack folder holding pack.yaml)"
            )
        )
        return pack
    _read_pack_file(pack)
    locale = pack.info.locale if pack.info else "en"
    listed = list_items(root, tuple(FOLDERS.values()), pack.problems)
    for kind, folder in FOLDERS.items():
        for file in listed.get(folder, []):
            loaded = _read_item(file, kind, locale, pack.problems)
            if loaded:
                pack.items.append(loaded)
    if not pack.items and not pack.errors:
        pack.problems.append(
            Problem(
                ".",
                0,
                "",
                "the pack has no SOPs or macros (expected sops/*.md or macros/*.md)",
                Severity.WARNING,
            )
        )
    return pack


def _read_pack_file(pack: LoadedPack) -> None:
    missing = "missing (every pack needs a pack.yaml with at least a name)"
    file = plain_file(pack.root / PACK_FILE, PACK_FILE, pack.problems, missing=missing)
    if file is None:
        return
    source = _read_text(file, pack.problems)
    if source is None:
        return
    try:
        doc = parse_yaml(source.text)
    except YamlSyntaxError as exc:
        pack.problems.append(Problem(PACK_FILE, exc.line, "", str(exc)))
        return
    fr = FieldReader(doc, PACK_FILE, pack.problems)
    if not fr.mapping((), PACK_FIELDS):
        return
    if fr.has(("format",)) and fr.get(("format",)) != 1:
        given = excerpt(repr(fr.get(("format",))))
        fr.error(("format",), f"unsupported format {given} (expected 1)")
    locale = _locale(fr, ("locale",), "en")
    pack.info = PackInfo(
        name=fr.ident(("name",), what="pack name"),
        version=fr.string(("version",), one_line=True),
        locale=locale,
        publisher=fr.string(("publisher",), one_line=True),
    )
    pack.pack_file = source


def _locale(fr: FieldReader, path: tuple[str, ...], default: str) -> str:
    value = fr.string(path, default=default)
    if not LOCALE_RE.match(value):
        fr.error(
            path,
            f"'{excerpt(value)}' is not a locale (expected a language tag such as en or de-AT)",
        )
        return default
    return value


def parse_item(
    text: str, rel: str, kind: Kind, locale: str
) -> tuple[LoadedItem | None, list[Problem]]:
    """Parse one SOP or macro given as text (``rel`` names it in problems), exactly as a file
    of a pack would be read: the hub's content and local packs must never parse differently.

    Returns the item (``None`` when it cannot be used) and every problem found; never raises
    for bad content.  Cross-item checks (references, duplicate ids) need a whole pack and are
    :mod:`agent_assist.core.knowledge.checks`' job.
    """
    problems: list[Problem] = []
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        problems.append(
            Problem(rel, 0, "", f"file is {size:,} bytes (expected at most {MAX_FILE_BYTES:,})")
        )
        return None, problems
    if "\x00" in text:
        problems.append(Problem(rel, 0, "", "file contains NUL bytes (expected plain text)"))
        return None, problems
    source = SourceFile(rel, text, content_hash(text.encode("utf-8")))
    return _parse_item(source, kind, locale, problems), problems


def _read_item(
    file: PackFile, kind: Kind, locale: str, problems: list[Problem]
) -> LoadedItem | None:
    source = _read_text(file, problems)
    if source is None:
        return None
    return _parse_item(source, kind, locale, problems)


def _parse_item(
    source: SourceFile, kind: Kind, locale: str, problems: list[Problem]
) -> LoadedItem | None:
    rel = source.path
    parts = split_front_matter(source.text)
    if parts is None:
        problems.append(
            Problem(
                rel,
                1,
                "",
                "no front matter (expected the file to start with a "
                "'---' line, YAML fields, then a closing '---')",
            )
        )
        return None
    front, body, _ = parts
    try:
        doc = parse_yaml(front, first_line=2)
    except YamlSyntaxError as exc:
        problems.append(Problem(rel, exc.line, "", str(exc)))
        return None
    before = len([p for p in problems if p.severity is Severity.ERROR])
    fr = FieldReader(doc, rel, problems)
    if not fr.mapping((), SOP_FIELDS if kind is Kind.SOP else MACRO_FIELDS):
        return None
    content = _sop(fr, body, locale) if kind is Kind.SOP else _macro(fr, body, locale)
    errors = len([p for p in problems if p.severity is Severity.ERROR])
    if errors > before and not (content.id and content.title):
        return None  # keep a faulty item for cross-checks only when its identity is sound
    return LoadedItem(content, source, doc)


def _sop(fr: FieldReader, body: str, locale: str) -> Sop:
    steps: list[Step] = []
    for i, _ in enumerate(fr.items(("steps",))):
        p: tuple[str | int, ...] = ("steps", i)
        if not fr.mapping(p, STEP_FIELDS):
            continue
        choices: list[Choice] = []
        for j, _ in enumerate(fr.items((*p, "choices"))):
            cp = (*p, "choices", j)
            if fr.mapping(cp, CHOICE_FIELDS):
                choices.append(
                    Choice(
                        fr.string((*cp, "label"), required=True, one_line=True),
                        fr.string((*cp, "next"), required=True),
                    )
                )
        macro = fr.ident((*p, "macro"), what="macro id") if fr.has((*p, "macro")) else None
        steps.append(
            Step(
                id=fr.ident((*p, "id"), what="step id"),
                text=fr.string((*p, "text"), required=True),
                required=fr.boolean((*p, "required"), True),
                choices=tuple(choices),
                macro=macro or None,
            )
        )
    return Sop(
        id=fr.ident(("id",)),
        title=fr.string(("title",), required=True, one_line=True),
        summary=fr.string(("summary",)),
        tags=fr.string_list(("tags",)),
        locale=_locale(fr, ("locale",), locale),
        phrasings=fr.string_list(("phrasings",)),
        macros=fr.string_list(("macros",), ids=True),
        review_due=fr.date(("review_due",)),
        requires_ack=fr.boolean(("requires_ack",), False),
        deadline=_deadline(fr),
        steps=tuple(steps),
        body=body.strip("\n"),
    )


def _deadline(fr: FieldReader) -> Deadline | None:
    path = ("deadline",)
    if not fr.has(path):
        return None
    if not fr.mapping(path, DEADLINE_FIELDS):
        return None
    has_days = fr.has((*path, "days"))
    has_business = fr.has((*path, "business_days"))
    label = fr.string((*path, "label"), one_line=True)
    if has_days == has_business:
        fr.error(path, "expected exactly one of 'days' or 'business_days'")
        return None
    if has_business:
        n = fr.integer((*path, "business_days"), 1, 3650)
        if fr.has((*path, "basis")) and fr.get((*path, "basis")) != "business":
            fr.error((*path, "basis"), "with business_days the basis can only be 'business'")
        return Deadline(n, business=True, label=label) if n else None
    n = fr.integer((*path, "days"), 1, 3650)
    basis = fr.string((*path, "basis"), default="calendar")
    if basis not in ("calendar", "business"):
        fr.error(
            (*path, "basis"), f"'{excerpt(basis)}' is not a basis (expected calendar or business)"
        )
    return Deadline(n, business=basis == "business", label=label) if n else None


def _macro(fr: FieldReader, body: str, locale: str) -> Macro:
    fields: list[MacroField] = []
    declared = fr.get(("fields",))
    if isinstance(declared, dict):
        for name in declared:
            p = ("fields", str(name))
            if not PLACEHOLDER_NAME_RE.match(str(name)):
                fr.error(
                    p,
                    f"'{excerpt(str(name))}' is not a placeholder name (expected lowercase "
                    "letters, digits and '_', not starting with a digit)",
                )
                continue
            if not fr.has(p):
                fields.append(MacroField(str(name), label=str(name)))
                continue
            if not fr.mapping(p, MACRO_FIELD_FIELDS):
                continue
            choices = fr.string_list((*p, "choices"))
            default = fr.string((*p, "default")) if fr.has((*p, "default")) else None
            if default is not None and choices and default not in choices:
                fr.error(
                    (*p, "default"),
                    f"'{excerpt(default)}' is not one of the choices "
                    f"({excerpt(', '.join(choices), 200)})",
                )
            source = fr.string((*p, "source")) if fr.has((*p, "source")) else None
            if source is not None and source not in FIELD_SOURCES:
                fr.error(
                    (*p, "source"),
                    f"'{excerpt(source)}' is not a source (expected one of "
                    f"{', '.join(FIELD_SOURCES)})",
                )
                source = None
            fields.append(
                MacroField(
                    name=str(name),
                    label=fr.string((*p, "label"), default=str(name), one_line=True),
                    required=fr.boolean((*p, "required"), True),
                    default=default,
                    choices=choices,
                    source=source,
                )
            )
    elif fr.has(("fields",)):
        fr.error(("fields",), "expected a mapping of placeholder names to their settings")
    return Macro(
        id=fr.ident(("id",)),
        title=fr.string(("title",), required=True, one_line=True),
        tags=fr.string_list(("tags",)),
        locale=_locale(fr, ("locale",), locale),
        fields=tuple(fields),
        body=body.strip("\n"),
    )
