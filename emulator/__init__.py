"""plivo-mpc-emulator: a local emulator of Plivo's Multi-Party Call recording API.

Three ways in, one backend: :func:`create_app` (an ASGI app to drive in-process,
e.g. with ``httpx.ASGITransport``), :class:`ThreadedServer` (a real HTTP server
on a free port, for clients such as the official SDKs), and the
``plivo-mpc-emulator serve`` command (what the Docker image runs). What
:func:`create_app` takes (:class:`Settings`, an :class:`EmulatedClock`, a
:class:`ScenarioSet` from :func:`load_scenarios`) and raises (:class:`ScenarioErrors`)
is exported here, with :class:`EmulatorControl`, the control plane's client.
"""

from emulator.version import __version__  # isort: skip
from emulator.app import create_app
from emulator.config import DEFAULT_ACCOUNT, ServerLimits, Settings
from emulator.delivery.clock import EmulatedClock
from emulator.delivery.scenarios import ScenarioError, ScenarioErrors, ScenarioSet, load_scenarios
from emulator.domain.backend import Credentials
from emulator.server import ThreadedServer
from emulator.testing import EmulatorControl, EmulatorError

__all__ = [
    "DEFAULT_ACCOUNT",
    "Credentials",
    "EmulatedClock",
    "EmulatorControl",
    "EmulatorError",
    "ScenarioError",
    "ScenarioErrors",
    "ScenarioSet",
    "ServerLimits",
    "Settings",
    "ThreadedServer",
    "__version__",
    "create_app",
    "load_scenarios",
]
