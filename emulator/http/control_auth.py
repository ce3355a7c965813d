"""The optional control-plane token: who may reset, seed, advance time and read the journal.

With ``--control-token`` set, every ``/__emulator__/`` route answers 401 unless the request
carries ``Authorization: Bearer TOKEN``. Left open: ``health`` (a container's health check), the
CA certificate (public by nature) and the dashboard's page itself (it holds no data, and asks the
person for the token before it fetches any). The Plivo API keeps its own Basic auth, untouched.
"""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.http.control_common import PREFIX
from emulator.http.errors import error_response
from emulator.http.state import state_of

OPEN_PATHS = frozenset(
    (PREFIX, *(f"{PREFIX}/{p}" for p in ("health", "ca.pem", "openapi.json", "", "dashboard")))
)
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="plivo-mpc-emulator control plane"'}


def token_matches(header: str | None, token: str) -> bool:
    """Constant-time, so the answer's timing says nothing about how much of a guess was right."""
    scheme, _, given = (header or "").strip().partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


class ControlTokenMiddleware:
    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.token is None
            or scope["type"] != "http"
            or not scope["path"].startswith(PREFIX)
            or scope["path"] in OPEN_PATHS
            or token_matches(Headers(scope=scope).get("authorization"), self.token)
        ):
            await self.app(scope, receive, send)
            return
        backend = state_of(scope["app"]).backend
        response = error_response(
            401,
            "the control plane needs its token: send Authorization: Bearer <token> "
            "(the emulator was started with --control-token)",
            backend.api_id(),
            CHALLENGE,
        )
        await response(scope, receive, send)
