"""Malformed, mistyped and oversized requests get a 4xx with a message, never a 5xx; and a
hypothesis pass over the hub's own OpenAPI document finds no 5xx."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration import hubserver
from tests.integration.hubserver import RunningHub

shared_hub = hubserver.shared_hub
MIB = 1024 * 1024
JSON = {"Content-Type": "application/json"}

# (method, path, raw body, params, status, words the message must contain)
MALFORMED: list[tuple[str, str, bytes | None, dict[str, Any], int, str]] = [
    ("POST", "/v1/events", b"{bad", {}, 422, "not valid JSON"),
    ("POST", "/v1/events", b"[]", {}, 422, "body"),
    ("POST", "/v1/events", b'{"events": "many"}', {}, 422, "events"),
    ("POST", "/v1/events", b'{"events": [], "extra": 1}', {}, 422, "extra"),
    ("POST", "/v1/events", b"\xff\xfe\x00", {}, 400, "body"),
    ("POST", "/v1/publish", b'{"pack": {"name": 5}, "files": []}', {}, 422, "pack.name"),
    ("POST", "/v1/publish", b'{"files": []}', {}, 422, "pack"),
    ("POST", "/v1/retire", b'{"items": []}', {}, 422, "items"),
    ("POST", "/v1/retire", b'{"items": [{"kind": "faq", "id": "x"}]}', {}, 422, "items[0].kind"),
    ("POST", "/v1/acks", b'{"sop_id": "x", "version": "two"}', {}, 422, "version"),
    ("PUT", "/v1/settings/learn_threshold", b'{"value": 0}', {}, 422, "value"),
    ("POST", "/v1/tokens", b'{"name": "x", "role": "boss"}', {}, 422, "role"),
    ("POST", "/v1/tokens", b'{"name": "bad name!", "role": "agent"}', {}, 422, "token name"),
    ("GET", "/v1/changes", None, {"since": -1}, 422, "since"),
    ("GET", "/v1/changes", None, {"since": "abc"}, 422, "since"),
    ("GET", "/v1/changes", None, {"since": 10**30}, 422, "since"),
    ("GET", "/v1/changes", None, {"limit": 0}, 422, "limit"),
    ("GET", "/v1/changes", None, {"limit": 5000}, 422, "limit"),
    ("GET", "/v1/reports/sops", None, {"since": "last tuesday"}, 422, "since"),
    ("GET", "/v1/reports/compare", None, {"sop_id": "x", "a": 1}, 422, "b"),
    ("GET", "/v1/items/faq/x/history", None, {}, 422, "kind"),
    ("GET", "/v1/items/sop/never-published/history", None, {}, 404, "never-published"),
    ("GET", "/v1/nothing-here", None, {}, 404, "Not Found"),
    ("DELETE", "/healthz", None, {}, 405, "Method Not Allowed"),
]


@pytest.mark.parametrize(
    ("method", "path", "raw", "params", "status", "words"),
    MALFORMED,
    ids=[f"{m} {p} {r!r:.30} {q}" for m, p, r, q, *_ in MALFORMED],
)
def test_malformed_requests_get_a_clear_4xx(
    shared_hub: RunningHub,
    method: str,
    path: str,
    raw: bytes | None,
    params: dict[str, Any],
    status: int,
    words: str,
) -> None:
    response = shared_hub.http.request(
        method, path, content=raw, params=params, headers={**shared_hub.auth("admin"), **JSON}
    )
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"error", "message"}
    assert words in body["message"], body


def test_oversized_bodies_get_413(shared_hub: RunningHub) -> None:
    headers = {**shared_hub.auth("admin"), **JSON}
    big = b'{"events": [], "pad": "' + b"x" * (MIB + 10) + b'"}'
    response = shared_hub.http.post("/v1/events", content=big, headers=headers)
    assert response.status_code == 413 and "1 MiB" in response.json()["message"]

    huge = b'{"files": [], "pad": "' + b"x" * (8 * MIB + 10) + b'"}'
    response = shared_hub.http.post("/v1/publish", content=huge, headers=headers)
    assert response.status_code == 413 and "8 MiB" in response.json()["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it arrives
        yield b'{"events": [], "pad": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    response = shared_hub.http.post("/v1/events", content=chunks(), headers=headers)
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "too_large"


# -- hypothesis over the OpenAPI document ------------------------------------------------------


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


_ANY = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


def from_schema(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """Values that mostly fit ``schema`` (so requests get past the first check) and now
    and then do not (wrong types, extra fields)."""
    schema = _resolve(schema, components)
    if depth > 6:
        return st.none()
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return st.one_of([from_schema(o, components, depth + 1) for o in options])
    if "enum" in schema:
        fitting = st.sampled_from(schema["enum"])
    elif "const" in schema:
        fitting = st.just(schema["const"])
    else:
        kind = schema.get("type")
        if kind == "object":
            props = schema.get("properties", {})
            required = set(schema.get("required", []))
            fitting = st.fixed_dictionaries(
                {
                    k: from_schema(v, components, depth + 1)
                    for k, v in props.items()
                    if k in required
                },
                optional={
                    k: from_schema(v, components, depth + 1)
                    for k, v in props.items()
                    if k not in required
                },
            )
        elif kind == "array":
            item = from_schema(schema.get("items", {}), components, depth + 1)
            fitting = st.lists(item, max_size=4)
        elif kind == "integer":
            fitting = st.integers(min_value=-(2**70), max_value=2**70) | st.integers(0, 10)
        elif kind == "number":
            fitting = st.floats(allow_nan=False, allow_infinity=False) | st.integers()
        elif kind == "boolean":
            fitting = st.booleans()
        elif kind == "string":
            fmt = schema.get("format")
            if fmt == "uuid":
                fitting = st.uuids().map(str) | st.text(max_size=40)
            elif fmt == "date-time":
                fitting = st.datetimes().map(lambda d: d.isoformat() + "Z") | st.text(max_size=30)
            else:
                fitting = st.text(max_size=60)
        else:
            fitting = _ANY
    return st.one_of(fitting, fitting, fitting, _ANY)


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if path != "/v1/stream"
    ]


@pytest.fixture(scope="module")
def openapi(shared_hub: RunningHub) -> dict[str, Any]:
    response = shared_hub.http.get("/openapi.json")
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


def test_openapi_lists_every_endpoint(openapi: dict[str, Any]) -> None:
    paths = set(openapi["paths"])
    assert {"/v1/publish", "/v1/changes", "/v1/events", "/v1/stream", "/v1/tokens"} <= paths


@st.composite
def requests(draw: st.DrawFn, document: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    components = document.get("components", {}).get("schemas", {})
    method, path, op = draw(st.sampled_from(_operations(document)))
    params: dict[str, Any] = {}
    for param in op.get("parameters", []):
        value = draw(from_schema(param.get("schema", {}), components))
        if param["in"] == "path":
            text = str(value) if value not in (None, "") else "x"
            path = path.replace("{" + param["name"] + "}", urllib.parse.quote(text, safe=""))
        elif value is not None and not isinstance(value, (dict, list)):
            params[param["name"]] = value
    kwargs: dict[str, Any] = {"params": params}
    body = op.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        kwargs["json"] = draw(from_schema(body["schema"], components))
    role = draw(st.sampled_from(["agent", "lead", "admin"]))
    return method, path, {**kwargs, "role": role}


def test_no_request_from_the_openapi_document_gets_a_5xx(
    shared_hub: RunningHub, openapi: dict[str, Any]
) -> None:
    @settings(
        max_examples=300,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(requests(openapi))
    def check(request: tuple[str, str, dict[str, Any]]) -> None:
        method, path, kwargs = request
        role = kwargs.pop("role")
        response = shared_hub.http.request(method, path, headers=shared_hub.auth(role), **kwargs)
        assert response.status_code < 500, (method, path, kwargs, response.text)
        if response.status_code >= 400:
            body = response.json()
            assert body["message"], body

    check()
    assert json.dumps(openapi)  # the document itself is plain JSON
