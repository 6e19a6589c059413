"""The hub's OpenAPI document: the bearer scheme, and every 4xx an operation can answer.

FastAPI documents the success response and a 422 of its own shape; the hub's errors have one
shape (``errors.py``) and come from several places: the gate (401, 403, 408, 413, 429, 503
before the route runs, ``gate.py``), reading the body (400 for bytes that are no text),
request validation (422) and the routes themselves (404, 409, and the few listed in
:data:`ROUTE_ERRORS`).  This module adds them all, so a
client generated from the document, and the schemathesis run in the tests, know every
status the hub may send.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from agent_assist.hub.auth import Role
from agent_assist.hub.gate import WRITES, api_routes, route_role

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "a short code: unauthorized, invalid, …"},
        "message": {"type": "string", "description": "what was wrong, naming the field"},
        "fields": {
            "type": "array",
            "description": "422 from request validation: one entry per invalid field",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "problems": {
            "type": "array",
            "description": "422 from a rejected publish: the pack's problems",
            "items": {"type": "object"},
        },
    },
}
DESCRIPTIONS = {
    400: "The body is not text in a Unicode encoding JSON allows",
    401: "No token, or an unknown, revoked or expired one",
    403: "The token's role may not do this",
    404: "No such item or token",
    408: "The request body stalled",
    409: "A token of that name exists already",
    413: "The request body (or the batch) is too large",
    422: "The request is invalid; the message names the field",
    429: "Too many failed token checks or writes; retry after `Retry-After` seconds",
    503: "The hub database is unavailable; retry later",
}
ROUTE_ERRORS: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/v1/items/{kind}/{item_id}/history"): (404,),
    ("POST", "/v1/retire"): (404,),
    ("POST", "/v1/events"): (403, 413),
    ("POST", "/v1/tokens"): (409,),
    ("DELETE", "/v1/tokens/{name}"): (404,),
    ("GET", "/v1/items/{kind}/{item_id}/versions/{version}"): (404,),
    ("GET", "/v1/items/{kind}/{item_id}/diff"): (404,),
    ("GET", "/v1/editor/items/{kind}/{item_id}"): (404,),
    ("POST", "/v1/editor/validate"): (404,),
    ("POST", "/v1/editor/publish"): (404, 409),
    ("POST", "/v1/reviews/verify"): (404, 409),
    ("PUT", "/v1/owners"): (404,),
    ("POST", "/v1/drafts/{draft_id}/approve"): (403, 404, 409),
    ("POST", "/v1/drafts/{draft_id}/reject"): (403, 404, 409),
    ("GET", "/v1/reports/compare"): (404,),
}
"""Statuses a route answers by itself, beyond those that follow from its role and inputs."""
PUBLIC_ERRORS: dict[str, tuple[int, ...]] = {"/healthz": (503,), "/metrics": (503,)}
TEXT_RESPONSES = {"/metrics": "text/plain", "/v1/stream": "text/event-stream"}


def _statuses(route: APIRoute, path: str, method: str, role: Role | None) -> set[int]:
    statuses = set(ROUTE_ERRORS.get((method, path), ()))
    statuses |= set(PUBLIC_ERRORS.get(path, ()))
    dependant = route.dependant
    if route.body_field is not None:
        statuses |= {400, 408, 413, 422}
    if dependant.query_params or dependant.path_params:
        statuses.add(422)
    if role is not None:
        statuses |= {401, 429, 503}
        if role > Role.AGENT:
            statuses.add(403)
    if method in WRITES and role is not None:
        statuses.add(429)
    return statuses


def _response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if status == 401:
        header = {"description": "Bearer", "schema": {"type": "string"}}
        response["headers"] = {"WWW-Authenticate": header}
    elif status == 429:
        header = {"description": "seconds to wait", "schema": {"type": "string"}}
        response["headers"] = {"Retry-After": header}
    return response


def document(app: FastAPI, build: Any) -> dict[str, Any]:
    """``build()`` (FastAPI's own document) with the hub's security and errors added."""
    schema: dict[str, Any] = build()
    components = schema.setdefault("components", {})
    components["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `agent-assist-hub token create`",
        }
    }
    schemas = components.setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for info in api_routes(app):
        item = schema["paths"].get(info.path)
        if item is None:
            continue
        for method in info.methods:
            operation = item.get(method.lower())
            if operation is None:
                continue
            role = route_role(info.route.dependant)
            if role is not None:
                operation["security"] = [{"bearer": []}]
            responses = operation.setdefault("responses", {})
            for status in sorted(_statuses(info.route, info.path, method, role)):
                responses[str(status)] = _response(status)
            media = TEXT_RESPONSES.get(info.path)
            ok = responses.get("200")
            if media is not None and ok is not None:
                ok["content"] = {media: {"schema": {"type": "string"}}}
    return schema


def install(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app, build)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
