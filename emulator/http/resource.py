"""One Plivo resource path: authenticate, pick the handler for the method, answer.

The order follows Plivo's API: credentials are checked before the method, so a
wrong method with bad credentials is a 401, and with good ones a 405.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from emulator.delivery.engine import CallbackEngine
from emulator.domain.account import Account, MemberSelector, MPCRef
from emulator.domain.backend import Backend
from emulator.domain.errors import DomainError, InvalidParameter, NotFound
from emulator.http.auth import authenticate
from emulator.http.errors import HTTPProblem, error_response, status_for
from emulator.http.faults import injected_fault
from emulator.http.params import BodyError, Params, read_body
from emulator.http.paths import decode_segment

# Names the scenario for the recordings a request starts (start-record, add-participant with record=true).
SCENARIO_HEADER = "X-Emulator-Scenario"


@dataclass
class PlivoCall:
    """One authenticated request to the Plivo API, as a handler sees it."""

    request: Request
    backend: Backend
    account: Account
    params: Params
    path: dict[str, str] = field(default_factory=dict)

    def api_id(self) -> str:
        return self.backend.api_id(self.account)

    @property
    def mpc_segment(self) -> str:
        """The MPC identifier exactly as the request spelled it (``name_x`` or ``uuid_y``)."""
        return self.path["mpc_id"]

    def mpc_ref(self) -> MPCRef:
        ref = MPCRef.parse(self.mpc_segment)
        if ref is None:
            raise NotFound(
                f"MPC identifier '{self.mpc_segment}' not understood: "
                "use name_<friendly_name> or uuid_<mpc_uuid>"
            )
        return ref

    def member_id(self) -> str:
        member = self.path["member_id"]
        if member.lower() == "all" or "," in member:
            raise NotFound(f"member '{member}' not found: this endpoint takes a single member id")
        return member

    def members(self) -> MemberSelector:
        return MemberSelector.parse(self.path["member_id"])

    def scenario(self) -> str | None:
        """The scenario a request names with ``X-Emulator-Scenario`` (checked to exist)."""
        name = self.request.headers.get(SCENARIO_HEADER)
        if name is None or not name.strip():
            return None
        engine: CallbackEngine = self.request.app.state.engine
        if engine.scenarios.get(name.strip()) is None:
            known = ", ".join(s.name for s in engine.scenarios)
            raise InvalidParameter(
                SCENARIO_HEADER, f"unknown scenario '{name}' in {SCENARIO_HEADER}; loaded: {known}"
            )
        return name.strip()

    def url_origin(self) -> str:
        """Where recording URLs point: the configured public URL, else the address the client used."""
        configured: str | None = self.request.app.state.settings.public_url
        if configured:
            return configured.rstrip("/")
        return str(self.request.base_url).rstrip("/")


Handler = Callable[[PlivoCall], Response | Awaitable[Response]]


class PlivoResource:
    """An ASGI endpoint serving the given method handlers for one route."""

    def __init__(self, **handlers: Handler) -> None:
        self.handlers = {method.upper(): handler for method, handler in handlers.items()}
        if "GET" in self.handlers:
            self.handlers.setdefault("HEAD", self.handlers["GET"])
        self.allow = ", ".join(m for m in ("GET", "POST", "DELETE") if m in self.handlers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._respond(request)
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        backend: Backend = request.app.state.backend
        path = {key: decode_segment(value) for key, value in request.path_params.items()}
        account: Account | None = None
        fault = await injected_fault(request, path.get("auth_id", ""), backend.api_id)
        if fault is not None:
            return fault
        try:
            account = authenticate(request, backend, path.get("auth_id", ""))
            handler = self.handlers.get(request.method)
            if handler is None:
                raise HTTPProblem(
                    405,
                    f'method "{request.method}" not allowed on this resource; allowed: {self.allow}',
                    {"Allow": self.allow},
                )
            data: dict[str, Any]
            if request.method in ("GET", "HEAD"):
                data = dict(request.query_params)
            else:
                data = await read_body(request)
            call = PlivoCall(request, backend, account, Params(data), path)
            result = handler(call)
            return await result if inspect.isawaitable(result) else result
        except DomainError as exc:
            return error_response(status_for(exc), exc.message, backend.api_id(account))
        except (HTTPProblem, BodyError) as exc:
            headers = exc.headers if isinstance(exc, HTTPProblem) else None
            return error_response(exc.status, exc.message, backend.api_id(account), headers)
