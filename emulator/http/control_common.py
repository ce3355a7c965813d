"""What every control-plane endpoint shares: the app's parts, JSON bodies, errors in Plivo's shape."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from emulator.delivery.engine import CallbackEngine
from emulator.domain.backend import Backend
from emulator.domain.errors import DomainError
from emulator.http.errors import HTTPProblem, error_response, status_for
from emulator.http.params import BodyError, Params, read_json_body

PREFIX = "/__emulator__"


def backend_of(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


async def json_params(request: Request) -> Params:
    return Params(await read_json_body(request))


Endpoint = Callable[[Request], Awaitable[Response]]


def guarded(handler: Endpoint) -> Endpoint:
    """Answer domain and body errors in the same JSON shape as the Plivo API."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except DomainError as exc:
            return error_response(status_for(exc), exc.message, backend_of(request).api_id())
        except (HTTPProblem, BodyError) as exc:
            return error_response(exc.status, exc.message, backend_of(request).api_id())

    endpoint.__name__ = handler.__name__
    return endpoint


def engine_of(request: Request) -> CallbackEngine:
    engine: CallbackEngine = request.app.state.engine
    return engine
