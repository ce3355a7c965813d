"""Assembling the ASGI application from its layers."""

from __future__ import annotations

import secrets

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware

from emulator.config import Settings
from emulator.delivery.clock import Clock, SystemClock
from emulator.domain.backend import Backend
from emulator.http.control import control_routes
from emulator.http.errors import http_exception_handler, unexpected_error_handler
from emulator.http.paths import PlivoPathMiddleware
from emulator.http.routes import plivo_routes


def create_app(
    settings: Settings | None = None,
    *,
    backend: Backend | None = None,
    clock: Clock | None = None,
) -> Starlette:
    """The emulator as an ASGI app; ``app.state.backend`` is its whole state."""
    settings = settings or Settings()
    if backend is None:
        seed = settings.seed if settings.seed is not None else secrets.randbelow(2**31)
        backend = Backend(
            credentials=settings.effective_accounts,
            seed=seed,
            clock=(clock or SystemClock()).now,
        )
    app = Starlette(
        routes=[*plivo_routes(), *control_routes()],
        middleware=[Middleware(PlivoPathMiddleware)],
        exception_handlers={HTTPException: http_exception_handler, Exception: unexpected_error_handler},
    )
    app.state.settings = settings
    app.state.backend = backend
    return app
