"""Installed as a user installs it: a fresh virtual environment, the README's install line, the README's
test example."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_test_example() -> str:
    """The first Python block of the README's "In your tests" section, as a user would copy it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## In your tests") :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, "the README's test example"
    return match.group(1)


@pytest.mark.timeout(900)
def test_the_documented_install_runs_the_readme_example(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip, pytest_bin = venv / "bin" / "pip", venv / "bin" / "pytest"
    installed = subprocess.run(
        [str(pip), "install", "--verbose", f"{ROOT}[pytest]"], capture_output=True, text=True, timeout=800
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    assert "BuildBackendWarning" not in installed.stdout + installed.stderr, "no packaging warning (licence)"
    (tmp_path / "test_recording.py").write_text(readme_test_example())

    def run() -> subprocess.CompletedProcess[str]:
        command = [str(pytest_bin), "-q", "-p", "no:cacheprovider", "test_recording.py"]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)

    passed = run()
    assert passed.returncode == 0 and "2 passed" in passed.stdout, passed.stdout[-3000:]
    subprocess.run([str(pip), "uninstall", "--quiet", "--yes", "plivo"], check=True)
    without_sdk = run()
    assert without_sdk.returncode == 1, without_sdk.stdout[-3000:]
    assert "pip install 'plivo-mpc-emulator[pytest]'" in without_sdk.stdout, "it says what to install"
