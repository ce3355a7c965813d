"""A small synchronous client for the emulator's control plane, for tests and scripts.

It speaks to any running emulator: one started by :class:`emulator.ThreadedServer`, the pytest plugin's,
or a container; and, through :func:`client_transport`, to an app driven in-process by an httpx-style
client (Starlette's ``TestClient``). Only the standard library is used, so it works wherever the
emulator is installed. Answers are plain dicts, typed for the checker by the TypedDicts below.

    control = EmulatorControl("http://127.0.0.1:8080")
    control.create_mpc("MADEVEMULATOR0000001", "standup", members=("10", "11"))
    control.advance(60)
    (completed,) = control.wait_for_callbacks(event="MPCRecordingCompleted")
"""

from __future__ import annotations

import contextlib
import json
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NotRequired, Protocol, TypedDict, cast

# (method, url, body, headers, timeout) -> (status, body): how a request reaches the emulator.
Transport = Callable[[str, str, bytes | None, dict[str, str], float], tuple[int, bytes]]


class Health(TypedDict):
    status: str
    version: str
    accounts: int
    seed: int
    clock: str
    scenarios: int


class ClockState(TypedDict):
    mode: str
    speed: float
    now: str
    # Jobs waiting: callbacks not yet due, retries, scenario actions, MPC timers.
    pending: int
    # One account's clock: whose, and how many seconds ahead of the emulator's it is.
    auth_id: NotRequired[str]
    ahead: NotRequired[float]


class Attempt(TypedDict):
    attempt: int
    time: str
    status: int | None
    latency_ms: float
    error: str | None
    late_ms: float
    response_body: str | None
    response_truncated: bool


class Callback(TypedDict):
    """One journal entry: a callback, its signed request and its attempts."""

    id: str
    auth_id: str
    recording_id: str
    mpc_uuid: str
    member_id: str | None
    event: str
    sequence: int
    scenario: str
    duplicate_of: str | None
    due: str
    url: str
    method: str
    params: dict[str, str]
    headers: dict[str, str]
    state: str
    attempts: list[Attempt]
    note: str | None


class Advance(ClockState):
    advanced: float
    callbacks: list[Callback]
    attempted: int
    delivered: int
    failed: int
    truncated: bool


class Fault(TypedDict):
    id: int
    path: str
    method: str | None
    auth_id: str | None
    status: int | None
    error: str
    delay: float
    remaining: int | None
    hits: int


class _Client(Protocol):
    def request(self, method: str, url: str, *, content: bytes | None, headers: dict[str, str]) -> Any: ...


def client_transport(client: _Client) -> Transport:
    """Requests through an httpx-style client (``TestClient(create_app(...))``: no server, no port).

    The client's own timeout applies (Starlette's TestClient takes none: it runs the app in-process).
    """

    def send(
        method: str, url: str, body: bytes | None, headers: dict[str, str], timeout: float
    ) -> tuple[int, bytes]:
        response = client.request(method, url, content=body, headers=headers)
        return int(response.status_code), bytes(response.content)

    return send


def _urllib_transport(context: ssl.SSLContext | None) -> Transport:
    def send(
        method: str, url: str, body: bytes | None, headers: dict[str, str], timeout: float
    ) -> tuple[int, bytes]:
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
                return int(response.status), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    return send


def _member_path(auth_id: str, mpc_uuid: str, member_id: str, action: str) -> str:
    account, mpc, member = (urllib.parse.quote(part, safe="") for part in (auth_id, mpc_uuid, member_id))
    return f"accounts/{account}/mpcs/{mpc}/members/{member}/{action}"


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
        verify: bool = True,
        transport: Transport | None = None,
    ) -> None:
        """``ca_file``: the emulator's CA in TLS mode (its ``/__emulator__/ca.pem``); ``verify=False``
        skips checking its certificate (a health check that has no CA at hand); ``token``: its control
        token (default: ``PLIVO_EMULATOR_CONTROL_TOKEN`` from the environment, if set);
        ``transport``: how requests travel (default: HTTP with the standard library)."""
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.token = token if token is not None else os.environ.get("PLIVO_EMULATOR_CONTROL_TOKEN") or None
        context = None
        if not verify:
            context = ssl._create_unverified_context()
        elif ca_file is not None:
            context = ssl.create_default_context(cafile=str(ca_file))
        self._transport = transport or _urllib_transport(context)
        # The account advance() and inject_fault() act for when not told (see acting_for).
        self.account: str | None = None
        self._armed: list[int] | None = None

    @contextlib.contextmanager
    def acting_for(self, auth_id: str) -> Iterator[EmulatorControl]:
        """Within the block, :meth:`advance` moves ``auth_id``'s time only and :meth:`inject_fault`
        arms faults for it alone (``everyone=True`` asks for all accounts); every fault armed in the
        block is removed at its end, whatever its ``times``. The pytest plugin's ``plivo_account``
        wraps each test in it."""
        previous, outer = self.account, self._armed
        self.account, self._armed = auth_id, []
        try:
            yield self
        finally:
            armed, self.account, self._armed = self._armed, previous, outer
            for fault_id in armed:
                with contextlib.suppress(EmulatorError):  # spent or cleared already
                    self.remove_fault(fault_id)

    def _target(self, auth_id: str | None, everyone: bool) -> str | None:
        return None if everyone else auth_id or self.account

    # ----------------------------------------------------------------- plumbing

    def _call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        params = {k: v for k, v in (query or {}).items() if v is not None}
        url = f"{self.url}/__emulator__/{path}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        status, answer = self._transport(method, url, data, headers, timeout or self.timeout)
        try:
            parsed = json.loads(answer) if answer else None
        except ValueError:
            parsed = None
        if status >= 400:
            error = parsed.get("error") if isinstance(parsed, dict) else None
            raise EmulatorError(status, str(error or answer[:200].decode("utf-8", "replace")))
        return parsed

    # ------------------------------------------------------------------- calls

    def health(self) -> Health:
        return cast(Health, self._call("GET", "health"))

    def ca_certificate(self) -> bytes:
        """The emulator's CA (PEM), for clients that reach it through its HTTPS proxy or its TLS
        mode to trust: made on first use, the same in every mode."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        status, pem = self._transport("GET", f"{self.url}/__emulator__/ca.pem", None, headers, self.timeout)
        if status >= 400:
            raise EmulatorError(status, pem[:200].decode("utf-8", "replace"))
        return pem

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

    def dial_in(
        self, from_: str, to: str, answer_url: str | None = None, auth_id: str | None = None, **app: Any
    ) -> dict[str, Any]:
        """A call arrives at ``to`` from ``from_``; Plivo asks ``answer_url`` (and the other URLs in
        ``app``: ``answer_method``, ``hangup_url``, ``ring_url``, ``fallback_url``...) what to do, or
        without one the application attached to ``to``. Returns ``{"call_uuid", "status"}``."""
        target = self._account_for(auth_id, "dial_in")
        body = {"auth_id": target, "from": from_, "to": to, **app}
        if answer_url is not None:
            body["answer_url"] = answer_url
        return dict(self._call("POST", "calls", body))

    def attach_application(
        self, number: str, answer_url: str, auth_id: str | None = None, **app: Any
    ) -> None:
        """As Plivo attaches an application to a number: calls arriving at ``number`` without an
        answer_url of their own ask this one (``app``: ``answer_method``, ``hangup_url``...)."""
        target = self._account_for(auth_id, "attach_application")
        path = f"accounts/{urllib.parse.quote(target)}/numbers/{urllib.parse.quote(number)}"
        self._call("PUT", path, {"answer_url": answer_url, **app})

    def _account_for(self, auth_id: str | None, what: str) -> str:
        target = auth_id or self.account
        if target is None:
            raise ValueError(f"{what} needs the account (auth_id=...)")
        return target

    def press_call_digits(self, call_uuid: str, digits: str, auth_id: str | None = None) -> None:
        """Keys pressed on a call whose XML runs ``<GetDigits>`` (finishOnKey, numDigits and
        validDigits apply as Plivo applies them)."""
        target = self._account_for(auth_id, "press_call_digits")
        path = f"accounts/{urllib.parse.quote(target)}/calls/{urllib.parse.quote(call_uuid)}/dtmf"
        self._call("POST", path, {"digits": digits})

    def say_on_call(
        self, call_uuid: str, text: str, confidence: float = 0.9, auth_id: str | None = None
    ) -> None:
        """Words said on a call whose XML runs ``<GetInput inputType="speech">``."""
        target = self._account_for(auth_id, "say_on_call")
        path = f"accounts/{urllib.parse.quote(target)}/calls/{urllib.parse.quote(call_uuid)}/speech"
        self._call("POST", path, {"text": text, "confidence": confidence})

    def speak(self, auth_id: str, mpc_uuid: str, member_id: str, seconds: float = 2.0) -> None:
        """The member speaks for ``seconds`` (ParticipantSpeakStart, then ParticipantSpeakStop)."""
        self._call("POST", _member_path(auth_id, mpc_uuid, member_id, "speak"), {"seconds": seconds})

    def press_digits(self, auth_id: str, mpc_uuid: str, member_id: str, digits: str) -> None:
        """The member presses keys (one ParticipantDigitInput per digit)."""
        self._call("POST", _member_path(auth_id, mpc_uuid, member_id, "dtmf"), {"digits": digits})

    def hang_up(self, auth_id: str, mpc_uuid: str, member_id: str) -> None:
        """The member's call drops: it leaves the MPC (exit cause Participant Call Hangup) and its
        call ends (Normal Hangup)."""
        self._call("POST", _member_path(auth_id, mpc_uuid, member_id, "hangup"))

    def state(self, auth_id: str | None = None, **page: Any) -> dict[str, Any]:
        """Everything (or one account); ``mpc_uuid``, ``limit``, ``offset``, ``order`` page and filter it."""
        return dict(self._call("GET", "state", query={"auth_id": auth_id, **page}))

    def timeline(self, auth_id: str | None = None, mpc_uuid: str | None = None) -> list[dict[str, Any]]:
        """What happened, in time order (the dashboard's per-call timeline): state changes
        (``source: state``: MPC, member, recording, play/speak and transcription events) and callback
        attempts (``source: callback``)."""
        query = {"auth_id": auth_id, "mpc_uuid": mpc_uuid}
        return cast(list[dict[str, Any]], self._call("GET", "timeline", query=query)["timeline"])

    def clock(self, auth_id: str | None = None) -> ClockState:
        """The emulator's clock, or one account's (with how far ahead of the emulator's it is)."""
        return cast(ClockState, self._call("GET", "clock", query={"auth_id": auth_id}))

    def advance(self, seconds: float, auth_id: str | None = None, *, everyone: bool = False) -> Advance:
        """Move time ahead; returns once everything due on the way is delivered or given up.

        One account's time (``auth_id``, else the account this client acts for), in either clock
        mode; or, with ``everyone=True`` or no account at all, the emulator's manual clock, which
        moves every account. The answer counts what was sent (``attempted``, ``delivered``,
        ``failed``) and lists the callbacks the journal still holds (``truncated`` when it no longer
        holds them all)."""
        body: dict[str, Any] = {"seconds": seconds}
        if (target := self._target(auth_id, everyone)) is not None:
            body["auth_id"] = target
        answer = self._call("POST", "clock/advance", body, timeout=max(self.timeout, 600))
        return cast(Advance, answer)

    def callbacks(self, **filters: Any) -> list[Callback]:
        """Journal entries: filters ``auth_id``, ``recording_id``, ``mpc_uuid``, ``event``, ``state``
        (``limit`` keeps the newest)."""
        return cast(list[Callback], self._call("GET", "callbacks", query=filters)["callbacks"])

    def resend(self, callback_id: str, url: str | None = None) -> Callback:
        """Send a journaled callback again, now, with a fresh signature (to ``url`` if given); returns
        the new journal entry."""
        body = {"url": url} if url else {}
        path = f"callbacks/{urllib.parse.quote(callback_id, safe='')}/resend"
        return cast(Callback, self._call("POST", path, body))

    def wait_for_callbacks(
        self, count: int = 1, *, timeout: float = 10.0, state: str = "delivered", **filters: Any
    ) -> list[Callback]:
        """Block until ``count`` matching callbacks are in ``state`` (delivered by default)."""
        query = {**filters, "state": state, "min_count": count, "wait": timeout}
        answer = self._call("GET", "callbacks", query=query, timeout=timeout + self.timeout)
        if not answer["satisfied"]:
            seen = [f"{c['event']}#{c['sequence']} {c['state']}" for c in self.callbacks(**filters)]
            raise CallbacksNotDelivered(
                f"expected {count} {state} callback(s) matching {filters or 'anything'} "
                f"within {timeout:g} s; the journal has: {', '.join(seen) or 'nothing'}"
            )
        return cast(list[Callback], answer["callbacks"])

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
        everyone: bool = False,
    ) -> Fault:
        """Make the next ``times`` matching Plivo API requests fail with ``status`` (0 times: until
        cleared) and/or answer ``delay`` seconds late. ``path`` is a glob over the path after
        ``/v1/Account/{auth_id}/``, e.g. ``"MultiPartyCall/*/Record/"``. The requests of ``auth_id``
        (else of the account this client acts for; ``everyone=True``: of every account)."""
        body = {
            "path": path,
            "status": status,
            "times": times,
            "method": method,
            "auth_id": self._target(auth_id, everyone),
            "delay": delay,
            "error": error,
        }
        fault = cast(Fault, self._call("POST", "faults", {k: v for k, v in body.items() if v is not None}))
        if self._armed is not None:
            self._armed.append(fault["id"])
        return fault

    def remove_fault(self, fault_id: int) -> None:
        self._call("DELETE", f"faults/{fault_id}")

    def faults(self) -> list[Fault]:
        """The armed fault rules, with their hits so far and the times each has left."""
        return cast(list[Fault], self._call("GET", "faults")["faults"])

    def clear_faults(self, auth_id: str | None = None) -> None:
        """Remove the rules of one account (``auth_id``), or every rule."""
        self._call("DELETE", "faults", query={"auth_id": auth_id})

    def accounts(self) -> list[str]:
        """The auth_ids the emulator accepts."""
        return [a["auth_id"] for a in self._call("GET", "accounts")["accounts"]]

    def remove_account(self, auth_id: str) -> None:
        """Forget an account and everything it holds (an account a test added, say)."""
        self._call("DELETE", f"accounts/{urllib.parse.quote(auth_id)}")
