"""Provider-side faults: make the emulated Plivo API fail or lag on purpose.

A test arms a rule (``POST /__emulator__/faults``, see :mod:`emulator.http.control_faults`): the
next N requests that match it get a Plivo-shaped error with the chosen status, or an answer delayed
by some seconds, before any other processing. That is how a client's handling of Plivo's 5xx
(plivo-python retries them three times), 429s and slow answers is tested.
"""

from __future__ import annotations

import asyncio
import fnmatch
import itertools
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import InvalidParameter, NotFound
from emulator.http.errors import error_response
from emulator.http.state import state_of
from emulator.params import Params


@dataclass
class FaultRule:
    id: int
    path: str  # glob over the path after /v1/Account/{auth_id}/, e.g. "MultiPartyCall/*/Record/"
    method: str | None
    auth_id: str | None
    status: int | None
    error: str
    delay: float
    remaining: int | None  # None: until removed
    hits: int = field(default=0)

    def matches(self, method: str, auth_id: str, path: str) -> bool:
        return (
            (self.method is None or self.method == method)
            and (self.auth_id is None or self.auth_id == auth_id)
            and fnmatch.fnmatchcase(path, self.path)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "method": self.method,
            "auth_id": self.auth_id,
            "status": self.status,
            "error": self.error,
            "delay": self.delay,
            "remaining": self.remaining,
            "hits": self.hits,
        }


class FaultBook:
    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    @property
    def rules(self) -> list[FaultRule]:
        return list(self._rules)

    def add(self, params: Params) -> FaultRule:
        status = params.raw("status")
        if status is not None:
            status = params.integer("status", 500, minimum=400, maximum=599)
        delay = params.number("delay", 0.0, minimum=0, maximum=120)
        if status is None and delay == 0:
            raise InvalidParameter("status", "a fault needs a status (400-599), a delay in seconds, or both")
        method = params.text("method")
        rule = FaultRule(
            id=next(self._ids),
            path=params.text("path", default="*") or "*",
            method=method.upper() if method else None,
            auth_id=params.text("auth_id"),
            status=status,
            error=params.text("error") or f"injected fault: HTTP {status}",
            delay=delay,
            remaining=None
            if params.raw("times") == 0
            else params.integer("times", 1, minimum=0, maximum=1_000_000),
        )
        self._rules.append(rule)
        return rule

    def take(self, method: str, auth_id: str, path: str) -> FaultRule | None:
        """The first armed rule matching this request, counting the hit (and retiring a spent rule)."""
        for rule in self._rules:
            if rule.matches(method, auth_id, path):
                rule.hits += 1
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
                return rule
        return None

    def remove(self, rule_id: int) -> None:
        before = len(self._rules)
        self._rules = [r for r in self._rules if r.id != rule_id]
        if len(self._rules) == before:
            raise NotFound(f"no fault rule {rule_id} (spent, cleared, or never armed)")

    def clear(self, auth_id: str | None = None) -> None:
        self._rules = [r for r in self._rules if auth_id is not None and r.auth_id != auth_id]


async def injected_fault(request: Request, auth_id: str) -> Response | None:
    """Apply the first armed fault matching this request: its delay, then its error (None: go on)."""
    book = state_of(request).faults
    if not book.rules:
        return None
    relative = request.scope["path"].split("/", 4)[4] if request.scope["path"].count("/") >= 4 else ""
    rule = book.take(request.method, auth_id, relative)
    if rule is None:
        return None
    if rule.delay:
        await asyncio.sleep(rule.delay)
    if rule.status is None:
        return None
    headers = {"Retry-After": "1"} if rule.status in (429, 503) else None
    # Before authentication: the anonymous api_id sequence, as for a 401.
    return error_response(rule.status, rule.error, state_of(request).backend.api_id(), headers)
