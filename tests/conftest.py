from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings
from starlette.applications import Starlette
from starlette.testclient import TestClient

from emulator import Settings, ThreadedServer, create_app
from tests.callback_helpers import Harness, harness_for
from tests.helpers import ACCOUNTS, SEED, FakeClock, PlivoHTTP
from tests.receiver import Receiver

# HYPOTHESIS_PROFILE=fuzz runs the fuzz tests for much longer than the default suite does.
settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("fuzz", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(clock: FakeClock) -> Starlette:
    """The emulator in-process, on a clock the test drives."""
    return create_app(Settings(seed=SEED, accounts=ACCOUNTS), clock=clock)


@pytest.fixture
def api(app: Starlette) -> Iterator[PlivoHTTP]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield PlivoHTTP(client)


@pytest.fixture(scope="session", params=["uvicorn", "hypercorn"])
def live_server(request: pytest.FixtureRequest) -> Iterator[ThreadedServer]:
    settings = Settings(port=0, seed=SEED, accounts=ACCOUNTS, log_level="warning", server=request.param)
    with ThreadedServer(settings) as server:
        yield server


@pytest.fixture
def server(live_server: ThreadedServer) -> ThreadedServer:
    """A real HTTP server (uvicorn, then hypercorn), reset before each test."""
    live_server.reset()
    return live_server


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a free loopback port."""
    with Receiver() as rx:
        yield rx


@pytest.fixture
def harness(receiver: Receiver) -> Iterator[Harness]:
    """The emulator in-process on a manual test clock, with a receiver for its callbacks."""
    with harness_for(receiver) as h:
        yield h
