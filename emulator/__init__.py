"""plivo-mpc-emulator: a local emulator of Plivo's Multi-Party Call recording API.

Three ways in, one backend: :func:`create_app` (an ASGI app to drive in-process,
e.g. with ``httpx.ASGITransport``), :class:`ThreadedServer` (a real HTTP server
on a free port, for clients such as the official SDKs), and the
``plivo-mpc-emulator serve`` command (what the Docker image runs).
"""

from emulator.version import __version__  # isort: skip
from emulator.app import create_app
from emulator.config import DEFAULT_ACCOUNT, Settings
from emulator.server import ThreadedServer

__all__ = ["DEFAULT_ACCOUNT", "Settings", "ThreadedServer", "__version__", "create_app"]
