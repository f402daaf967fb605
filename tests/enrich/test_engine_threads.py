"""The model's OpenMP engine is capped before it loads, and an operator's setting is kept.
Each case runs in a fresh interpreter: OpenMP reads its setting once per process."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import os
from hirewatch.enrich.model_scorer import limit_engine_threads, embed_texts
print(limit_engine_threads(1), os.environ.get("OMP_NUM_THREADS"))
"""
AFTER_LOAD = """
import os
os.environ.pop("OMP_NUM_THREADS", None)
from hirewatch.enrich.model_scorer import limit_engine_threads, embed_texts
embed_texts(["Hallo Welt"])
print(limit_engine_threads(1), os.environ.get("OMP_NUM_THREADS"))
"""


def run(script: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"} | env
    out = subprocess.run([sys.executable, "-c", script], env=environ, capture_output=True, text=True, timeout=120,
                         check=True)
    return out.stdout.strip()


def test_the_cap_is_set_before_the_engine_loads() -> None:
    assert run(SCRIPT) == "True 1"


def test_an_operators_setting_is_kept() -> None:
    assert run(SCRIPT, OMP_NUM_THREADS="4") == "False 4"


def test_no_cap_once_the_engine_is_loaded() -> None:
    assert run(AFTER_LOAD) == "False None"
