"""Every error the emulator answers is Plivo-shaped JSON: ``{"api_id": ..., "error": ...}``.

Never an empty body (the Go SDK reads an empty non-2xx as success), never HTML,
never a traceback. There is one path from an exception to its answer: the
handlers below, registered once on the app, serve the Plivo API, the audio
files and the control plane alike. The status of a domain error is chosen by
this module's table alone; the domain only says what went wrong.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import (
    Conflict,
    DomainError,
    InvalidParameter,
    InvalidState,
    MPCNotInitialized,
    NotFound,
)
from emulator.http.state import account_of, state_of

log = logging.getLogger(__name__)

# Most specific first: the first family an error belongs to decides its status.
_STATUS_BY_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    # Plivo documents a 404 for starting an MPC that is not Initialized, though it is a state problem.
    (MPCNotInitialized, 404),
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
    """An error decided by the HTTP layer itself (auth, method, body, range), with its status."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers) if headers else None


def status_for(error: DomainError) -> int:
    for kind, status in _STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 400


def error_response(
    status: int, message: str, api_id: str, headers: Mapping[str, str] | None = None
) -> Response:
    return PlivoJSONResponse({"api_id": api_id, "error": message}, status_code=status, headers=headers)


def _api_id(request: Request) -> str:
    """From the authenticated account's sequence when there is one, else the anonymous sequence."""
    return state_of(request).backend.api_id(account_of(request))


async def problem_handler(request: Request, exc: Exception) -> Response:
    """A domain error or an HTTP problem, from any route."""
    if isinstance(exc, DomainError):
        return error_response(status_for(exc), exc.message, _api_id(request))
    assert isinstance(exc, HTTPProblem)
    return error_response(exc.status, exc.message, _api_id(request), exc.headers)


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (unknown path, wrong method on a control route), in Plivo's shape."""
    assert isinstance(exc, HTTPException)
    message = "not found" if exc.status_code == 404 else str(exc.detail)
    return error_response(exc.status_code, message, _api_id(request), dict(exc.headers or {}))


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    """A bug in the emulator: logged with its traceback, answered without one."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal error in the emulator (see its log)", _api_id(request))


EXCEPTION_HANDLERS = {
    DomainError: problem_handler,
    HTTPProblem: problem_handler,
    HTTPException: http_exception_handler,
    Exception: unexpected_error_handler,
}
