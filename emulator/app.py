"""Assembling the ASGI application from its layers."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware

from emulator.config import Settings
from emulator.delivery.clock import EmulatedClock
from emulator.delivery.destinations import HostPolicy
from emulator.delivery.engine import CallbackEngine
from emulator.delivery.journal import Journal
from emulator.delivery.scenarios import ScenarioSet, check_seed_accounts, load_scenarios
from emulator.delivery.sender import Sender
from emulator.domain.backend import Backend
from emulator.http.control import control_routes
from emulator.http.control_auth import ControlTokenMiddleware
from emulator.http.errors import http_exception_handler, unexpected_error_handler
from emulator.http.faults import FaultBook
from emulator.http.paths import PlivoPathMiddleware
from emulator.http.routes import plivo_routes
from emulator.tls import DEFAULT_TLS_HOSTS, default_tls_dir, prepare_tls


def create_app(
    settings: Settings | None = None,
    *,
    clock: EmulatedClock | None = None,
    scenarios: ScenarioSet | None = None,
) -> Starlette:
    """The emulator as an ASGI app: ``app.state.backend`` is its state, ``app.state.engine`` its callbacks.

    Raises :class:`ScenarioErrors` when a scenario file is invalid.
    """
    settings = settings or Settings()
    clock = clock or EmulatedClock(settings.clock, speed=settings.speed, start=settings.clock_start)
    seed = settings.seed if settings.seed is not None else secrets.randbelow(2**31)
    backend = Backend(credentials=settings.effective_accounts, seed=seed, clock=clock.now)
    scenarios = scenarios or load_scenarios(settings.scenario_paths)
    check_seed_accounts(scenarios, backend)
    engine = CallbackEngine(
        backend,
        clock,
        scenarios,
        journal=Journal(settings.journal_size),
        sender=Sender(HostPolicy(settings.callback_hosts), ca_file=settings.callback_ca),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await engine.start()
        try:
            yield
        finally:
            await engine.stop(settings.shutdown_grace)

    app = Starlette(
        routes=[*plivo_routes(), *control_routes()],
        middleware=[
            Middleware(ControlTokenMiddleware, token=settings.control_token),
            Middleware(PlivoPathMiddleware),
        ],
        exception_handlers={HTTPException: http_exception_handler, Exception: unexpected_error_handler},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.backend = backend
    app.state.engine = engine
    app.state.faults = faults = FaultBook()
    backend.on_reset(lambda account: faults.clear(account.auth_id))
    app.state.tls = None
    if settings.tls:
        hosts = (*DEFAULT_TLS_HOSTS, *settings.tls_hosts)
        app.state.tls = prepare_tls(settings.tls_dir or default_tls_dir(), hosts)
    return app
