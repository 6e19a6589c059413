"""The OpenAPI document lists every error an operation can answer; /docs is off unless asked
for (Swagger UI would load from a CDN, blank on an isolated network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from agent_assist.hub.app import create_app


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(None, tmp_path)


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, item in schema["paths"].items() for m, op in item.items()]


def test_every_guarded_operation_lists_its_errors(app: FastAPI) -> None:
    schema = app.openapi()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    guarded = 0
    for method, path, op in _operations(schema):
        codes = set(op["responses"])
        for code, response in op["responses"].items():
            if code.startswith("4"):
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, (method, path, code)
        if "security" not in op:
            continue
        guarded += 1
        assert {"401", "429", "503"} <= codes, (method, path, codes)
        if "requestBody" in op:
            assert {"408", "413", "422"} <= codes, (method, path, codes)
        if op.get("parameters"):
            assert "422" in codes, (method, path)
        assert op["responses"]["401"]["headers"]["WWW-Authenticate"]
        assert op["responses"]["429"]["headers"]["Retry-After"]
    assert guarded >= 18
    ops = {(m, p): op for m, p, op in _operations(schema)}
    assert "403" in ops[("POST", "/v1/publish")]["responses"]  # a lead's route
    assert "404" in ops[("DELETE", "/v1/tokens/{name}")]["responses"]
    assert "409" in ops[("POST", "/v1/tokens")]["responses"]
    assert {"403", "413"} <= set(ops[("POST", "/v1/events")]["responses"])
    assert "security" not in ops[("GET", "/healthz")]


def test_docs_are_off_unless_asked_for(app: FastAPI, tmp_path: Path) -> None:
    paths = {getattr(r, "path", "") for r in app.routes}
    assert "/docs" not in paths and "/redoc" not in paths and "/openapi.json" in paths
    with_docs = create_app(None, tmp_path / "docs", docs=True)
    assert "/docs" in {getattr(r, "path", "") for r in with_docs.routes}
