"""Assembling the ASGI application from its layers."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware

from emulator.config import Settings
from emulator.delivery.clock import AccountClocks, EmulatedClock
from emulator.delivery.destinations import HostPolicy
from emulator.delivery.engine import CallbackEngine
from emulator.delivery.journal import Journal
from emulator.delivery.scenarios import ScenarioSet, check_seed_accounts, load_scenarios
from emulator.delivery.sender import Sender
from emulator.delivery.status import StatusScope
from emulator.domain.backend import Backend
from emulator.http.connect import ConnectMiddleware
from emulator.http.control import control_routes
from emulator.http.control_auth import ControlTokenMiddleware
from emulator.http.errors import EXCEPTION_HANDLERS
from emulator.http.faults import FaultBook
from emulator.http.links import RecordingOrigins
from emulator.http.paths import PlivoPathMiddleware
from emulator.http.routes import plivo_routes
from emulator.http.state import AppState, install
from emulator.tls import Certificates


def create_app(
    settings: Settings | None = None,
    *,
    clock: EmulatedClock | None = None,
    scenarios: ScenarioSet | None = None,
) -> Starlette:
    """The emulator as an ASGI app; :func:`emulator.http.state.state_of` gives its parts.

    Raises :class:`ScenarioErrors` when a scenario file is invalid.
    """
    settings = settings or Settings()
    clock = clock or EmulatedClock(settings.clock, speed=settings.speed, start=settings.clock_start)
    seed = settings.seed if settings.seed is not None else secrets.randbelow(2**31)
    clocks = AccountClocks(clock)
    backend = Backend(credentials=settings.effective_accounts, seed=seed, clock_for=clocks.for_account)
    scenarios = scenarios or load_scenarios(settings.scenario_paths)
    check_seed_accounts(scenarios, backend)
    origins = RecordingOrigins(settings.public_url or f"http://{settings.host}:{settings.port}")
    engine = CallbackEngine(
        backend,
        clocks,
        scenarios,
        journal=Journal(settings.journal_size),
        sender=Sender(
            HostPolicy(settings.callback_hosts, loopback_only=settings.loopback_callbacks),
            ca_file=settings.callback_ca,
        ),
        links=origins.links,
        status_scope=StatusScope(settings.status_callback_scope),
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
            Middleware(ConnectMiddleware),
        ],
        exception_handlers=dict(EXCEPTION_HANDLERS),
        lifespan=lifespan,
    )
    faults = FaultBook()
    backend.on_reset(lambda account: faults.clear(account.auth_id))
    certificates = Certificates(settings.tls_dir, settings.tls_hosts)
    tls = certificates.files() if settings.tls else None
    install(app, AppState(settings, backend, engine, faults, origins, tls, certificates))
    return app
