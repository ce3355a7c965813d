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
from emulator.domain.backend import Credentials

ServerName = Literal["uvicorn", "hypercorn"]

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
    # A CA (PEM) trusted for HTTPS callback receivers, beside the system's (e.g. mkcert's or your own).
    callback_ca: Path | None = None
    # Recording files ask for the account's Basic auth (Plivo's "HTTP Auth on recordings").
    media_auth: bool = False
    # TLS mode: HTTPS with a certificate for api.plivo.com (and more hosts) from a local CA kept in tls_dir.
    tls: bool = False
    tls_dir: Path | None = None
    tls_hosts: tuple[str, ...] = ()

    @property
    def effective_accounts(self) -> tuple[Credentials, ...]:
        return self.accounts or (DEFAULT_ACCOUNT,)


def parse_accounts(text: str) -> tuple[Credentials, ...]:
    """``ID:TOKEN`` pairs separated by commas or white space."""
    return tuple(Credentials.parse(part) for part in text.replace(",", " ").split())


def accounts_from_environment(environ: Mapping[str, str]) -> tuple[Credentials, ...]:
    """The accounts the environment names: PLIVO_AUTH_ID/PLIVO_AUTH_TOKEN (as the SDKs read
    them) and PLIVO_EMULATOR_ACCOUNTS."""
    found: list[Credentials] = []
    auth_id, auth_token = environ.get("PLIVO_AUTH_ID"), environ.get("PLIVO_AUTH_TOKEN")
    if auth_id and auth_token:
        found.append(Credentials(auth_id, auth_token))
    found.extend(parse_accounts(environ.get(f"{ENV_PREFIX}ACCOUNTS", "")))
    return tuple(found)
