"""``plivo-mpc-emulator``: the command line."""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from emulator.config import DEFAULT_ACCOUNT, ENV_PREFIX, Settings, sdk_account
from emulator.delivery.scenarios import ScenarioErrors, load_paths
from emulator.options import UsageError, add_options, environment_help, from_environment, settings_from
from emulator.version import __version__

__all__ = ["build_parser", "main", "settings_from"]

if TYPE_CHECKING:
    from starlette.applications import Starlette


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plivo-mpc-emulator",
        description="A local emulator of Plivo's Multi-Party Call (MPC) recording API.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=environment_help(),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run the emulator (the default command)",
        description="Serve the emulated Plivo API and the /__emulator__/ control plane.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=environment_help(),
    )
    add_options(serve)
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
    health.add_argument(
        "--port", type=int, help="ask this machine on this port (default: PLIVO_EMULATOR_PORT)"
    )
    return parser


def banner(settings: Settings, url: str, app: Starlette, environ: Mapping[str, str] | None = None) -> str:
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
    if settings.server == "uvicorn":  # hypercorn does not open tunnels
        lines.append(
            f"  HTTPS proxy:   {url} tunnels api.plivo.com:443 here; trust {url}/__emulator__/ca.pem"
        )
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
    from_sdk_variables = sdk_account(os.environ if environ is None else environ)
    for creds in settings.effective_accounts:
        if creds == DEFAULT_ACCOUNT:
            lines.append(
                f"  account:       {creds.auth_id} (auth_token: {creds.auth_token}, the default dev account)"
            )
        elif creds == from_sdk_variables:
            lines.append(f"  account:       {creds.auth_id} (from PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN)")
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


def health(url: str | None, environ: Mapping[str, str], port: int | None = None) -> int:
    from emulator.testing import EmulatorControl, EmulatorError

    tls = bool(from_environment("tls", environ))
    port = port or from_environment("port", environ) or (8443 if tls else 8080)
    url = url or f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    ca_file = None
    if url.startswith("https"):
        from emulator.tls import default_tls_dir

        ca = (from_environment("tls_dir", environ) or default_tls_dir()) / "ca.pem"
        ca_file = ca if ca.exists() else None
    # Without the CA at hand (another container made it), readiness is all a health check asks.
    control = EmulatorControl(
        url,
        timeout=3,
        ca_file=ca_file,
        verify=ca_file is not None or not url.startswith("https"),
        token=environ.get(ENV_PREFIX + "CONTROL_TOKEN") or None,
    )
    try:
        body = control.health()
    except (OSError, ValueError, EmulatorError) as exc:
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
            return health(args.url, env, args.port)
        except UsageError as exc:
            parser.exit(2, f"plivo-mpc-emulator: error: {exc}\n")
    try:
        settings = settings_from(args, env)
    except UsageError as exc:
        parser.exit(2, f"plivo-mpc-emulator: error: {exc}\n")
    return serve(settings)
