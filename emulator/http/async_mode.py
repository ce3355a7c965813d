"""Plivo's async mode: a call that carries ``callback_url`` is answered at once with
``{"api_id", "message": "async api spawned"}`` (200), and its real answer goes to ``callback_url``.

Plivo does not document what it posts there; the emulator sends the answer the synchronous call would
have given: its top-level keys as parameters (lists and objects JSON-encoded), with ``status_code``; a
``204`` answer becomes ``{"api_id", "message": "success"}``; an error its ``{"api_id", "error"}``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import Response

from emulator.domain.errors import DomainError, InvalidParameter
from emulator.domain.values import CallbackMethod
from emulator.http.errors import HTTPProblem, PlivoJSONResponse, status_for
from emulator.params import Params, url_problem

ASYNC_MESSAGE = "async api spawned"


def _single(value: Any) -> Any:
    # plivo-python's MPC start sends callback_url and callback_method as one-element lists.
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def async_target(data: dict[str, Any]) -> tuple[str, CallbackMethod] | None:
    """Where the real answer goes, when the request asks for async mode (checked first)."""
    url = _single(data.get("callback_url"))
    if url is None or url == "":
        return None
    problem = url_problem(url) if isinstance(url, str) else "not a URL"
    if problem is not None:
        raise InvalidParameter("callback_url", f"invalid callback_url {url!r}: {problem}")
    method = Params({"callback_method": _single(data.get("callback_method"))}).choice(
        "callback_method", CallbackMethod, CallbackMethod.POST
    )
    return url, method


async def run_async(
    handle: Callable[[], Awaitable[Response]], api_id: Callable[[], str]
) -> tuple[Response, dict[str, str]]:
    """The immediate answer, and the parameters of the real one (for the callback)."""
    try:
        real = await handle()
        status = real.status_code
        body = json.loads(bytes(real.body)) if real.body else {}
    except DomainError as exc:
        status, body = status_for(exc), {"error": exc.message}
    except HTTPProblem as exc:
        status, body = exc.status, {"error": exc.message}
    if not body:
        body = {"message": "success"}
    body.setdefault("api_id", api_id())
    params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
    params["status_code"] = str(status)
    return PlivoJSONResponse({"api_id": body["api_id"], "message": ASYNC_MESSAGE}), params
