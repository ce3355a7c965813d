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

from emulator.delivery.callbacks import RecordingLinks
from emulator.domain.account import Account
from emulator.domain.backend import Backend
from emulator.domain.errors import NotFound
from emulator.domain.recording import Recording, RecordingOptions, RecordingRequest
from emulator.domain.refs import MemberSelector, MPCRef
from emulator.http.async_mode import async_target, run_async
from emulator.http.auth import authenticate
from emulator.http.errors import HTTPProblem
from emulator.http.faults import injected_fault
from emulator.http.params import read_body
from emulator.http.paths import decode_segment, member_selector, mpc_ref
from emulator.http.state import remember_account, state_of
from emulator.params import Params

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
        ref = mpc_ref(self.mpc_segment)
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
        return member_selector(self.path["member_id"])

    def recording_request(self, options: RecordingOptions) -> RecordingRequest:
        """A request to record, with what the layers around the domain keep of it: the address its
        URLs are built on (``--public-url``, else the one the client used), and the scenario it
        names with ``X-Emulator-Scenario`` (checked to exist)."""
        state = state_of(self.request)
        request = RecordingRequest(options)
        state.origins.remember(request, state.settings.public_url or str(self.request.base_url))
        name = self.request.headers.get(SCENARIO_HEADER)
        if name is not None and name.strip():
            state.engine.name_scenario(request, name.strip(), SCENARIO_HEADER)
        return request

    def links(self, recording: Recording) -> RecordingLinks:
        return state_of(self.request).origins.links(recording)


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
        """Errors raised here are answered by the app's handlers (:mod:`emulator.http.errors`)."""
        backend = state_of(request).backend
        path = {key: decode_segment(value) for key, value in request.path_params.items()}
        fault = await injected_fault(request, path.get("auth_id", ""))
        if fault is not None:
            return fault
        account = authenticate(request, backend, path.get("auth_id", ""))
        remember_account(request, account)
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

        async def handle() -> Response:
            result = handler(call)
            return await result if inspect.isawaitable(result) else result

        target = async_target(data)
        if target is None:
            return await handle()
        answer, params = await run_async(handle, call.api_id)
        state_of(request).engine.send_async_result(account.auth_id, target[0], target[1], params)
        return answer
