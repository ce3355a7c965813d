"""A small synchronous client for the emulator's control plane, for tests and scripts.

It speaks to any running emulator: one started by :class:`emulator.ThreadedServer`, the pytest plugin's,
or a container. Only the standard library is used, so it works wherever the emulator is installed.

    control = EmulatorControl("http://127.0.0.1:8080")
    control.create_mpc("MADEVEMULATOR0000001", "standup", members=("10", "11"))
    control.advance(60)
    (completed,) = control.wait_for_callbacks(event="MPCRecordingCompleted")
"""

from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any


class EmulatorError(Exception):
    """The control plane answered with an error."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(f"{status}: {error}")
        self.status = status
        self.error = error


class CallbacksNotDelivered(AssertionError):
    """Fewer callbacks than expected arrived in time (an AssertionError: pytest reports a failure)."""


class EmulatorControl:
    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        ca_file: str | Path | None = None,
        token: str | None = None,
    ) -> None:
        """``ca_file``: the emulator's CA in TLS mode (its ``/__emulator__/ca.pem``); ``token``: its
        control token (default: ``PLIVO_EMULATOR_CONTROL_TOKEN`` from the environment, if set)."""
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.token = token if token is not None else os.environ.get("PLIVO_EMULATOR_CONTROL_TOKEN") or None
        self._context = ssl.create_default_context(cafile=str(ca_file)) if ca_file is not None else None

    # ----------------------------------------------------------------- plumbing

    def _call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        parse: bool = True,
    ) -> Any:
        params = {k: v for k, v in (query or {}).items() if v is not None}
        url = f"{self.url}/__emulator__/{path}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(
                request, timeout=timeout or self.timeout, context=self._context
            ) as response:
                return json.load(response) if parse else None
        except urllib.error.HTTPError as exc:
            try:
                error = json.load(exc).get("error", exc.reason)
            except ValueError:
                error = exc.reason
            raise EmulatorError(exc.code, str(error)) from None

    # ------------------------------------------------------------------- calls

    def health(self) -> dict[str, Any]:
        return dict(self._call("GET", "health"))

    def reset(self, auth_id: str | None = None) -> None:
        """Forget MPCs, recordings, pending callbacks and journal entries (of one account, or all)."""
        self._call("POST", "reset", query={"auth_id": auth_id})

    def add_account(self, auth_id: str, auth_token: str) -> None:
        self._call("POST", "accounts", {"auth_id": auth_id, "auth_token": auth_token})

    def create_mpc(
        self,
        auth_id: str,
        friendly_name: str | None = None,
        *,
        members: Iterable[str | Mapping[str, Any]] = ("10", "11"),
        **options: Any,
    ) -> dict[str, Any]:
        """An Active MPC with its members already in the call (``members``: ids, or participant objects)."""
        participants = [{"member_id": m} if isinstance(m, str) else dict(m) for m in members]
        body = {"participants": participants, **options}
        if friendly_name is not None:
            body["friendly_name"] = friendly_name
        return dict(self._call("POST", f"accounts/{urllib.parse.quote(auth_id)}/mpcs", body))

    def state(self, auth_id: str | None = None, **page: Any) -> dict[str, Any]:
        """Everything (or one account); ``mpc_uuid``, ``limit``, ``offset``, ``order`` page and filter it."""
        return dict(self._call("GET", "state", query={"auth_id": auth_id, **page}))

    def clock(self) -> dict[str, Any]:
        return dict(self._call("GET", "clock"))

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move a manual clock; returns once everything due on the way is delivered or given up.

        The answer counts what was sent (``attempted``, ``delivered``, ``failed``) and lists the
        callbacks the journal still holds (``truncated`` when it no longer holds them all)."""
        return dict(self._call("POST", "clock/advance", {"seconds": seconds}, timeout=max(self.timeout, 600)))

    def callbacks(self, **filters: Any) -> list[dict[str, Any]]:
        """Journal entries: filters ``auth_id``, ``recording_id``, ``mpc_uuid``, ``event``, ``state``."""
        return list(self._call("GET", "callbacks", query=filters)["callbacks"])

    def wait_for_callbacks(
        self, count: int = 1, *, timeout: float = 10.0, state: str = "delivered", **filters: Any
    ) -> list[dict[str, Any]]:
        """Block until ``count`` matching callbacks are in ``state`` (delivered by default)."""
        query = {**filters, "state": state, "min_count": count, "wait": timeout}
        answer = self._call("GET", "callbacks", query=query, timeout=timeout + self.timeout)
        if not answer["satisfied"]:
            seen = [f"{c['event']}#{c['sequence']} {c['state']}" for c in self.callbacks(**filters)]
            raise CallbacksNotDelivered(
                f"expected {count} {state} callback(s) matching {filters or 'anything'} "
                f"within {timeout:g} s; the journal has: {', '.join(seen) or 'nothing'}"
            )
        return list(answer["callbacks"])

    def scenarios(self) -> dict[str, Any]:
        return dict(self._call("GET", "scenarios"))

    def use_scenario(self, auth_id: str, name: str | None) -> None:
        """Every recording the account starts follows ``name`` (None: back to matching by name)."""
        self._call("PUT", f"accounts/{urllib.parse.quote(auth_id)}/scenario", {"scenario": name})

    def reload_scenarios(self) -> dict[str, Any]:
        """Read the scenario files again; raises EmulatorError (with file:line) if one is now invalid."""
        return dict(self._call("POST", "scenarios/reload", {}))

    def inject_fault(
        self,
        path: str = "*",
        *,
        status: int | None = 500,
        times: int = 1,
        method: str | None = None,
        auth_id: str | None = None,
        delay: float = 0.0,
        error: str | None = None,
    ) -> dict[str, Any]:
        """Make the next ``times`` matching Plivo API requests fail with ``status`` (0 times: until
        cleared) and/or answer ``delay`` seconds late. ``path`` is a glob over the path after
        ``/v1/Account/{auth_id}/``, e.g. ``"MultiPartyCall/*/Record/"``."""
        body = {
            "path": path,
            "status": status,
            "times": times,
            "method": method,
            "auth_id": auth_id,
            "delay": delay,
            "error": error,
        }
        return dict(self._call("POST", "faults", {k: v for k, v in body.items() if v is not None}))

    def clear_faults(self, auth_id: str | None = None) -> None:
        self._call("DELETE", "faults", query={"auth_id": auth_id}, parse=False)
