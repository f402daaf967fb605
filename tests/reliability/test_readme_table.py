"""The Reliability table (docs/reliability.md) names a test for every case: each one must exist
here (so the table cannot point at a test that was renamed or never written)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def table_rows() -> list[str]:
    text = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    section = text.split("# Reliability", 1)[1]
    return [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| case")
            and not line.startswith("|---")]


def test_every_row_names_tests_that_exist() -> None:
    rows = table_rows()
    assert len(rows) >= 35
    defined: dict[str, set[str]] = {}
    for path in HERE.glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined[path.name] = {node.name for node in tree.body
                              if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    for row in rows:
        cell = row.rstrip(" |").rsplit("|", 1)[-1]
        refs = re.findall(r"`(test_\w+\.py)?::(test_\w+)`", cell)
        assert refs, f"no test named in: {row}"
        module = ""
        for named_module, name in refs:  # "`::test_b`" is in the module named before it
            module = named_module or module
            assert module in defined and name in defined[module], f"{module}::{name} (in: {row})"
