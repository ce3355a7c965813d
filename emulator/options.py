"""Every serve option, once: its flag, its environment variable, its type, its bounds and its help.

The table below builds the argument parser, reads the environment, renders the help's list of
variables and fills :class:`Settings`; defaults come from :class:`Settings` and
:class:`ServerLimits` themselves. A flag wins over its variable; a list option takes the
variable's items first, then each repeated flag.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from emulator.config import (
    DEFAULT_ACCOUNT,
    ENV_PREFIX,
    ServerLimits,
    Settings,
    accounts_from_environment,
)
from emulator.delivery.networks import LOCAL_NETWORKS
from emulator.domain.credentials import Credentials
from emulator.domain.errors import InvalidParameter

# "file": a path that must name an existing file; "list"/"paths": repeatable, comma-separated in the
# environment (of text, of paths).
Kind = Literal["text", "int", "float", "flag", "list", "paths", "path", "file", "time", "accounts"]
_REPEATED = ("list", "paths", "accounts")


class UsageError(Exception):
    """A configuration the emulator cannot start with (exit status 2)."""


@dataclass(frozen=True)
class Option:
    # The Settings field it fills; "limits.<field>" for a ServerLimits one.
    field: str
    help: str
    kind: Kind = "text"
    choices: tuple[str, ...] = ()
    # Inclusive bounds of a number (None: unbounded on that side); a lower bound may be exclusive.
    bounds: tuple[float | None, float | None] | None = None
    above: bool = False
    # How an error names it ("journal size"); default: the field's name in words.
    label: str | None = None
    metavar: str | None = None
    flag_name: str | None = None
    env_name: str | None = None
    group: str | None = None

    @property
    def name(self) -> str:
        return self.field.rsplit(".", 1)[-1]

    @property
    def flag(self) -> str:
        return self.flag_name or "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return ENV_PREFIX + (self.env_name or self.name.upper())

    @property
    def words(self) -> str:
        return self.label or self.name.replace("_", " ")

    def default(self) -> Any:
        owner: Any = Settings() if "." not in self.field else ServerLimits()
        return getattr(owner, self.name)


LIMITS = "server limits"

OPTIONS: tuple[Option, ...] = (
    Option("host", "address to listen on (default 127.0.0.1; 0.0.0.0 in Docker)"),
    Option(
        "port",
        "port to listen on (default 8080, 8443 with --tls; 0 picks a free one)",
        "int",
        bounds=(0, 65535),
    ),
    Option("server", "ASGI server to run on (default uvicorn)", choices=("uvicorn", "hypercorn")),
    Option(
        "accounts",
        "an account the emulator accepts (repeatable); auth_id is MA or SA plus 18 characters",
        "accounts",
        metavar="ID:TOKEN",
        flag_name="--account",
    ),
    Option("seed", "seed for generated ids and data, to repeat a run exactly", "int"),
    Option(
        "public_url",
        "base of recording URLs (default: the address each client used to reach the emulator)",
        metavar="URL",
    ),
    Option(
        "log_level", "log verbosity (default info)", choices=("critical", "error", "warning", "info", "debug")
    ),
    Option(
        "clock",
        "real: time passes (see --speed); manual: time moves only on POST /__emulator__/clock/advance",
        choices=("real", "manual"),
    ),
    Option(
        "speed",
        "with --clock real: how many times faster than real time",
        "float",
        bounds=(0, 100_000),
        above=True,
    ),
    Option(
        "clock_start",
        "emulated time at start-up (default: now), e.g. 2026-01-01T09:00:00Z",
        "time",
        metavar="ISO-8601",
    ),
    Option(
        "scenario_paths",
        "a YAML scenario file or a directory of them, loaded after the shipped ones (repeatable)",
        "paths",
        metavar="PATH",
        flag_name="--scenarios",
        env_name="SCENARIOS",
    ),
    Option("journal_size", "callbacks kept in the delivery journal (default 10000)", "int", bounds=(1, None)),
    Option(
        "callback_hosts",
        "also deliver callbacks to hosts matching this glob, or to this IP address or network "
        "(repeatable; '*' allows any host). Without it, callbacks go only to loopback and private "
        f"addresses ({', '.join(LOCAL_NETWORKS)}), judged on the address a host resolves to when "
        "sent (link-local, metadata and public addresses are refused)",
        "list",
        metavar="PATTERN",
        flag_name="--callback-host",
    ),
    Option(
        "loopback_callbacks",
        "deliver callbacks to this machine only (loopback), not to private networks either: for CI "
        "and tests, where a mistyped or fuzzed URL must not reach the network",
        "flag",
    ),
    Option(
        "callback_ca",
        "a CA certificate (PEM) to trust for HTTPS callback receivers, beside the system's",
        "file",
        label="callback CA",
        metavar="FILE",
    ),
    Option(
        "media_auth",
        "recording files (recording_url) ask for the account's Basic auth, like Plivo's "
        "'HTTP Auth on recordings' setting (default: public)",
        "flag",
    ),
    Option(
        "tls",
        "serve HTTPS as api.plivo.com with a local CA's certificate, so that SDKs which hard-code "
        "https://api.plivo.com reach the emulator unchanged (default port 8443)",
        "flag",
    ),
    Option(
        "tls_dir",
        "where the CA is kept, to be trusted once (default ~/.cache/plivo-mpc-emulator/tls)",
        "path",
        metavar="DIR",
    ),
    Option(
        "tls_hosts",
        "another name or IP address the certificate covers (repeatable), e.g. a Compose service name",
        "list",
        metavar="NAME",
        flag_name="--tls-host",
    ),
    Option(
        "control_token",
        "require 'Authorization: Bearer TOKEN' on the /__emulator__/ control plane (all but "
        "health, the CA and the dashboard page); set it whenever the port is reachable by others",
        metavar="TOKEN",
    ),
    Option(
        "limits.max_header_bytes",
        "largest request line plus headers; larger gets 431",
        "int",
        bounds=(1024, 1e9),
        group=LIMITS,
    ),
    Option(
        "limits.header_timeout",
        "seconds a client has to send a request's headers; slower gets 408 and is closed",
        "float",
        bounds=(0.1, 1e9),
        group=LIMITS,
    ),
    Option(
        "limits.keep_alive_timeout",
        "seconds an idle connection stays open",
        "float",
        bounds=(0.1, 1e9),
        label="keep-alive timeout",
        group=LIMITS,
    ),
    Option(
        "limits.max_connections",
        "connections open at once; more get 503",
        "int",
        bounds=(1, 1e9),
        group=LIMITS,
    ),
    Option(
        "status_callback_scope",
        "which status_callback_url gets which MPC status event when members set different ones: "
        "creator (MPC events to the MPC creator's URL, a member's events to its own URL, else the "
        "creator's), creator-only, or fan-out (every URL gets every event its groups ask for)",
        choices=("creator", "creator-only", "fan-out"),
    ),
    Option(
        "shutdown_grace",
        "on SIGTERM, seconds to keep trying callbacks already due before exiting; what is left is logged",
        "float",
        bounds=(0, 600),
    ),
)


# ----------------------------------------------------------------- the parser


def _credentials(text: str) -> Credentials:
    try:
        return Credentials.parse(text)
    except InvalidParameter as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _help(option: Option) -> str:
    """The option's help, with its default when the table's text does not already say it."""
    default = option.default()
    if option.kind == "flag" or option.kind in _REPEATED or default is None or "default" in option.help:
        return option.help
    shown = f"{default:g}" if isinstance(default, float) else default
    return f"{option.help} (default {shown})"


def add_options(parser: argparse.ArgumentParser) -> None:
    groups: dict[str, Any] = {}
    for option in OPTIONS:
        target: Any = parser
        if option.group is not None:
            target = groups.setdefault(option.group, parser.add_argument_group(option.group))
        kwargs: dict[str, Any] = {"dest": option.field.replace(".", "__"), "help": _help(option)}
        if option.kind != "flag" and not option.choices:
            kwargs["metavar"] = option.metavar or option.name.upper()
        if option.choices:
            kwargs["choices"] = option.choices
        if option.kind == "flag":
            kwargs.update(action="store_true", default=None)
        elif option.kind in _REPEATED:
            kwargs.update(action="append", default=[])
            if option.kind == "accounts":
                kwargs["type"] = _credentials
        elif option.kind == "int":
            kwargs["type"] = int
        elif option.kind == "float":
            kwargs["type"] = float
        target.add_argument(option.flag, **kwargs)


def environment_help() -> str:
    """The help's list of variables, written from the table."""
    singles = [o.env + (" (1 or 0)" if o.kind == "flag" else "") for o in OPTIONS if o.kind not in _REPEATED]
    lists = [o.env for o in OPTIONS if o.kind in _REPEATED]
    return (
        "Every option may also be set in the environment (the flag wins):\n"
        + _wrap(singles)
        + ";\n  lists separated by commas (accounts as ID:TOKEN pairs):\n"
        + _wrap(lists)
        + ".\n  PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN, the variables the Plivo SDKs read, also\n"
        "  define an account.\n\n"
        "With no account configured, the emulator accepts the development account\n"
        f"  auth_id {DEFAULT_ACCOUNT.auth_id}, auth_token {DEFAULT_ACCOUNT.auth_token}\n"
    )


def _wrap(words: list[str], width: int = 76) -> str:
    lines, line = [], ""
    for word in words:
        piece = f"{word}, " if word != words[-1] else word
        if len(line) + len(piece) > width:
            lines.append(line.rstrip())
            line = ""
        line += piece
    lines.append(line.rstrip())
    return "\n".join(f"  {text}" for text in lines)


# ------------------------------------------------------------ reading values


def _number(option: Option, text: str) -> float:
    try:
        return int(text) if option.kind == "int" else float(text)
    except ValueError:
        kind = "an integer" if option.kind == "int" else "a number"
        raise UsageError(f"{option.env}={text!r} is not {kind}") from None


def _from_environment(option: Option, text: str) -> Any:
    """A variable's text, as the flag's parser would have read it."""
    if option.kind == "flag":
        value = text.strip().lower()
        if value in ("0", "false", "no", "off"):
            return False
        if value in ("1", "true", "yes", "on"):
            return True
        raise UsageError(f"{option.env}={text!r}: use 1/true/yes or 0/false/no")
    if option.kind in ("int", "float"):
        return _number(option, text)
    if option.choices:
        if text.lower() not in option.choices:
            raise UsageError(f"{option.env}={text!r}: choose {' or '.join(option.choices)}")
        return text.lower()
    return text


def _show(value: float) -> str:
    return f"{value:g}" if not float(value).is_integer() or abs(value) < 1e6 else str(int(value))


def _check_bounds(option: Option, value: float) -> None:
    if option.bounds is None:
        return
    low, high = option.bounds
    below = low is not None and (value <= low if option.above else value < low)
    if not below and (high is None or value <= high):
        return
    if low is not None and high is not None:
        rule = (
            f"above {_show(low)} and at most {_show(high)}"
            if option.above
            else f"from {_show(low)} to {_show(high)}"
        )
    elif low is not None:
        rule = f"above {_show(low)}" if option.above else f"at least {_show(low)}"
    else:
        rule = f"at most {_show(high or 0)}"
    raise UsageError(f"{option.words} {_show(value)} must be {rule}")


def _finish(option: Option, value: Any) -> Any:
    """Checks and conversions a value needs whichever way it came."""
    if option.kind in ("int", "float"):
        _check_bounds(option, value)
    elif option.kind == "time":
        return _parse_time(value)
    elif option.kind in ("path", "file"):
        if option.kind == "file" and not Path(value).is_file():
            raise UsageError(f"{option.words} {value!r} is not a file")
        return Path(value)
    return value


def _parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"clock start {text!r} is not an ISO-8601 time such as 2026-01-01T09:00:00Z"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _value(option: Option, args: argparse.Namespace, environ: Mapping[str, str]) -> tuple[bool, Any]:
    """(whether it was given, its value)."""
    given = getattr(args, option.field.replace(".", "__"))
    text = environ.get(option.env) or None
    if option.kind == "accounts":
        try:
            found = accounts_from_environment(environ, tuple(given))
        except InvalidParameter as exc:
            raise UsageError(exc.message) from None
        return True, found
    if option.kind in ("list", "paths"):
        items = [part.strip() for part in (text or "").split(",") if part.strip()]
        items += given
        return bool(items), tuple(Path(i) for i in items) if option.kind == "paths" else tuple(items)
    if given is None and text is not None:
        given = _from_environment(option, text)
    if given is None:
        return False, option.default()
    return True, _finish(option, given)


def settings_from(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    """Settings from the parsed flags and the environment, checked; raises UsageError."""
    values: dict[str, Any] = {}
    limits: dict[str, Any] = {}
    given: set[str] = set()
    for option in OPTIONS:
        present, value = _value(option, args, environ)
        if present:
            given.add(option.field)
        (limits if option.field.startswith("limits.") else values)[option.name] = value
    if "port" not in given:
        values["port"] = 8443 if values["tls"] else 8080
    if values["clock"] == "manual" and "speed" in given:
        raise UsageError("--speed applies to a real clock: a manual clock moves only when advanced")
    return dataclasses.replace(Settings(), **values, limits=ServerLimits(**limits))


def from_environment(field: str, environ: Mapping[str, str]) -> Any:
    """One option's value from the environment alone (None when unset): what ``health`` reads."""
    option = next(o for o in OPTIONS if o.field == field)
    text = environ.get(option.env) or None
    return None if text is None else _finish(option, _from_environment(option, text))
