"""Every error the emulator answers is Plivo-shaped JSON: ``{"api_id": ..., "error": ...}``.

Never an empty body (the Go SDK reads an empty non-2xx as success), never HTML,
never a traceback.
"""

from __future__ import annotations

import json
import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.backend import Backend
from emulator.domain.errors import Conflict, DomainError, InvalidParameter, InvalidState, NotFound

log = logging.getLogger(__name__)

_STATUS_BY_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Conflict, 409),
    (InvalidParameter, 400),
    (InvalidState, 400),
)


class PlivoJSONResponse(Response):
    """JSON with keys in alphabetical order, as Plivo's API answers."""

    media_type = "application/json"

    def render(self, content: object) -> bytes:
        return json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")


class HTTPProblem(Exception):
    """An error decided by the HTTP layer itself (auth, method, body), with its status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def status_for(error: DomainError) -> int:
    for kind, status in _STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 400


def error_response(status: int, message: str, api_id: str, headers: dict[str, str] | None = None) -> Response:
    return PlivoJSONResponse({"api_id": api_id, "error": message}, status_code=status, headers=headers)


def _api_id(request: Request) -> str:
    backend: Backend = request.app.state.backend
    return backend.api_id()


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (unknown path, wrong method on a control route), in Plivo's shape."""
    assert isinstance(exc, HTTPException)
    message = "not found" if exc.status_code == 404 else str(exc.detail)
    return error_response(exc.status_code, message, _api_id(request), dict(exc.headers or {}))


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    """A bug in the emulator: logged with its traceback, answered without one."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal error in the emulator (see its log)", _api_id(request))
