"""File the output of ``airflow dags test`` as the task logs the Airflow UI reads.

``airflow dags test`` runs a DAG's tasks in its own process and prints their logs; unlike a
scheduler-made run it writes no task log files, so the UI said "Log file not found" for the runs of
``make run``. Called by the Makefile after each ``dags test``:
``python -m hirewatch.dags.test_run_logs DAG_ID OUTPUT_FILE [DAG_ID OUTPUT_FILE ...]``. It cuts the output at the
``[DAG TEST] starting task_id=... map_index=...`` / ``end task`` lines (``dags test`` runs one
task at a time) and writes each part where Airflow's file task handler looks for that task
instance's try (its own ``log_filename_template``, under ``[logging] base_log_folder``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

_START = re.compile(r"\[DAG TEST\] starting task_id=(?P<task>\S+) map_index=(?P<index>-?\d+)")
_END = re.compile(r"\[DAG TEST\] end task task_id=(?P<task>\S+) map_index=(?P<index>-?\d+)")
_RUN = re.compile(r"run_id=(?P<run>(?:manual|scheduled|backfill|asset_triggered)__\S+?)[,\s>]")


def split_by_task(lines: Iterable[str]) -> tuple[str | None, dict[tuple[str, int], list[str]]]:
    """The run id and each task instance's lines, keyed by ``(task_id, map_index)``."""
    run_id: str | None = None
    parts: dict[tuple[str, int], list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        if run_id is None and (found := _RUN.search(line)):
            run_id = found["run"]
        if found := _START.search(line):
            current = parts.setdefault((found["task"], int(found["index"])), [])
        if current is not None:
            current.append(line)
        if _END.search(line):
            current = None
    return run_id, parts


def write_task_logs(dag_id: str, output: Path) -> list[Path]:
    """Write each task instance's part of ``output`` to its log file; returns the files written."""
    from airflow.configuration import conf
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.log.file_task_handler import FileTaskHandler
    from airflow.utils.session import create_session

    run_id, parts = split_by_task(output.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True))
    if run_id is None:
        return []
    base = Path(conf.get("logging", "base_log_folder"))
    handler = FileTaskHandler(base_log_folder=str(base))
    written: list[Path] = []
    with create_session() as session:
        tis = session.query(TaskInstance).filter(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id).all()
        for ti in tis:
            lines = parts.get((ti.task_id, ti.map_index))
            if not lines:
                continue
            path = base / handler._render_filename(ti, ti.try_number, session=session)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(lines), encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or len(args) % 2:
        print("usage: python -m hirewatch.dags.test_run_logs DAG_ID DAGS_TEST_OUTPUT [DAG_ID DAGS_TEST_OUTPUT ...]",
              file=sys.stderr)
        return 2
    for dag_id, output in zip(args[::2], args[1::2], strict=True):
        if not write_task_logs(dag_id, Path(output)):
            print(f"no task of {dag_id} found in {output}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
