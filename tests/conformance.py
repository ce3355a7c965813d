"""The eight clients Plivo documents, each as a program in ``conformance/`` written as its users
write it, built once (and cached in ``.conformance/``) and run against the emulator by two routes:

- ``proxy``: the emulator's plain listener as the client's HTTPS proxy, its CA trusted the way the
  language trusts one (no root, no hosts file, no port 443);
- ``name-mapping``: ``api.plivo.com`` resolved to 127.0.0.1 in a private mount namespace's
  ``/etc/hosts``, the emulator in TLS mode on port 443 (needs root, as CI has).

A toolchain missing where ``PLIVO_EMULATOR_REQUIRE_SDKS=1`` (as ``.ci/run`` sets) fails the test;
elsewhere it skips it, saying what to install.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.node_tools import NODE_SDK, node_package

ROOT = Path(__file__).parent.parent
PROGRAMS = ROOT / "conformance"
CACHE = ROOT / ".conformance"
REQUIRE = "PLIVO_EMULATOR_REQUIRE_SDKS"
NEWTONSOFT = Path("/usr/lib/cli/Newtonsoft.Json-5.0/Newtonsoft.Json.dll")
# The SDK's own warnings under mcs (obsolete APIs, unused fields...): not ours to fix, not worth reading.
QUIET = "CS0618,CS0168,CS0219,CS0414,CS0649,CS0169,CS1998,CS0108,CS0114,CS0162,CS0659,CS0661,CS0660,CS0105"


def unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{reason}, and {REQUIRE}=1")
    pytest.skip(reason)


def need(*commands: str, hint: str) -> None:
    missing = [c for c in commands if shutil.which(c) is None]
    if missing:
        unavailable(f"{', '.join(missing)} missing ({hint})")


def sdk_sources() -> Path:
    """Where the Ruby, PHP and .NET SDKs' sources are kept (``../shared/sdks`` beside the project)."""
    for candidate in (os.environ.get("PLIVO_SDKS_DIR"), ROOT.parent / "shared" / "sdks", "/work/shared/sdks"):
        if candidate and (Path(candidate) / "plivo-ruby").is_dir():
            return Path(candidate)
    unavailable("the SDK sources (../shared/sdks) are not here; set PLIVO_SDKS_DIR")
    raise AssertionError  # unreachable: unavailable() skips or fails


def _stamp(sources: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(sources):
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cached_build(name: str, sources: list[Path], build: Callable[[Path], None]) -> Path:
    """``build(out)`` into ``.conformance/<name>``, again only when a source changed."""
    out = CACHE / name
    stamp = out / ".stamp"
    wanted = _stamp(sources)
    if stamp.exists() and stamp.read_text() == wanted:
        return out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    build(out)
    stamp.write_text(wanted)
    return out


def run(argv: list[str], cwd: Path | None = None, timeout: float = 600) -> None:
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


@dataclass
class Route:
    """How a client reaches the emulator: the proxy's URL (None: by name mapping) and the CA."""

    proxy: str | None
    ca: Path
    scratch: Path  # a directory of this run's own (trust stores, a private HOME)

    @property
    def proxy_host_port(self) -> tuple[str, int]:
        assert self.proxy is not None
        host, _, port = self.proxy.rpartition("//")[2].partition(":")
        return host, int(port)


@dataclass
class Invocation:
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None


@dataclass(frozen=True)
class Client:
    name: str  # as the README's matrix says it
    version: str
    # The SDK's own exception (or what stands for one) for an unknown MPC and a refused transition.
    not_found: str
    invalid: str
    validates_signatures: bool
    prepare: Callable[[Route], Invocation]


# ------------------------------------------------------------------ each client


def _curl(route: Route) -> Invocation:
    need("curl", hint="apt-get install curl")
    env = {"PLIVO_EMULATOR_CA": str(route.ca)}
    if route.proxy:
        env["https_proxy"] = route.proxy
    return Invocation(["bash", str(PROGRAMS / "curl" / "run.sh")], env)


def _python(route: Route) -> Invocation:
    env = {"PLIVO_EMULATOR_CA": str(route.ca)}
    if route.proxy:
        env["HTTPS_PROXY"] = route.proxy
    return Invocation([sys.executable, str(PROGRAMS / "python" / "run.py")], env)


def _node(route: Route) -> Invocation:
    sdk = node_package(NODE_SDK, REQUIRE)
    env = {"NODE_EXTRA_CA_CERTS": str(route.ca), "NODE_PATH": str(sdk / "node_modules")}
    if route.proxy:
        env["HTTPS_PROXY"] = route.proxy
    return Invocation(["node", str(PROGRAMS / "node" / "run.js")], env)


def _go(route: Route) -> Invocation:
    need("go", hint="Go from go.dev")
    source = PROGRAMS / "go"

    def build(out: Path) -> None:
        run(["go", "build", "-mod=mod", "-o", str(out / "run"), "."], cwd=source)

    out = cached_build("go", [source / "main.go", source / "go.mod", source / "go.sum"], build)
    # plivo-go's default HTTP client reads both from the environment: no code for either.
    env = {"SSL_CERT_FILE": str(route.ca)}
    if route.proxy:
        env["HTTPS_PROXY"] = route.proxy
    return Invocation([str(out / "run")], env)


def _java(route: Route) -> Invocation:
    need("java", "mvn", "keytool", hint="a JDK 17 and Maven")
    source = PROGRAMS / "java"

    def build(out: Path) -> None:
        command = ["mvn", "-q", "-B", "compile", "dependency:build-classpath"]
        run([*command, f"-Dmdep.outputFile={out / 'classpath.txt'}"], cwd=source)
        shutil.copytree(source / "target" / "classes", out / "classes")

    out = cached_build("java", [source / "pom.xml", source / "src" / "main" / "java" / "Run.java"], build)
    store = route.scratch / "trust.p12"
    run(
        [
            "keytool",
            "-importcert",
            "-noprompt",
            "-alias",
            "plivo-mpc-emulator",
            "-file",
            str(route.ca),
            "-keystore",
            str(store),
            "-storetype",
            "PKCS12",
            "-storepass",
            "changeit",
        ]
    )
    flags = [f"-Djavax.net.ssl.trustStore={store}", "-Djavax.net.ssl.trustStorePassword=changeit"]
    if route.proxy:
        host, port = route.proxy_host_port
        flags += [f"-Dhttps.proxyHost={host}", f"-Dhttps.proxyPort={port}"]
    classpath = f"{out / 'classes'}:{(out / 'classpath.txt').read_text().strip()}"
    return Invocation(["java", *flags, "-cp", classpath, "Run"])


def _ruby(route: Route) -> Invocation:
    need("ruby", hint="apt-get install ruby ruby-faraday ruby-faraday-middleware ruby-htmlentities ruby-jwt")
    lib = sdk_sources() / "plivo-ruby" / "lib"
    env = {"SSL_CERT_FILE": str(route.ca)}
    if route.proxy:
        env["HTTPS_PROXY"] = route.proxy
    # Debian has faraday 1.x: loading faraday_middleware first is what makes the SDK run on it.
    return Invocation(
        ["ruby", "-I", str(lib), "-rfaraday_middleware", str(PROGRAMS / "ruby" / "run.rb")], env
    )


def _php(route: Route) -> Invocation:
    need("php", hint="apt-get install php-cli php-curl php-guzzlehttp-guzzle")
    env = {"PLIVO_PHP_SRC": str(sdk_sources() / "plivo-php" / "src" / "Plivo")}
    if route.proxy:
        env["HTTPS_PROXY"] = route.proxy
    ca = str(route.ca)
    return Invocation(
        ["php", "-d", f"curl.cainfo={ca}", "-d", f"openssl.cafile={ca}", str(PROGRAMS / "php" / "run.php")],
        env,
    )


def _dotnet(route: Route) -> Invocation:
    need("mcs", "mono", "cert-sync", hint="apt-get install mono-mcs mono-runtime ca-certificates-mono …")
    if not NEWTONSOFT.exists():
        unavailable(f"{NEWTONSOFT} missing (apt-get install libnewtonsoft-json-cil-dev)")
    sdk = sdk_sources() / "plivo-dotnet" / "src" / "Plivo"
    source = PROGRAMS / "dotnet"
    sdk_files = sorted(
        p for p in sdk.rglob("*.cs") if p.name != "AccessToken.cs"
    )  # AccessToken needs a JWT package

    def build(out: Path) -> None:
        references = [
            "-r:System.Net.Http",
            f"-r:{NEWTONSOFT}",
            "-r:Microsoft.CSharp",
            "-r:System.Runtime.Serialization",
            "-r:System.Xml.Linq",
        ]
        run(
            [
                "mcs",
                "-target:library",
                "-langversion:experimental",
                f"-nowarn:{QUIET}",
                "-define:NETSTANDARD2_0;NETSTANDARD;NETCORE",
                *references,
                f"-out:{out / 'Plivo.dll'}",
                *map(str, sdk_files),
                str(source / "ThisAssembly.cs"),
            ]
        )
        run(
            [
                "mcs",
                f"-r:{out / 'Plivo.dll'}",
                f"-r:{NEWTONSOFT}",
                "-r:System.Net.Http",
                f"-out:{out / 'Run.exe'}",
                str(source / "Run.cs"),
            ]
        )

    out = cached_build("dotnet", [*sdk_files, source / "Run.cs", source / "ThisAssembly.cs"], build)
    home = route.scratch / "home"
    home.mkdir(exist_ok=True)
    subprocess.run(
        ["cert-sync", "--quiet", "--user", str(route.ca)],
        env={**os.environ, "HOME": str(home)},
        check=True,
        capture_output=True,
    )
    env = {"HOME": str(home), "MONO_PATH": str(NEWTONSOFT.parent)}
    if route.proxy:
        env["HTTPS_PROXY"] = route.proxy
    return Invocation(["mono", str(out / "Run.exe")], env)


CLIENTS = (
    Client("curl", "any", "HTTP 404", "HTTP 400", False, _curl),
    Client("Python", "4.63.0", "ResourceNotFoundError", "ValidationError", True, _python),
    Client("Node.js", "4.79.0", "Error", "Error", True, _node),
    Client("Go", "v7.60.2", "*errors.errorString", "*errors.errorString", True, _go),
    Client("Java", "5.46.3", "ResourceNotFoundException", "InvalidRequestException", True, _java),
    Client(
        "Ruby",
        "4.63.4",
        "Plivo::Exceptions::ResourceNotFoundError",
        "Plivo::Exceptions::ValidationError",
        True,
        _ruby,
    ),
    Client("PHP", "4.70.0", "error", "error", True, _php),
    Client(".NET", "5.53.0", "PlivoNotFoundException", "PlivoValidationException", True, _dotnet),
)
