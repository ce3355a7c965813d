"""plivo-mpc-emulator: a local emulator of Plivo's Multi-Party Call recording API.

Three ways in, one backend: :func:`create_app` (an ASGI app to drive in-process,
e.g. with ``httpx.ASGITransport``), :class:`ThreadedServer` (a real HTTP server
on a free port, for clients such as the official SDKs), and the
``plivo-mpc-emulator serve`` command (what the Docker image runs). What
:func:`create_app` takes (:class:`Settings`, an :class:`EmulatedClock`, a
:class:`ScenarioSet` from :func:`load_scenarios`) and raises (:class:`ScenarioErrors`)
is exported here, with :class:`EmulatorControl`, the control plane's client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from emulator.version import __version__

if TYPE_CHECKING:
    from emulator.app import create_app
    from emulator.config import DEFAULT_ACCOUNT, ServerLimits, Settings
    from emulator.delivery.clock import EmulatedClock
    from emulator.delivery.scenarios import ScenarioError, ScenarioErrors, ScenarioSet, load_scenarios
    from emulator.domain.credentials import Credentials
    from emulator.server import ThreadedServer
    from emulator.testing import EmulatorControl, EmulatorError

# Loaded on first use (PEP 562), so that ``import emulator.testing`` or ``emulator.sdk`` does not
# load the server and its dependencies.
_EXPORTS = {
    "DEFAULT_ACCOUNT": "emulator.config",
    "Credentials": "emulator.domain.credentials",
    "EmulatedClock": "emulator.delivery.clock",
    "EmulatorControl": "emulator.testing",
    "EmulatorError": "emulator.testing",
    "ScenarioError": "emulator.delivery.scenarios",
    "ScenarioErrors": "emulator.delivery.scenarios",
    "ScenarioSet": "emulator.delivery.scenarios",
    "ServerLimits": "emulator.config",
    "Settings": "emulator.config",
    "ThreadedServer": "emulator.server",
    "create_app": "emulator.app",
    "load_scenarios": "emulator.delivery.scenarios",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'emulator' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
