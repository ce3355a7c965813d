"""A CONNECT that reaches the app was not tunnelled by the server: only the default server (uvicorn,
with :mod:`emulator.tunnel`) opens proxy tunnels, and only as a connection's first request. Say so,
rather than answer a 404 that reads as if the proxy had been refused for the target."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.http.errors import error_response
from emulator.http.state import state_of

MESSAGE = (
    "no proxy tunnel here: the HTTPS proxy mode is served by the default server (uvicorn, not "
    "--server hypercorn), for a CONNECT sent as a connection's first request"
)


class ConnectMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "CONNECT":
            api_id = state_of(Request(scope)).backend.api_id(None)
            await error_response(501, MESSAGE, api_id)(scope, receive, send)
            return
        await self.app(scope, receive, send)
