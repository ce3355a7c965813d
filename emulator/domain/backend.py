"""The registry of accounts: the single state object every entry point shares.

The in-process app, the threaded test server and the Docker image all hold one
:class:`Backend`; its :meth:`reset` is the one reset path they all use.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterable, Sequence

from emulator.domain.account import Account, Clock
from emulator.domain.credentials import Credentials
from emulator.domain.errors import Conflict, NotFound
from emulator.domain.events import DomainEvent
from emulator.domain.ids import IdFactory

log = logging.getLogger(__name__)

Listener = Callable[[DomainEvent], None]
ResetHook = Callable[[Account], None]


class Backend:
    def __init__(
        self,
        *,
        credentials: Iterable[Credentials],
        seed: int,
        clock: Clock | None = None,
        clock_for: Callable[[str], Clock] | None = None,
    ) -> None:
        """``clock``: one time for every account; or ``clock_for``: each account's own (the emulator
        gives each account a clock it can move ahead alone)."""
        if clock_for is None:
            if clock is None:
                raise ValueError("give clock or clock_for")
            shared = clock
            clock_for = lambda auth_id: shared  # noqa: E731
        elif clock is not None:
            raise ValueError("give clock or clock_for, not both")
        self.seed = seed
        self._clock_for = clock_for
        self._listeners: list[Listener] = []
        self._reset_hooks: list[ResetHook] = []
        self._accounts: dict[str, Account] = {}
        # Ids for answers that belong to no account (401s, unknown routes).
        self._anonymous_ids = IdFactory(seed, "")
        for creds in credentials:
            self.add_account(creds)

    # ----------------------------------------------------------------- accounts

    @property
    def accounts(self) -> Sequence[Account]:
        return tuple(self._accounts.values())

    def add_account(self, creds: Credentials) -> Account:
        existing = self._accounts.get(creds.auth_id)
        if existing is not None:
            if not hmac.compare_digest(existing.auth_token.encode(), creds.auth_token.encode()):
                raise Conflict(f"account {creds.auth_id} already exists with another auth_token")
            return existing
        account = Account(
            auth_id=creds.auth_id,
            auth_token=creds.auth_token,
            ids=IdFactory(self.seed, creds.auth_id),
            clock=self._clock_for(creds.auth_id),
            emit=self._dispatch,
        )
        self._accounts[creds.auth_id] = account
        return account

    def remove_account(self, auth_id: str) -> None:
        """Forget an account: removed, then reset (its callbacks, timers and faults go with it; the
        reset hooks see it is no longer an account, so nothing is seeded into it again)."""
        account = self.account(auth_id)
        del self._accounts[auth_id]
        account.reset()
        for hook in self._reset_hooks:
            hook(account)

    def account(self, auth_id: str) -> Account:
        account = self._accounts.get(auth_id)
        if account is None:
            raise NotFound(f"no account with auth_id '{auth_id}'")
        return account

    def authenticate(self, auth_id: str, auth_token: str) -> Account | None:
        account = self._accounts.get(auth_id)
        # Compare even for an unknown id, so timing does not reveal which ids exist.
        expected = account.auth_token if account is not None else "\x00"
        if hmac.compare_digest(expected.encode(), auth_token.encode()) and account is not None:
            return account
        return None

    def api_id(self, account: Account | None = None) -> str:
        return (account.ids if account is not None else self._anonymous_ids).time_uuid()

    # -------------------------------------------------------------------- state

    def reset(self, auth_id: str | None = None) -> list[str]:
        """Forget every MPC and recording (of one account, or of all); accounts stay."""
        targets = [self.account(auth_id)] if auth_id is not None else list(self._accounts.values())
        for account in targets:
            account.reset()
            for hook in self._reset_hooks:
                hook(account)
        if auth_id is None:
            self._anonymous_ids.reseed()
        return [a.auth_id for a in targets]

    # ------------------------------------------------------------------- events

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def on_reset(self, hook: ResetHook) -> None:
        """Run ``hook`` after each account is reset (to drop its callbacks, re-seed its MPCs)."""
        self._reset_hooks.append(hook)

    def _dispatch(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            for listener in self._listeners:
                try:
                    listener(event)
                except Exception:  # a faulty subscriber must not corrupt the API's answer
                    log.exception("event listener %r failed on %r", listener, event)
