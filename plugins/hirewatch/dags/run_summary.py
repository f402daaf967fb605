"""What ``make run`` prints after its Airflow runs: where the results are and what they hold.

Called as ``python -m hirewatch.dags.run_summary MONITOR`` by the Makefile, after
``airflow dags test`` ran the monitor's DAG and its digest DAG. Reads the hirewatch store (not
Airflow's metadata DB) and the Airflow home; imports no Airflow. Exit code 1 when the monitor has no
recorded run (the DAG did not run).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _newest(folder: Path, pattern: str) -> list[Path]:
    found = [p for p in folder.glob(pattern) if p.is_file()] if folder.is_dir() else []
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def summary(monitor: str) -> tuple[list[str], bool]:
    from hirewatch.settings import home, slack_token, store_settings
    from hirewatch.stores.base import MentionQuery
    from hirewatch.stores.registry import open_store

    settings = store_settings()
    store = open_store(settings)
    lines: list[str] = []
    try:
        runs = store.recent_runs(monitor, datetime.now(UTC) - timedelta(days=1))
        if not runs:
            return [f"no run of monitor {monitor!r} recorded in the store"], False
        run = runs[-1]
        lines.append(f"DAG hirewatch_{monitor}: {len(run.sources)} sources, "
                     f"{sum(1 for s in run.sources if s.status != 'failed')} ok, {len(run.failed_sources)} failed")
        for source in run.sources:
            detail = f" ({source.error})" if source.error else ""
            lines.append(f"  {source.source:<24} {source.status:<13} {source.mentions:>4} mentions, "
                         f"{source.new_mentions:>4} new{detail}")
        total = store.count(monitor)
        pending = store.pending_alerts(monitor)
        stored = [h.mention for h in store.search(MentionQuery(monitor=monitor, limit=10_000))]
        own = [m for m in stored if not m.is_competitor]
        negatives = [m for m in own if m.is_negative]
        employer = own[0].employer if own else "the employer"
        where = _rel(settings.sqlite_path) if settings.kind == "sqlite" and settings.sqlite_path else settings.kind
        lines.append("")
        dry = ("no Slack token: the alerts were a dry run, printed in the alert task's log; they stay pending"
               if slack_token() is None else "")
        competitors = total - len(own)
        # The digest and the alerts count the employer's own mentions; say how the total splits.
        rivals = f", {competitors} of competitors" if competitors else ""
        lines.append(f"store ({where}): {total} mentions of monitor {monitor!r}: {len(own)} of {employer} "
                     f"({len(negatives)} negative, {len(pending)} alerts pending in the outbox){rivals}")
        if dry:
            lines.append(dry)
    finally:
        store.close()
    base = home()
    digests = [p for p in _newest(base, "**/*digest*") if p.suffix in {".html", ".txt", ".md", ".json"}]
    digests += [p for p in _newest(base / "digests", "**/*") if p not in digests]
    if digests:
        lines.append(f"digest: {_rel(digests[0])}" + (f" (+{len(digests) - 1} more files)" if len(digests) > 1 else ""))
    airflow_home = Path(os.environ.get("AIRFLOW_HOME") or base / "airflow")
    lines.append(f"Airflow task logs: {_rel(airflow_home / 'logs')} (dag_id=hirewatch_{monitor}, "
                 f"dag_id=hirewatch_digest_{monitor})")
    lines.append(f"search them: .venv/bin/hirewatch search --monitor {monitor}")
    lines.append("click through the runs: make airflow-ui, then http://127.0.0.1:8080")
    return lines, True


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    monitor = args[0] if args else "example"
    lines, ok = summary(monitor)
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
