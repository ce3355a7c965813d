"""An example webhook receiver: keeps every callback, checks its X-Plivo-Signature-V3, and lists them.

POST or GET /anything: a callback (answered 200). GET /received: what came, as JSON, each with
"signature_ok". Standard library only; the check is Plivo's documented V3 scheme (plivo-python's
plivo/utils/signature_v3.py does the same).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

TOKEN = os.environ.get("PLIVO_AUTH_TOKEN", "dev-auth-token")
RECEIVED: list[dict[str, object]] = []


def signed_text(method: str, url: str, form: dict[str, str]) -> str:
    """What Plivo signs: the URL with its query sorted (a GET's parameters are in it), and for a POST
    the sorted form as key+value pairs, after a ``?`` (or after the query and a ``.``)."""
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    query = "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(parts.query, keep_blank_values=True)))
    if method == "GET" or not form:
        return f"{base}?{query}" if query else base
    prefix = f"{base}?{query}." if query else f"{base}?"
    return prefix + "".join(f"{k}{form[k]}" for k in sorted(form))


def signature_ok(method: str, url: str, form: dict[str, str], nonce: str, signature: str) -> bool:
    """HMAC-SHA256 of the signed text, a dot and the nonce, keyed with the auth token, in base64;
    several comma-separated signatures may be sent."""
    digest = hmac.new(TOKEN.encode(), f"{signed_text(method, url, form)}.{nonce}".encode(), hashlib.sha256)
    expected = base64.b64encode(digest.digest()).decode()
    return any(hmac.compare_digest(expected, given.strip()) for given in signature.split(","))


class Handler(BaseHTTPRequestHandler):
    def _callback(self, params: dict[str, str], form: dict[str, str]) -> None:
        url = f"http://{self.headers.get('Host', '')}{self.path}"
        ok = signature_ok(
            self.command,
            url,
            form,
            self.headers.get("X-Plivo-Signature-V3-Nonce", ""),
            self.headers.get("X-Plivo-Signature-V3", ""),
        )
        RECEIVED.append({"path": urlsplit(self.path).path, "params": params, "signature_ok": ok})
        self._answer(200, b"{}")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        form = dict(parse_qsl(body, keep_blank_values=True))
        self._callback(form, form)

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/received":
            self._answer(200, json.dumps(RECEIVED).encode())
        else:
            self._callback(dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)), {})

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        print(f"receiver: {self.command} {self.path}", flush=True)


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
