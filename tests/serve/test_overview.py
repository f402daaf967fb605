"""The front page's counts: the digest's rules (local days of first sight, the employer's own
mentions in the trend and topics, competitors beside it), over a real store file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hirewatch.serve.overview import tally
from hirewatch.stores.sqlite_store import SqliteStore

from tests.stores.conftest import make_mention

NOW = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)  # the morning after the clocks went forward in Amsterdam


def test_days_are_local_and_competitors_stay_out_of_the_trend(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    late = datetime(2026, 3, 29, 22, 30, tzinfo=UTC)  # 30 March 00:30 in Amsterdam, 29 March in UTC
    with SqliteStore(path) as store:
        store.upsert_mentions([
            make_mention("late", fetched=late, sentiment_label="negative", sentiment_score=-0.7,
                         topics=("interview", "recruiter"), topic_sentiment={"recruiter": 0.4}),
            make_mention("early", fetched=late - timedelta(hours=2), sentiment_label="positive", sentiment_score=0.5),
            make_mention("rival", employer="Globex", fetched=late, is_competitor=True, sentiment_label="negative",
                         topics=("interview",)),
            make_mention("old", fetched=NOW - timedelta(days=20), sentiment_label="negative"),
        ])
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        amsterdam = tally(conn, "Europe/Amsterdam", now=NOW)
        utc = tally(conn, "UTC", now=NOW)
    finally:
        conn.close()
    assert (amsterdam.first, amsterdam.last) == (date(2026, 3, 17), date(2026, 3, 30))
    assert (amsterdam.total, amsterdam.negative) == (2, 1)  # the competitor and the 20-day-old one left out
    assert "29 Mar 1, 30 Mar 1" in amsterdam.trend_svg and "28 Mar 0, 29 Mar 2, 30 Mar 0" in utc.trend_svg
    assert "Interview 1 (1 negative); Recruiter contact 1 (0 negative)" in amsterdam.topics_svg  # its own score
    assert "Acme 2 (1 negative); Globex (competitor) 1 (1 negative)" in amsterdam.entities_svg
