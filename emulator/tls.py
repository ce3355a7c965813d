"""TLS mode: the emulator answers as https://api.plivo.com, with a certificate from its own local CA.

The official SDKs for Node, Go, Java, PHP, Ruby and .NET send voice requests to ``api.plivo.com`` whatever
their options say. Resolve that name to the emulator (``/etc/hosts``, ``docker run --add-host``), trust
the emulator's CA (``NODE_EXTRA_CA_CERTS``, ``SSL_CERT_FILE``, the Java or OS trust store...), and they
reach the emulator unchanged.

The CA is made once and kept in a directory (``--tls-dir``), so that it is trusted once; the server's
certificate is made afresh at each start for the names it must cover.
"""

from __future__ import annotations

import os
import ssl
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

# Every host the SDKs call, plus the loopback names a local client uses.
DEFAULT_TLS_HOSTS = ("api.plivo.com", "media.plivo.com", "localhost", "127.0.0.1", "::1")
CA_NAME = "plivo-mpc-emulator local CA"


@dataclass(frozen=True)
class TLSFiles:
    ca_cert: Path
    cert: Path  # the server certificate followed by the CA's: a full chain
    key: Path


def prepare_tls(directory: Path, hosts: tuple[str, ...] = DEFAULT_TLS_HOSTS) -> TLSFiles:
    """The CA (kept, or made) and a server certificate for ``hosts``, as files in ``directory``.
    (cryptography is imported here, on first use: most runs never make a certificate.)"""
    from emulator.certificates import make_tls_files

    return make_tls_files(directory, hosts)


def default_tls_dir() -> Path:
    """Where the CA is kept when no --tls-dir is given: the user's cache, so it is trusted once
    (a fresh temporary directory when there is no writable home, as for a container's nobody)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    directory = Path(base) / "plivo-mpc-emulator" / "tls"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path(tempfile.mkdtemp(prefix="plivo-mpc-emulator-tls-"))
    return directory


class Certificates:
    """The CA and the server certificate, made on first use: at start in TLS mode, at the first
    CONNECT in proxy mode, or when a client asks for ``/__emulator__/ca.pem``; in every mode the
    same CA, kept in ``directory`` so that it is trusted once."""

    def __init__(self, directory: Path | None, extra_hosts: tuple[str, ...] = ()) -> None:
        self._directory = directory
        self.hosts = tuple(dict.fromkeys((*DEFAULT_TLS_HOSTS, *extra_hosts)))
        self._files: TLSFiles | None = None
        self._context: ssl.SSLContext | None = None
        self._lock = threading.Lock()  # the app's loop and a starting thread may both ask

    def files(self) -> TLSFiles:
        with self._lock:
            if self._files is None:
                self._files = prepare_tls(self._directory or default_tls_dir(), self.hosts)
            return self._files

    def server_context(self) -> ssl.SSLContext:
        """What a tunnel's TLS is served with: the server certificate for ``hosts``."""
        files = self.files()
        with self._lock:
            if self._context is None:
                context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                context.load_cert_chain(files.cert, files.key)
                self._context = context
            return self._context
