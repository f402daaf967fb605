"""The layering of the package: the import-linter contract in pyproject.toml catches an upward
import, and no module imports itself back through others (no import cycle)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run([str(LINT_IMPORTS), "--no-logo", "--no-cache"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    copy = tmp_path / "hirewatch"
    shutil.copytree(ROOT / "plugins" / "hirewatch", copy, ignore=shutil.ignore_patterns("__pycache__"))
    kept = _lint_imports(tmp_path)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    codec = copy / "stores" / "codec.py"
    codec.write_text(codec.read_text() + "\nfrom hirewatch.pipeline import run_monitor  # noqa: E402,F401\n")
    broken = _lint_imports(tmp_path)
    assert broken.returncode != 0
    assert "hirewatch.stores is not allowed to import hirewatch.pipeline" in broken.stdout
    assert "hirewatch.stores.codec -> hirewatch.pipeline" in broken.stdout


def test_no_import_cycle() -> None:
    graph = grimp.build_graph("hirewatch", exclude_type_checking_imports=True)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    assert cycles == []
