"""Every error the hub sends has one shape: ``{"error": code, "message": text}`` and a 4xx.

Faults of the request (bad JSON, wrong types, unknown fields, a bad pack) are 4xx with a
message naming the field; a database that cannot be reached is a 503 (a fault of the world);
anything else is a bug and reaches uvicorn's error log as a 500.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from agent_assist.hub.auth import TokenError
from agent_assist.hub.db import HubStoreError
from agent_assist.hub.knowledge import PublishRejectedError, UnknownItemError
from agent_assist.hub.models import MAX_EVENTS

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "timeout",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    431: "headers_too_large",
    503: "unavailable",
}


def error(status: int, message: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    body = {"error": CODES.get(status, "error"), "message": message, **extra}
    return JSONResponse(body, status_code=status, headers=headers)


def _where(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or str(loc[0] if loc else "body")


def _describe(err: dict[str, Any]) -> str:
    if err.get("type") == "json_invalid":
        detail = (err.get("ctx") or {}).get("error", "")
        return f"body: not valid JSON ({detail} at character {err['loc'][-1]})"
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{_where(tuple(err.get('loc', ())))}: {msg}"


def _methods(request: Request) -> set[str]:
    from agent_assist.hub.gate import api_routes

    path = request.scope["path"]
    methods: set[str] = set()
    for info in api_routes(request.app):
        if info.regex.match(path):
            methods |= info.methods
    return methods


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        for e in errors:  # a batch of too many events is too large, not invalid
            if e.get("type") == "too_long" and tuple(e.get("loc", ())) == ("body", "events"):
                count = (e.get("ctx") or {}).get("actual_length", "too many")
                return error(413, f"events: {count} events in one batch (at most {MAX_EVENTS})")
        messages = [_describe(e) for e in errors[:10]]
        more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
        fields = [
            {"field": _where(tuple(e.get("loc", ()))), "message": m}
            for e, m in zip(errors[:50], [_describe(e) for e in errors[:50]], strict=True)
        ]
        return error(422, "; ".join(messages) + more, fields=fields)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        response = error(exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():  # Retry-After, ...
            response.headers[name] = value
        if exc.status_code == 405:  # every method of the path, not only one route's
            response.headers["Allow"] = ", ".join(sorted(_methods(request)))
        if exc.status_code in (408, 413):  # the rest of the body is not read
            response.headers["Connection"] = "close"
        return response

    @app.exception_handler(PublishRejectedError)
    async def _rejected(request: Request, exc: PublishRejectedError) -> JSONResponse:
        first = exc.problems[0] if exc.problems else None
        message = f"the pack has {exc.total} error(s); nothing was published"
        if first is not None:
            message += f" (first: {first})"
        return error(422, message, problems=[p.to_json() for p in exc.problems])

    @app.exception_handler(UnknownItemError)
    async def _unknown(request: Request, exc: UnknownItemError) -> JSONResponse:
        return error(404, str(exc))

    @app.exception_handler(TokenError)
    async def _token(request: Request, exc: TokenError) -> JSONResponse:
        status = 409 if "exists" in str(exc) else 404 if "no active" in str(exc) else 422
        return error(status, str(exc))

    @app.exception_handler(HubStoreError)
    async def _store(request: Request, exc: HubStoreError) -> JSONResponse:
        return error(503, f"the hub database is unavailable: {exc}")
