from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import settings

from emulator import ThreadedServer
from tests.callback_helpers import Harness, harness_for
from tests.helpers import FakeClock, PlivoHTTP, in_process, real_server
from tests.receiver import Receiver

# HYPOTHESIS_PROFILE=fuzz runs the fuzz tests for much longer than the default suite does.
settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("fuzz", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api(clock: FakeClock) -> Iterator[PlivoHTTP]:
    """The emulator in-process, on a clock the test drives."""
    with in_process(clock) as api:
        yield api


@pytest.fixture
def start_server() -> Iterator[Callable[..., ThreadedServer]]:
    """``start_server(**settings)``: a real server on a free loopback port, on the suite's settings
    with ``settings`` on top; stopped when the test ends (or before, by its ``stop()``)."""
    started: list[ThreadedServer] = []

    def start(**overrides: Any) -> ThreadedServer:
        started.append(server := real_server(**overrides))
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session", params=["uvicorn", "hypercorn"])
def live_server(request: pytest.FixtureRequest) -> Iterator[ThreadedServer]:
    server = real_server(server=request.param)
    yield server
    server.stop()


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
