"""What ``make run`` prints after its runs: the store's count splits into the employer's mentions
(what the digest and the alerts count) and the competitors', so the numbers agree with the
digest's; the dry run is said once, without contradicting the counts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.dags.conftest import Run, open_sqlite

pytestmark = [pytest.mark.airflow, pytest.mark.xdist_group("airflow")]


def test_the_summary_counts_agree_with_the_digest(example_run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from hirewatch.dags.run_summary import summary
    from hirewatch.stores.base import MentionQuery

    for key in ("HIREWATCH_SQLITE_PATH", "HIREWATCH_STORE", "HIREWATCH_SLACK_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HIREWATCH_HOME", str(example_run.home))
    lines, ok = summary("example")
    assert ok
    (line,) = [x for x in lines if x.startswith("store (")]
    found = re.search(r": (\d+) mentions of monitor 'example': (\d+) of Brightwave Logistics \((\d+) negative, "
                      r"(\d+) alerts pending in the outbox\)(?:, (\d+) of competitors)?$", line)
    assert found, line
    total, own, negative, pending = (int(found.group(i)) for i in range(1, 5))
    store = open_sqlite(Path(example_run.home))
    try:
        stored = [h.mention for h in store.search(MentionQuery(monitor="example", limit=10_000))]
        assert total == len(stored)
        assert own == sum(1 for m in stored if not m.is_competitor)
        assert negative == pending == len(store.pending_alerts("example"))
        assert int(found.group(5) or 0) == total - own
    finally:
        store.close()
    assert "no Slack token: the alerts were a dry run" in "\n".join(lines)
