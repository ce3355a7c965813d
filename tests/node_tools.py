"""Node.js packages for tests (the official Node SDK, playwright-core), installed once into .node-sdk/."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).parent.parent / ".node-sdk"
# The official Node SDK the suite drives (through the TLS mode, and its XML builder).
NODE_SDK = "plivo@4.79.0"


def node_package(spec: str, require_env: str) -> Path:
    """The directory whose node_modules holds ``spec`` (name@version); skips the test without node and
    npm, or fails it when ``require_env`` is set to 1 (as .ci/run does)."""
    name = spec.rsplit("@", 1)[0]
    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get(require_env) == "1":
            pytest.fail(f"node or npm is missing, and {require_env}=1")
        pytest.skip("needs node and npm")
    if not (NODE_DIR / "node_modules" / name / "package.json").exists():
        NODE_DIR.mkdir(exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", spec],
            cwd=NODE_DIR,
            check=True,
            timeout=300,
            capture_output=True,
        )
    return NODE_DIR
