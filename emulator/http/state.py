"""The parts of one emulator that its routes share, typed, behind one accessor.

Starlette's ``app.state`` is an untyped bag; reading it attribute by attribute
in every handler would repeat the annotations and hide which parts exist. The
app holds one :class:`AppState` instead, and :func:`state_of` is the only
place that reaches into Starlette's bag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import HTTPConnection

if TYPE_CHECKING:  # annotations only: every module of the HTTP layer imports this one
    from emulator.config import Settings
    from emulator.delivery.engine import CallbackEngine
    from emulator.domain.account import Account
    from emulator.domain.backend import Backend
    from emulator.http.faults import FaultBook
    from emulator.http.links import RecordingOrigins
    from emulator.tls import Certificates, TLSFiles

_KEY = "emulator"
# The ASGI scope key under which a Plivo request's authenticated account is kept for the length of the
# request, so that an error answered for it carries an api_id from the account's own sequence.
_ACCOUNT_KEY = "plivo_mpc_emulator.account"


@dataclass(frozen=True)
class AppState:
    settings: Settings
    backend: Backend
    engine: CallbackEngine
    faults: FaultBook
    # The address each recording's URLs are built on.
    origins: RecordingOrigins
    # In TLS mode, the certificate and the CA a client must trust.
    tls: TLSFiles | None
    # The CA (and the certificate a proxy tunnel serves), in every mode.
    certificates: Certificates


def install(app: Starlette, state: AppState) -> None:
    setattr(app.state, _KEY, state)


def state_of(holder: Starlette | HTTPConnection) -> AppState:
    app = holder.app if isinstance(holder, HTTPConnection) else holder
    state: AppState = getattr(app.state, _KEY)
    return state


def remember_account(connection: HTTPConnection, account: Account) -> None:
    connection.scope[_ACCOUNT_KEY] = account


def account_of(connection: HTTPConnection) -> Account | None:
    """The account a Plivo request authenticated as (None before authentication, and off the API)."""
    account: Account | None = connection.scope.get(_ACCOUNT_KEY)
    return account
