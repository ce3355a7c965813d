"""The layers stay apart: what each package may import, and who may touch the engine's parts."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "emulator"


def imports_of(path: Path) -> set[str]:
    """Every emulator module ``path`` imports, at any depth (lazy imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("emulator"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("emulator"))
    return found


def modules(package: str) -> list[Path]:
    """Its modules, its subpackages' included."""
    return sorted((PACKAGE / package).rglob("*.py"))


def test_the_domain_depends_on_nothing_but_itself() -> None:
    for path in modules("domain"):
        foreign = {m for m in imports_of(path) if not m.startswith("emulator.domain")}
        assert not foreign, f"{path.name} imports {foreign}: the domain has no HTTP, no delivery, no I/O"


def test_delivery_knows_nothing_of_http() -> None:
    for path in modules("delivery"):
        http = {m for m in imports_of(path) if m.startswith("emulator.http")}
        assert not http, f"{path.name} imports {http}"


def test_only_the_engine_touches_its_parts() -> None:
    parts = re.compile(r"engine\.(scenarios|scheduler|journal|activity|account_scenarios|_\w+)\b")
    for path in [*modules("http"), *PACKAGE.glob("*.py")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not parts.search(line), f"{path.name}:{number}: {line.strip()}"


def test_app_state_is_read_through_one_accessor() -> None:
    for path in PACKAGE.rglob("*.py"):
        if path.name == "state.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "app.state." not in text, (
            f"{path.relative_to(PACKAGE)} reads app.state directly: use state_of()"
        )


def test_the_test_helpers_import_without_the_server() -> None:
    """``emulator.testing`` and ``emulator.sdk`` are for users' test processes: no server, no delivery."""
    import subprocess
    import sys

    heavy = ("starlette", "uvicorn", "hypercorn", "aiohttp", "faker", "jsonschema", "ruamel", "cryptography")
    code = (
        "import sys, emulator.testing, emulator.sdk, emulator\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))"
    )
    loaded = subprocess.run([sys.executable, "-c", code, *heavy], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout


def test_every_package_is_installed() -> None:
    """A subpackage missing from pyproject's list works in a checkout and breaks every install."""
    import tomllib

    root = PACKAGE.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(root).parts) for init in PACKAGE.rglob("__init__.py")}
    assert found - listed == set(), "add them to [tool.setuptools] packages"
