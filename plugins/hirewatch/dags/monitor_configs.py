"""The monitors the DAG files are built from, read once per process while the files do not change.

Called by :mod:`hirewatch.dags.monitor_dag` and :mod:`hirewatch.dags.digest_dag` at DAG parse
time. Imports no Airflow and no pipeline code: only the config loader. Never raises for a broken
monitor file: its :class:`~hirewatch.errors.ConfigError` is returned beside the good monitors
(a bad ``HIREWATCH_*`` setting of the folder or its budgets is raised: it breaks every file alike).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from hirewatch.config import Monitor, load_monitors, monitor_files
from hirewatch.errors import ConfigError
from hirewatch.settings import runtime_settings

log = logging.getLogger(__name__)

#: The repo's monitors/ folder (this file is plugins/hirewatch/dags/monitor_configs.py).
REPO_MONITORS = Path(__file__).resolve().parents[3] / "monitors"


def monitors_dir() -> Path:
    """``$HIREWATCH_MONITORS``, else the repo's ``monitors/`` folder."""
    configured = runtime_settings().monitors
    return configured.expanduser().resolve() if configured else REPO_MONITORS


@dataclass(frozen=True, slots=True)
class BrokenMonitor:
    """A monitor file that did not load: its DAG id (from the file's ``name:`` when readable,
    else from the file name) and the error an operator needs to fix it."""

    dag_name: str
    path: str
    error: ConfigError


@dataclass(frozen=True, slots=True)
class MonitorConfigs:
    monitors: tuple[Monitor, ...]
    broken: tuple[BrokenMonitor, ...]


_CACHE: dict[tuple[object, ...], MonitorConfigs] = {}


def _signature(directory: Path) -> tuple[object, ...]:
    """What the cache is keyed on: the folder and every monitor file's path, size and mtime."""
    entries: list[object] = [str(directory)]
    for path in monitor_files(directory):
        try:
            stat = path.stat()
        except OSError:
            continue
        entries.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def load_monitor_configs(directory: Path | None = None) -> MonitorConfigs:
    """Every monitor of ``directory`` (default :func:`monitors_dir`) in file order, and the broken
    files. Cached per process until a file changes (DAG files are parsed again and again)."""
    directory = directory or monitors_dir()
    key = _signature(directory)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    if not directory.is_dir():
        log.error("hirewatch: monitors folder %s does not exist; no monitor DAGs", directory)
    runtime = runtime_settings()
    good, errors = (load_monitors(directory, budget_s=runtime.monitor_file_budget_s,
                                  total_budget_s=runtime.monitors_budget_s)
                    if directory.is_dir() else ([], []))
    used = {m.name for m in good}
    broken = []
    for error in errors:
        log.error("hirewatch: monitor file skipped: %s", error)
        name = _declared_name(error.path) or _stem_name(error.path)
        if name in used:
            name = f"broken_{_stem_name(error.path)}"
        used.add(name)
        broken.append(BrokenMonitor(dag_name=name, path=error.path or "?", error=error))
    configs = MonitorConfigs(tuple(good), tuple(broken))
    _CACHE.clear()
    _CACHE[key] = configs
    return configs


_NAME_LINE = re.compile(rb"^name:[ \t]*[\"']?([a-z0-9][a-z0-9_-]{0,63})[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)


def _declared_name(path: str | None) -> str | None:
    """The top-level ``name:`` line a broken file declares, read from its first 64 KB without
    parsing the YAML (a broken file may be huge or slow to parse: that may be why it is broken)."""
    if not path:
        return None
    try:
        with open(path, "rb") as handle:
            head = handle.read(65_536)
    except OSError:
        return None
    match = _NAME_LINE.search(head)
    return match.group(1).decode() if match else None


def _stem_name(path: str | None) -> str:
    stem = Path(path or "monitor").stem
    return re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-")[:64] or "monitor"
