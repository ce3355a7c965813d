"""``plivo-mpc-emulator``: the command line."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from emulator.config import (
    DEFAULT_ACCOUNT,
    ENV_PREFIX,
    ServerLimits,
    ServerName,
    Settings,
    accounts_from_environment,
)
from emulator.delivery.clock import ClockMode
from emulator.delivery.scenarios import ScenarioErrors, load_paths
from emulator.domain.backend import Credentials
from emulator.domain.errors import InvalidParameter
from emulator.version import __version__

if TYPE_CHECKING:
    from starlette.applications import Starlette

EPILOG = f"""\
Every option may also be set in the environment (the flag wins):
  {ENV_PREFIX}HOST, {ENV_PREFIX}PORT, {ENV_PREFIX}SERVER, {ENV_PREFIX}SEED,
  {ENV_PREFIX}PUBLIC_URL, {ENV_PREFIX}LOG_LEVEL, {ENV_PREFIX}CLOCK,
  {ENV_PREFIX}SPEED, {ENV_PREFIX}CLOCK_START, {ENV_PREFIX}JOURNAL_SIZE,
  {ENV_PREFIX}MEDIA_AUTH and {ENV_PREFIX}TLS (1 or 0), {ENV_PREFIX}TLS_DIR,
  {ENV_PREFIX}CALLBACK_CA, {ENV_PREFIX}CONTROL_TOKEN,
  {ENV_PREFIX}MAX_HEADER_BYTES, {ENV_PREFIX}HEADER_TIMEOUT,
  {ENV_PREFIX}KEEP_ALIVE_TIMEOUT, {ENV_PREFIX}MAX_CONNECTIONS,
  {ENV_PREFIX}SHUTDOWN_GRACE;
  lists separated by commas: {ENV_PREFIX}ACCOUNTS (ID:TOKEN pairs),
  {ENV_PREFIX}SCENARIOS (paths), {ENV_PREFIX}CALLBACK_HOSTS (patterns),
  {ENV_PREFIX}TLS_HOSTS (names).
  PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN, the variables the Plivo SDKs read, also
  define an account.

With no account configured, the emulator accepts the development account
  auth_id {DEFAULT_ACCOUNT.auth_id}, auth_token {DEFAULT_ACCOUNT.auth_token}
"""


class UsageError(Exception):
    pass


def _env_int(environ: Mapping[str, str], name: str) -> int | None:
    value = environ.get(ENV_PREFIX + name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"{ENV_PREFIX}{name}={value!r} is not an integer") from None


def _env_float(environ: Mapping[str, str], name: str) -> float | None:
    value = environ.get(ENV_PREFIX + name)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise UsageError(f"{ENV_PREFIX}{name}={value!r} is not a number") from None


def _env_flag(environ: Mapping[str, str], name: str) -> bool:
    value = environ.get(ENV_PREFIX + name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise UsageError(f"{ENV_PREFIX}{name}={value!r}: use 1/true/yes or 0/false/no")


def _env_list(environ: Mapping[str, str], name: str) -> list[str]:
    return [part.strip() for part in environ.get(ENV_PREFIX + name, "").split(",") if part.strip()]


def _parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"clock start {text!r} is not an ISO-8601 time such as 2026-01-01T09:00:00Z"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _credentials(text: str) -> Credentials:
    try:
        return Credentials.parse(text)
    except InvalidParameter as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plivo-mpc-emulator",
        description="A local emulator of Plivo's Multi-Party Call (MPC) recording API.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run the emulator (the default command)",
        description="Serve the emulated Plivo API and the /__emulator__/ control plane.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1; 0.0.0.0 in Docker)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8080; 0 picks a free one)")
    serve.add_argument(
        "--server", choices=("uvicorn", "hypercorn"), help="ASGI server to run on (default uvicorn)"
    )
    serve.add_argument(
        "--account",
        action="append",
        type=_credentials,
        default=[],
        metavar="ID:TOKEN",
        help="an account the emulator accepts (repeatable); auth_id is MA or SA plus 18 characters",
    )
    serve.add_argument("--seed", type=int, help="seed for generated ids and data, to repeat a run exactly")
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="base of recording URLs (default: the address each client used to reach the emulator)",
    )
    serve.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug"),
        help="log verbosity (default info)",
    )
    serve.add_argument(
        "--clock",
        choices=("real", "manual"),
        help="real: time passes (see --speed); manual: time moves only on POST /__emulator__/clock/advance",
    )
    serve.add_argument("--speed", type=float, help="with --clock real: how many times faster than real time")
    serve.add_argument(
        "--clock-start",
        metavar="ISO-8601",
        help="emulated time at start-up (default: now), e.g. 2026-01-01T09:00:00Z",
    )
    serve.add_argument(
        "--scenarios",
        action="append",
        default=[],
        metavar="PATH",
        help="a YAML scenario file or a directory of them, loaded after the shipped ones (repeatable)",
    )
    serve.add_argument(
        "--journal-size", type=int, help="callbacks kept in the delivery journal (default 10000)"
    )
    serve.add_argument(
        "--callback-host",
        action="append",
        default=[],
        metavar="PATTERN",
        help="also deliver callbacks to hosts matching this glob, or to this IP address or network "
        "(repeatable; '*' allows any host). Without it, callbacks go only to loopback and private "
        "addresses, judged on the address a host resolves to when sent (link-local, metadata and "
        "public addresses are refused)",
    )
    serve.add_argument(
        "--callback-ca",
        metavar="FILE",
        help="a CA certificate (PEM) to trust for HTTPS callback receivers, beside the system's",
    )
    serve.add_argument(
        "--media-auth",
        action="store_true",
        default=None,
        help="recording files (recording_url) ask for the account's Basic auth, like Plivo's "
        "'HTTP Auth on recordings' setting (default: public)",
    )
    serve.add_argument(
        "--tls",
        action="store_true",
        default=None,
        help="serve HTTPS as api.plivo.com with a local CA's certificate, so that SDKs which hard-code "
        "https://api.plivo.com reach the emulator unchanged (default port 8443)",
    )
    serve.add_argument(
        "--tls-dir",
        metavar="DIR",
        help="where the CA is kept, to be trusted once (default ~/.cache/plivo-mpc-emulator/tls)",
    )
    serve.add_argument(
        "--tls-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another name or IP address the certificate covers (repeatable), e.g. a Compose service name",
    )
    serve.add_argument(
        "--control-token",
        metavar="TOKEN",
        help="require 'Authorization: Bearer TOKEN' on the /__emulator__/ control plane (all but "
        "health, the CA and the dashboard page); set it whenever the port is reachable by others",
    )
    limits = serve.add_argument_group("server limits")
    limits.add_argument(
        "--max-header-bytes",
        type=int,
        help=f"largest request line plus headers; larger gets 431 (default {ServerLimits.max_header_bytes})",
    )
    limits.add_argument(
        "--header-timeout",
        type=float,
        help="seconds a client has to send a request's headers; slower gets 408 and is closed "
        f"(default {ServerLimits.header_timeout:g})",
    )
    limits.add_argument(
        "--keep-alive-timeout",
        type=float,
        help=f"seconds an idle connection stays open (default {ServerLimits.keep_alive_timeout:g})",
    )
    limits.add_argument(
        "--max-connections",
        type=int,
        help=f"connections open at once; more get 503 (default {ServerLimits.max_connections})",
    )
    serve.add_argument(
        "--shutdown-grace",
        type=float,
        help="on SIGTERM, seconds to keep trying callbacks already due before exiting; what is left "
        "is logged (default 3)",
    )
    validate_command = commands.add_parser(
        "validate",
        help="check scenario files without serving",
        description="Check YAML scenario files (or directories of them); every problem is reported as "
        "file:line: where: what, and the exit status is 2 if there is any.",
    )
    validate_command.add_argument("paths", nargs="+", metavar="PATH")
    health = commands.add_parser(
        "health",
        help="check that the emulator on this machine is ready (the container's HEALTHCHECK)",
        description="Ask the local emulator's /__emulator__/health; exit status 0 when it is ready. "
        "The port and TLS mode come from PLIVO_EMULATOR_PORT and PLIVO_EMULATOR_TLS, as for serve.",
    )
    health.add_argument("--url", help="the emulator to ask (default: this machine, on the configured port)")
    return parser


def settings_from(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:

    def env(name: str) -> str | None:
        return environ.get(ENV_PREFIX + name) or None

    try:
        accounts = (*accounts_from_environment(environ), *args.account)
    except InvalidParameter as exc:
        raise UsageError(exc.message) from None
    server = args.server or env("SERVER") or "uvicorn"
    if server not in ("uvicorn", "hypercorn"):
        raise UsageError(f"{ENV_PREFIX}SERVER={server!r}: choose uvicorn or hypercorn")
    port = args.port if args.port is not None else _env_int(environ, "PORT")
    seed = args.seed if args.seed is not None else _env_int(environ, "SEED")
    if port is not None and not 0 <= port <= 65535:
        raise UsageError(f"port {port} is out of range")
    tls = args.tls if args.tls is not None else _env_flag(environ, "TLS")
    tls_dir = args.tls_dir or env("TLS_DIR")
    callback_ca = args.callback_ca or env("CALLBACK_CA")
    if callback_ca and not Path(callback_ca).is_file():
        raise UsageError(f"callback CA {callback_ca!r} is not a file")
    clock = args.clock or env("CLOCK") or "real"
    if clock not in ("real", "manual"):
        raise UsageError(f"{ENV_PREFIX}CLOCK={clock!r}: choose real or manual")
    speed = args.speed if args.speed is not None else _env_float(environ, "SPEED")
    if speed is not None and not 0 < speed <= 100_000:
        raise UsageError(f"speed {speed} must be above 0 and at most 100000")
    journal_size = args.journal_size if args.journal_size is not None else _env_int(environ, "JOURNAL_SIZE")
    if journal_size is not None and journal_size < 1:
        raise UsageError(f"journal size {journal_size} must be at least 1")
    clock_start = args.clock_start or env("CLOCK_START")
    limits = _limits(args, environ)
    grace = args.shutdown_grace if args.shutdown_grace is not None else _env_float(environ, "SHUTDOWN_GRACE")
    if grace is not None and not 0 <= grace <= 600:
        raise UsageError(f"shutdown grace {grace} must be from 0 to 600 seconds")
    scenario_paths = [*_env_list(environ, "SCENARIOS"), *args.scenarios]
    callback_hosts = [*_env_list(environ, "CALLBACK_HOSTS"), *args.callback_host]
    return Settings(
        host=args.host or env("HOST") or "127.0.0.1",
        port=(8443 if tls else 8080) if port is None else port,
        server=cast(ServerName, server),
        accounts=tuple(dict.fromkeys(accounts)),
        seed=seed,
        public_url=args.public_url or env("PUBLIC_URL"),
        log_level=(args.log_level or env("LOG_LEVEL") or "info").lower(),
        clock=cast(ClockMode, clock),
        speed=1.0 if speed is None else speed,
        clock_start=_parse_time(clock_start) if clock_start else None,
        scenario_paths=tuple(Path(p) for p in scenario_paths),
        journal_size=10_000 if journal_size is None else journal_size,
        callback_hosts=tuple(callback_hosts),
        media_auth=args.media_auth if args.media_auth is not None else _env_flag(environ, "MEDIA_AUTH"),
        tls=tls,
        tls_dir=Path(tls_dir) if tls_dir else None,
        callback_ca=Path(callback_ca) if callback_ca else None,
        tls_hosts=tuple([*_env_list(environ, "TLS_HOSTS"), *args.tls_host]),
        control_token=args.control_token or env("CONTROL_TOKEN"),
        limits=limits,
        shutdown_grace=3.0 if grace is None else grace,
    )


def _limits(args: argparse.Namespace, environ: Mapping[str, str]) -> ServerLimits:
    def pick(name: str, value: float | None, env_value: float | None, default: float, low: float) -> float:
        chosen = value if value is not None else env_value
        if chosen is None:
            return default
        if not low <= chosen <= 1e9:
            raise UsageError(f"{name} {chosen:g} must be at least {low:g}")
        return chosen

    return ServerLimits(
        max_header_bytes=int(
            pick(
                "max header bytes",
                args.max_header_bytes,
                _env_int(environ, "MAX_HEADER_BYTES"),
                ServerLimits.max_header_bytes,
                1024,
            )
        ),
        header_timeout=pick(
            "header timeout",
            args.header_timeout,
            _env_float(environ, "HEADER_TIMEOUT"),
            ServerLimits.header_timeout,
            0.1,
        ),
        keep_alive_timeout=pick(
            "keep-alive timeout",
            args.keep_alive_timeout,
            _env_float(environ, "KEEP_ALIVE_TIMEOUT"),
            ServerLimits.keep_alive_timeout,
            0.1,
        ),
        max_connections=int(
            pick(
                "max connections",
                args.max_connections,
                _env_int(environ, "MAX_CONNECTIONS"),
                ServerLimits.max_connections,
                1,
            )
        ),
    )


def banner(settings: Settings, url: str, app: Starlette) -> str:
    from emulator.http.state import state_of

    scenarios = state_of(app).engine.scenario_set
    clock = "manual clock" if settings.clock == "manual" else f"real clock x{settings.speed:g}"
    seed = state_of(app).backend.seed
    lines = [
        f"plivo-mpc-emulator {__version__} on {url} ({settings.server}, seed {seed}, {clock})",
        f"  Plivo API:     {url}/v1/Account/<auth_id>/MultiPartyCall/",
        f"  control plane: {url}/__emulator__/health",
        f"  scenarios:     {', '.join(s.name for s in scenarios)} (default: {scenarios.default.name})",
    ]
    tls = state_of(app).tls
    if tls is not None:
        lines.append(
            f"  TLS:           as https://api.plivo.com; trust the CA {tls.ca_cert} "
            "(also at /__emulator__/ca.pem)"
        )
        lines.append(
            "                 and resolve api.plivo.com to this host (/etc/hosts, docker --add-host)"
        )
    if settings.control_token is None and not _is_loopback(settings.host):
        lines.append(
            f"  WARNING:       listening on {settings.host} without a control token: anyone who reaches "
            "this port can reset accounts, arm faults and read every callback; set --control-token "
            f"(or {ENV_PREFIX}CONTROL_TOKEN)"
        )
    for creds in settings.effective_accounts:
        if creds == DEFAULT_ACCOUNT:
            lines.append(
                f"  account:       {creds.auth_id} (auth_token: {creds.auth_token}, the default dev account)"
            )
        else:
            lines.append(f"  account:       {creds.auth_id}")
    return "\n".join(lines)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def serve(settings: Settings) -> int:
    from emulator.app import create_app
    from emulator.server import bind_socket, run_server, tune_gc

    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        app = create_app(settings)
    except ScenarioErrors as exc:
        for error in exc.errors:
            print(f"plivo-mpc-emulator: {error}", file=sys.stderr)
        return 2
    try:
        sock = bind_socket(settings.host, settings.port)
    except OSError as exc:
        print(
            f"plivo-mpc-emulator: cannot listen on {settings.host}:{settings.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    scheme = "https" if settings.tls else "http"
    print(banner(settings, f"{scheme}://{host}:{sock.getsockname()[1]}", app), flush=True)
    # A stop request is a normal end (exit status 0, as `docker stop` expects). Uvicorn
    # re-raises the signal after its graceful shutdown, which lands here.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    tune_gc()
    try:
        run_server(app, sock, settings)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0


def health(url: str | None, environ: Mapping[str, str]) -> int:
    import json
    import ssl
    import urllib.request

    tls = _env_flag(environ, "TLS")
    port = _env_int(environ, "PORT") or (8443 if tls else 8080)
    url = url or f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    context = None
    if url.startswith("https"):
        from emulator.tls import default_tls_dir

        ca = Path(environ.get(ENV_PREFIX + "TLS_DIR") or default_tls_dir()) / "ca.pem"
        context = (
            ssl.create_default_context(cafile=str(ca)) if ca.exists() else ssl._create_unverified_context()
        )
    request = urllib.request.Request(f"{url}/__emulator__/health")
    token = environ.get(ENV_PREFIX + "CONTROL_TOKEN")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=3, context=context) as response:
            body = json.load(response)
    except (OSError, ValueError) as exc:
        print(f"plivo-mpc-emulator: not ready at {url}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(body))
    return 0 if body.get("status") == "ok" else 1


def validate(paths: Sequence[str]) -> int:
    """Check scenario files; every problem on its own line, exit status 2 if there is any."""
    try:
        loaded = load_paths(Path(p) for p in paths)
    except ScenarioErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        return 2
    for scenario in loaded:
        print(f"ok: {scenario.source}: scenario '{scenario.name}'")
    return 0


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "serve")
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.paths)
    env = os.environ if environ is None else environ
    if args.command == "health":
        try:
            return health(args.url, env)
        except UsageError as exc:
            parser.exit(2, f"plivo-mpc-emulator: error: {exc}\n")
    try:
        settings = settings_from(args, env)
    except UsageError as exc:
        parser.exit(2, f"plivo-mpc-emulator: error: {exc}\n")
    return serve(settings)
