"""The emulator's settings, and how the command line and the environment fill them in.

Every option can come from a flag or from an environment variable (the flag
wins), so a Docker user configures with ``-e`` what a laptop user types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from emulator.delivery.clock import ClockMode
from emulator.domain.credentials import Credentials

ServerName = Literal["uvicorn", "hypercorn"]
StatusScopeName = Literal["creator", "creator-only", "fan-out"]


@dataclass(frozen=True)
class ServerLimits:
    """What one client may cost the server; every figure is a CLI flag and an environment variable."""

    # The request line and headers together.
    max_header_bytes: int = 16 * 1024
    # From a connection's first byte (or its opening) to the end of its request's headers.
    header_timeout: float = 10.0
    # An idle keep-alive connection is closed after this.
    keep_alive_timeout: float = 5.0
    # Connections open at once; more are answered 503 and closed.
    max_connections: int = 1000


# The documented development account, used when no account is configured. It is
# printed at start-up; it is not a secret and grants nothing outside the emulator.
DEFAULT_ACCOUNT = Credentials("MADEVEMULATOR0000001", "dev-auth-token")

ENV_PREFIX = "PLIVO_EMULATOR_"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    server: ServerName = "uvicorn"
    # Empty means the default development account.
    accounts: tuple[Credentials, ...] = ()
    # None means a random seed, chosen at start-up and reported by /__emulator__/health.
    seed: int | None = None
    # Base of recording_url and RecordingResourceURL; default: the address each client used.
    public_url: str | None = None
    log_level: str = "info"
    # Time: real (optionally `speed` times faster) or manual (moves only when told).
    clock: ClockMode = "real"
    speed: float = 1.0
    # Where emulated time starts; default: the wall-clock time at start-up.
    clock_start: datetime | None = None
    # Directories or files of YAML scenarios, loaded after the shipped ones.
    scenario_paths: tuple[Path, ...] = ()
    # How many callbacks the delivery journal keeps (the newest).
    journal_size: int = 10_000
    # Extra callback hosts (glob patterns) beyond the local ones; "*" allows any host.
    callback_hosts: tuple[str, ...] = ()
    # Callbacks only to this machine (loopback), not to private networks either.
    loopback_callbacks: bool = False
    # A CA (PEM) trusted for HTTPS callback receivers, beside the system's (e.g. mkcert's or your own).
    callback_ca: Path | None = None
    # Recording files ask for the account's Basic auth (Plivo's "HTTP Auth on recordings").
    media_auth: bool = False
    # TLS mode: HTTPS with a certificate for api.plivo.com (and more hosts) from a local CA kept in tls_dir.
    tls: bool = False
    tls_dir: Path | None = None
    tls_hosts: tuple[str, ...] = ()
    # When set, every /__emulator__/ route but health, the CA and the dashboard page asks for
    # "Authorization: Bearer <control_token>".
    control_token: str | None = None
    # Server limits (uvicorn and hypercorn; the README's "Limits" says how each holds).
    limits: ServerLimits = ServerLimits()
    # On SIGTERM: how long callbacks already due may still be tried before the process exits.
    shutdown_grace: float = 3.0
    # Which member's status_callback_url gets which MPC status event (docs/fidelity.md):
    # creator, creator-only or fan-out.
    status_callback_scope: StatusScopeName = "creator"

    @property
    def effective_accounts(self) -> tuple[Credentials, ...]:
        return self.accounts or (DEFAULT_ACCOUNT,)


def parse_accounts(text: str) -> tuple[Credentials, ...]:
    """``ID:TOKEN`` pairs separated by commas or white space."""
    return tuple(Credentials.parse(part) for part in text.replace(",", " ").split())


def sdk_account(environ: Mapping[str, str]) -> Credentials | None:
    """The account of PLIVO_AUTH_ID/PLIVO_AUTH_TOKEN, the variables the Plivo SDKs read."""
    auth_id, auth_token = environ.get("PLIVO_AUTH_ID"), environ.get("PLIVO_AUTH_TOKEN")
    return Credentials(auth_id, auth_token) if auth_id and auth_token else None


def accounts_from_environment(
    environ: Mapping[str, str], flagged: tuple[Credentials, ...] = ()
) -> tuple[Credentials, ...]:
    """The accounts to accept: PLIVO_EMULATOR_ACCOUNTS and ``flagged`` (--account), else the dev
    account; and the SDKs' PLIVO_AUTH_ID/PLIVO_AUTH_TOKEN account beside them. A Plivo developer has
    those exported: they add an account, and the dev account of the quick start stays."""
    chosen = (*parse_accounts(environ.get(f"{ENV_PREFIX}ACCOUNTS", "")), *flagged) or (DEFAULT_ACCOUNT,)
    sdk = sdk_account(environ)
    return tuple(dict.fromkeys((*chosen, sdk) if sdk is not None else chosen))
