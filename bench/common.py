"""What every benchmark shares: the machine and commit it ran on, the system load, peak memory of a
process tree, the benchmark monitor, and appending a run's figures to ``bench/RESULTS.md``.

Called by ``bench/throughput.py``, ``bench/memory.py``, ``bench/profile_stages.py`` and
``bench/run_all.py``. Benchmarks, not tests: nothing here asserts; the figures are reported.
"""

from __future__ import annotations

import os
import platform
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.feed_farm import COMPETITOR, EMPLOYER, EMPLOYER_ALIAS, HOMONYM

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "RESULTS.md"


# --------------------------------------------------------------------------- the machine


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def machine_line() -> str:
    one, five, _ = load_average()
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {cpu_model()}, {os.cpu_count()} cores · "
            f"Python {platform.python_version()} · commit {git_commit()} · load {one:.2f}/{five:.2f} (1/5 min)")


# --------------------------------------------------------------------------- memory


def rss_kb(pid: int) -> int:
    """Resident set size of one process, in KiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def children_of(pid: int) -> list[int]:
    """Every descendant of ``pid`` (reads ``/proc/<pid>/task/*/children``)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
            out.extend(kids)
            todo.extend(kids)
    return out


def pss_kb(pid: int) -> int:
    """Proportional set size of one process in KiB: pages shared with other processes (the pool
    workers share what the forkserver loaded) count by their share, so a sum over processes is
    the memory they really use. 0 when unknown."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_pids(pid: int, exclude: set[int] | frozenset[int] = frozenset()) -> list[int]:
    skip: set[int] = set(exclude)
    for other in exclude:
        skip.update(children_of(other))
    return [p for p in [pid, *children_of(pid)] if p not in skip]


def tree_rss_kb(pid: int, exclude: set[int] | frozenset[int] = frozenset()) -> int:
    """Summed RSS of ``pid`` and its descendants (minus ``exclude`` and their descendants)."""
    skip: set[int] = set(exclude)
    for other in exclude:
        skip.update(children_of(other))
    return sum(rss_kb(p) for p in [pid, *children_of(pid)] if p not in skip)


def _cpu_of(pid: int) -> float:
    """utime + stime + cutime + cstime of one process (its own and its reaped children's), in s."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(exclude: set[int] | frozenset[int] = frozenset()) -> dict[int, float]:
    """CPU seconds per live process of this process tree (``exclude`` and its subtree left out).
    A pool worker that exited was reaped by its parent (the forkserver), whose cutime holds it."""
    skip: set[int] = set(exclude)
    for other in exclude:
        skip.update(children_of(other))
    pids = [os.getpid(), *children_of(os.getpid())]
    return {pid: _cpu_of(pid) for pid in pids if pid not in skip}


def cpu_since(before: dict[int, float], exclude: set[int] | frozenset[int] = frozenset()) -> float:
    """CPU seconds the tree used since ``before`` (a :func:`cpu_snapshot`)."""
    after = cpu_snapshot(exclude)
    return sum(max(0.0, value - before.get(pid, 0.0)) for pid, value in after.items())


class PeakSampler:
    """Samples this process tree (minus ``exclude``) every ``interval`` seconds in a thread: the
    summed RSS (``peak_kb``, counts pages shared between processes once per process: an upper
    bound) and, with ``pss=True``, the summed PSS (``peak_pss_kb``: shared pages by their share)
    with the per-process figures at that peak (``at_peak``). Use as a context manager."""

    def __init__(self, exclude: set[int] | frozenset[int] = frozenset(), interval: float = 0.05,
                 pss: bool = False) -> None:
        import threading

        self.exclude = exclude
        self.interval = interval
        self.pss = pss
        self.peak_kb = 0
        self.peak_pss_kb = 0
        self.at_peak: dict[int, tuple[int, int]] = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        pids = tree_pids(os.getpid(), self.exclude)
        rss = {p: rss_kb(p) for p in pids}
        self.peak_kb = max(self.peak_kb, sum(rss.values()))
        if self.pss:
            pss = {p: pss_kb(p) for p in pids}
            if sum(pss.values()) > self.peak_pss_kb:
                self.peak_pss_kb = sum(pss.values())
                self.at_peak = {p: (rss[p], pss[p]) for p in pids}
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def peak_rss_self_and_children_kb() -> tuple[int, int]:
    """``ru_maxrss`` of this process and of its largest waited-for child (KiB on Linux)."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


# --------------------------------------------------------------------------- the monitor


def monitor_yaml(urls: list[str], name: str = "bench", mode: str = "fast", concurrency: int | None = None) -> str:
    """The benchmark monitor as YAML (validated the way a user's file is): the farm's employer, a
    competitor, the homonym it excludes, one rss source per URL, loopback allowed, and
    ``fetch.concurrency`` when given (else the default)."""
    lines = [
        "# written by bench/common.py for the benchmarks",
        f"name: {name}",
        "employer:",
        f"  name: {EMPLOYER}",
        f"  aliases: [{EMPLOYER_ALIAS}]",
        f"  exclude: [{HOMONYM}]",
        "competitors:",
        f"  - name: {COMPETITOR}",
        "fetch:",
        "  allow_loopback: true",
        *([f"  concurrency: {concurrency}"] if concurrency else []),
        "sentiment:",
        f"  mode: {mode}",
        "routing:",
        "  alerts:",
        "    enabled: false",
        "sources:",
    ]
    for index, url in enumerate(urls):
        lines += [f"  - name: feed-{index}", "    type: rss", f"    url: {url}"]
    return "\n".join(lines) + "\n"


def load_bench_monitor(urls: list[str], directory: Path, mode: str = "fast",
                       concurrency: int | None = None):  # -> Monitor
    from hirewatch.config import load_monitor

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "bench.yaml"
    path.write_text(monitor_yaml(urls, mode=mode, concurrency=concurrency), encoding="utf-8")
    return load_monitor(path)


# --------------------------------------------------------------------------- results


@dataclass
class Stopwatch:
    started: float = 0.0
    seconds: float = 0.0

    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


def command_line() -> str:
    args = " ".join(sys.argv[1:])
    module = Path(sys.argv[0]).stem
    return f"python -m bench.{module}" + (f" {args}" if args else "")


def append_results(section: str, block: str, path: Path = RESULTS) -> None:
    """Append ``block`` (markdown) at the end of ``## section`` in RESULTS.md, creating the section
    at the end of the file when missing. Other sections are left as they are."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    heading = f"## {section}"
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == heading)
    except StopIteration:
        text = text.rstrip("\n") + f"\n\n{heading}\n\n{block.strip()}\n"
    else:
        end = next((i for i in range(start + 1, len(lines)) if re.match(r"^## ", lines[i])), len(lines))
        before, after = lines[:end], lines[end:]
        while before and not before[-1].strip():
            before.pop()
        text = "\n".join([*before, "", block.strip(), "", *after]).rstrip("\n") + "\n"
    path.write_text(text, encoding="utf-8")


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"
