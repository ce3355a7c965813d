"""The pytest plugin (loaded automatically once plivo-mpc-emulator is installed).

Fixtures:

- ``plivo_emulator`` (session): an :class:`~emulator.testing.EmulatorControl` for an emulator started on a
  free loopback port for the session, or for a running one (``--plivo-emulator-url``, e.g. a container);
- ``plivo_account`` (per test): a fresh account of its own, so tests never see each other's MPCs,
  recordings or callbacks, even when pytest-xdist workers share one emulator;
- ``plivo_client`` (per test): the official SDK's ``plivo.RestClient`` on that account, pointed at the
  emulator. ``@pytest.mark.plivo_scenario("name")`` makes every recording of the test's account follow
  that scenario, whichever client starts it.

A running emulator started with a control token is reached with ``--plivo-emulator-token`` or
``PLIVO_EMULATOR_CONTROL_TOKEN``.

Settings (command line, or ``[tool.pytest.ini_options]``): ``plivo_emulator_url``,
``plivo_emulator_clock`` (``manual`` by default: time moves when the test says so),
``plivo_emulator_speed``, ``plivo_emulator_scenarios``, ``plivo_emulator_seed``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.config import Settings
from emulator.domain.credentials import Credentials
from emulator.testing import EmulatorControl


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("plivo-mpc-emulator")
    group.addoption(
        "--plivo-emulator-url",
        metavar="URL",
        help="use this running emulator (a container, say) instead of starting one",
    )
    group.addoption(
        "--plivo-emulator-ca",
        metavar="FILE",
        help="the CA of a running emulator in TLS mode (its /__emulator__/ca.pem)",
    )
    group.addoption(
        "--plivo-emulator-token",
        metavar="TOKEN",
        help="the control token of a running emulator (default: PLIVO_EMULATOR_CONTROL_TOKEN)",
    )
    parser.addini("plivo_emulator_url", "a running emulator to use instead of starting one", default="")
    parser.addini(
        "plivo_emulator_clock", "clock of the emulator the plugin starts: manual or real", default="manual"
    )
    parser.addini("plivo_emulator_speed", "speed of a real clock", default="1")
    parser.addini(
        "plivo_emulator_scenarios", "scenario files or directories to load", type="paths", default=[]
    )
    parser.addini("plivo_emulator_seed", "seed of the emulator the plugin starts", default="1")
    parser.addini(
        "plivo_emulator_skip_without_sdk",
        "skip (instead of fail) tests using plivo_client when the official SDK is not installed",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "plivo_scenario(name): the recordings of the test's plivo_account follow this scenario"
    )


def _external_url(config: pytest.Config) -> str | None:
    return (
        config.getoption("--plivo-emulator-url")
        or os.environ.get("PLIVO_EMULATOR_URL")
        or str(config.getini("plivo_emulator_url"))
        or None
    )


@pytest.fixture(scope="session")
def plivo_emulator(pytestconfig: pytest.Config) -> Iterator[EmulatorControl]:
    """The emulator for this session (started here unless a URL names a running one)."""
    url = _external_url(pytestconfig)
    if url is not None:
        ca_file = pytestconfig.getoption("--plivo-emulator-ca") or os.environ.get("PLIVO_EMULATOR_CA") or None
        token = pytestconfig.getoption("--plivo-emulator-token") or None
        control = EmulatorControl(url, ca_file=ca_file, token=token)
        control.health()
        yield control
        return
    from emulator.server import ThreadedServer

    clock = str(pytestconfig.getini("plivo_emulator_clock"))
    if clock not in ("manual", "real"):
        raise pytest.UsageError(f"plivo_emulator_clock = {clock!r}: use manual or real")
    settings = Settings(
        port=0,
        log_level="warning",
        seed=int(pytestconfig.getini("plivo_emulator_seed")),
        clock="manual" if clock == "manual" else "real",
        speed=float(pytestconfig.getini("plivo_emulator_speed")),
        scenario_paths=tuple(Path(p) for p in pytestconfig.getini("plivo_emulator_scenarios")),
    )
    with ThreadedServer(settings) as server:
        yield server.control()


def account_for(test_id: str) -> Credentials:
    """A valid auth_id (MA + 18 characters) and token derived from the test's id: stable run to run, so
    the emulator's per-account seeding gives each test the same ids every time."""
    digest = hashlib.sha256(test_id.encode()).digest()
    tag = base64.b32encode(digest).decode()[:18]
    return Credentials(f"MA{tag}", base64.b32encode(digest[16:]).decode().rstrip("=").lower())


@pytest.fixture
def plivo_account(plivo_emulator: EmulatorControl, request: pytest.FixtureRequest) -> Iterator[Credentials]:
    """An account of this test's own, empty at the start and removed at the end; within the test,
    ``plivo_emulator.advance()`` moves this account's time only, and the faults it arms concern this
    account only and are removed when it ends (``everyone=True`` asks for all accounts)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    creds = account_for(f"{worker}:{request.node.nodeid}")
    plivo_emulator.add_account(creds.auth_id, creds.auth_token)
    plivo_emulator.reset(creds.auth_id)
    marker = request.node.get_closest_marker("plivo_scenario")
    if marker is not None:
        plivo_emulator.use_scenario(creds.auth_id, marker.args[0])
    # plivo_emulator.advance() and .inject_fault() act for this account; faults go with the test.
    with plivo_emulator.acting_for(creds.auth_id):
        yield creds
    # Gone with the test: a shared emulator does not pile up one account per test ever run.
    plivo_emulator.remove_account(creds.auth_id)


@pytest.fixture
def plivo_client(
    plivo_emulator: EmulatorControl, plivo_account: Credentials, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """plivo.RestClient on this test's account, talking to the emulator (the SDK is restored after)."""
    try:
        import plivo
    except ImportError:
        message = (
            "plivo_client needs the official Python SDK: pip install 'plivo-mpc-emulator[pytest]' "
            "(or pip install plivo)"
        )
        if request.config.getini("plivo_emulator_skip_without_sdk"):
            pytest.skip(message)
        pytest.fail(message, pytrace=False)
    from emulator.sdk import plivo_sdk_pointed_at

    with plivo_sdk_pointed_at(plivo_emulator.url):
        yield plivo.RestClient(plivo_account.auth_id, plivo_account.auth_token)
