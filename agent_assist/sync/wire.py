"""Typed replies of the hub (``docs/hub-api.md``), parsed strictly.

Every parser raises :class:`MalformedReplyError` naming the endpoint and the field that was
wrong, so a broken or hostile reply is refused before anything of it reaches the cache.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from agent_assist.core.knowledge.models import Kind
from agent_assist.core.knowledge.problems import Problem, Severity
from agent_assist.sync.errors import MalformedReplyError

T = TypeVar("T")


class _Reader:
    """Reads fields of one JSON object, naming ``where`` (endpoint and position) on errors."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise MalformedReplyError(f"{where}: expected a JSON object, got {_kind(data)}")
        self.data: dict[str, Any] = data
        self.where = where

    def get(self, name: str, typ: type[T], *, default: T | None = None) -> T:
        if name not in self.data:
            if default is not None:
                return default
            raise MalformedReplyError(f"{self.where}: missing field '{name}'")
        value = self.data[name]
        ok = isinstance(value, typ) and not (typ is int and isinstance(value, bool))
        if typ is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)  # type: ignore[return-value]
        if not ok:
            raise MalformedReplyError(
                f"{self.where}: field '{name}' is {_kind(value)} (expected {typ.__name__})"
            )
        return value  # type: ignore[no-any-return]

    def count(self, name: str, *, default: int | None = None) -> int:
        value = self.get(name, int, default=default)
        if value < 0:
            raise MalformedReplyError(f"{self.where}: field '{name}' is {value} (expected >= 0)")
        return value

    def items(self, name: str) -> list[object]:
        return self.get(name, list)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


@dataclass(frozen=True)
class Identity:
    name: str
    role: str


def parse_whoami(data: object) -> Identity:
    r = _Reader(data, "GET /v1/whoami")
    name = r.get("name", str)
    if not name:
        raise MalformedReplyError("GET /v1/whoami: field 'name' is empty")
    return Identity(name, r.get("role", str))


@dataclass(frozen=True)
class HubKey:
    algorithm: str
    public_key: str
    fingerprint: str

    @property
    def raw(self) -> bytes:
        return base64.b64decode(self.public_key)


def parse_hub_key(data: object) -> HubKey:
    r = _Reader(data, "GET /v1/hub-key")
    key = HubKey(r.get("algorithm", str), r.get("public_key", str), r.get("fingerprint", str))
    if key.algorithm != "ed25519":
        raise MalformedReplyError(f"GET /v1/hub-key: unknown algorithm '{key.algorithm}'")
    try:
        raw = base64.b64decode(key.public_key, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedReplyError("GET /v1/hub-key: field 'public_key' is not base64") from None
    if len(raw) != 32:
        raise MalformedReplyError(f"GET /v1/hub-key: public key is {len(raw)} bytes (expected 32)")
    return key


@dataclass(frozen=True)
class Change:
    seq: int
    op: Literal["upsert", "retire"]
    kind: Kind
    id: str
    version: int
    content_hash: str = ""
    pack: str = ""
    pack_locale: str = "en"
    source_path: str = ""
    source_text: str = ""


@dataclass(frozen=True)
class ChangesPage:
    changes: tuple[Change, ...]
    cursor: int
    more: bool
    etag: str = ""


def _change(data: object, where: str) -> Change:
    r = _Reader(data, where)
    op = r.get("op", str)
    kind = r.get("kind", str)
    if op not in ("upsert", "retire"):
        raise MalformedReplyError(f"{where}: field 'op' is '{op}' (expected upsert or retire)")
    if kind not in (Kind.SOP.value, Kind.MACRO.value):
        raise MalformedReplyError(f"{where}: field 'kind' is '{kind}' (expected sop or macro)")
    item_id = r.get("id", str)
    if not item_id:
        raise MalformedReplyError(f"{where}: field 'id' is empty")
    common = (r.count("seq"), op, Kind(kind), item_id, r.count("version", default=0))
    if op == "retire":
        return Change(*common)  # type: ignore[arg-type]
    change = Change(
        *common,  # type: ignore[arg-type]
        content_hash=r.get("content_hash", str),
        pack=r.get("pack", str),
        pack_locale=r.get("pack_locale", str, default="en"),
        source_path=r.get("source_path", str),
        source_text=r.get("source_text", str),
    )
    if not change.pack:
        raise MalformedReplyError(f"{where}: field 'pack' is empty")
    return change


def parse_changes(data: object, since: int, etag: str = "") -> ChangesPage:
    where = "GET /v1/changes"
    r = _Reader(data, where)
    changes = tuple(_change(c, f"{where}: changes[{n}]") for n, c in enumerate(r.items("changes")))
    cursor = r.count("cursor")
    last = since
    for n, c in enumerate(changes):
        if c.seq <= last:
            raise MalformedReplyError(
                f"{where}: changes[{n}].seq is {c.seq} (expected more than {last}: the feed "
                "must be strictly increasing)"
            )
        last = c.seq
    if cursor < last:
        raise MalformedReplyError(f"{where}: cursor {cursor} is behind the last seq {last}")
    return ChangesPage(changes, cursor, r.get("more", bool), etag)


@dataclass(frozen=True)
class Learned:
    seq: int
    sop_id: str
    text: str
    count: int


def parse_learned(data: object) -> tuple[list[Learned], int]:
    where = "GET /v1/learned"
    r = _Reader(data, where)
    out = []
    for n, item in enumerate(r.items("phrasings")):
        p = _Reader(item, f"{where}: phrasings[{n}]")
        out.append(
            Learned(p.count("seq"), p.get("sop_id", str), p.get("text", str), p.count("count"))
        )
    return out, r.count("cursor")


@dataclass(frozen=True)
class PushResult:
    accepted: int
    duplicates: int


def parse_push(data: object) -> PushResult:
    r = _Reader(data, "POST /v1/events")
    return PushResult(r.count("accepted"), r.count("duplicates"))


@dataclass(frozen=True)
class PublishResult:
    published: list[str]
    unchanged: int
    retired: list[str]
    cursor: int


def _labels(r: _Reader, name: str) -> list[str]:
    out = []
    for n, item in enumerate(r.items(name)):
        p = _Reader(item, f"{r.where}: {name}[{n}]")
        version = f" v{p.data['version']}" if isinstance(p.data.get("version"), int) else ""
        out.append(f"{p.get('kind', str)}:{p.get('id', str)}{version}")
    return out


def parse_publish(data: object) -> PublishResult:
    r = _Reader(data, "POST /v1/publish")
    return PublishResult(
        _labels(r, "published"), r.count("unchanged"), _labels(r, "retired"), r.count("cursor")
    )


def parse_error(data: object) -> tuple[str, list[Problem]]:
    """The hub's error message and (for a rejected publish) its pack problems; tolerant,
    because an error reply is already the bad news."""
    if not isinstance(data, dict):
        return "", []
    message = str(data.get("message") or data.get("error") or data.get("detail") or "")
    problems = []
    raw = data.get("problems")
    for p in raw if isinstance(raw, list) else []:
        if isinstance(p, dict):
            severity = Severity.WARNING if p.get("severity") == "warning" else Severity.ERROR
            line = p.get("line")
            problems.append(
                Problem(
                    str(p.get("file", "")),
                    line if isinstance(line, int) else 0,
                    str(p.get("field", "")),
                    str(p.get("message", "")),
                    severity,
                )
            )
    return message, problems
