"""``hirewatch import FILE --monitor M``: one review export (JSON, NDJSON, CSV) into the store,
through the same readers as a ``type: review`` source with a ``file:`` URL and the same stages as a
run (match, enrich, store).

The export is read with the column mapping of the monitor's review source named by ``source``
(else the only one with ``columns:``), as that source's site. Re-importing the same file adds
nothing: the reviews' keys are the site's own ids. Imported reviews are history, not news: those
the decide step would alert are marked ``suppressed`` (reason ``imported``) instead of waiting in
the alert outbox, unless ``alert`` is set. ``dry_run`` reads, matches and counts without storing.

Called by the CLI. Returns a :class:`~hirewatch.report.RunReport` with one source line
(``import:<file name>``); raises :class:`~hirewatch.errors.ConfigError` for a source that is not a
review source and :class:`~hirewatch.errors.SourceError` (``NothingRecognised``) for a file
without a review.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from hirewatch.config import Monitor, SourceSpec
from hirewatch.errors import ConfigError, NothingRecognised
from hirewatch.mention import utcnow
from hirewatch.records import CrawlState, Document, FetchOutcome
from hirewatch.report import RunReport, SourceReport

if TYPE_CHECKING:
    from hirewatch.stores.base import MentionStore

IMPORTED = "imported"


def _spec(monitor: Monitor, path: Path, source: str | None) -> SourceSpec:
    """The review source spec the file is read as: the named source's mapping and site, or the
    only review source with ``columns:``, else none (Trustpilot and Glassdoor exports need none)."""
    from hirewatch.sources.review_source import ReviewSpec

    reviews = [s for s in monitor.sources if isinstance(s, ReviewSpec)]
    if source is not None:
        chosen = next((s for s in monitor.sources if s.name == source), None)
        if not isinstance(chosen, ReviewSpec):
            names = ", ".join(s.name for s in reviews) or "none"
            raise ConfigError(f"--source {source!r}: expected a review source of monitor {monitor.name!r} "
                              f"(review sources: {names})", path=monitor.path)
    else:
        mapped = [s for s in reviews if s.columns]
        chosen = mapped[0] if len(mapped) == 1 else None
    name = f"import:{path.name}"
    return ReviewSpec(name=name, type="review", url=f"file:{path.name}",
                      site=chosen.site if chosen else None, entity=chosen.entity if chosen else None,
                      columns=chosen.columns if chosen else None)


def import_file(monitor: Monitor, store: MentionStore, path: Path, *, source: str | None = None,
                dry_run: bool = False, alert: bool = False) -> RunReport:
    """Import one export file into ``store`` (see the module docstring)."""
    from hirewatch.extract.review_exports import read_export
    from hirewatch.pipeline import _previous_versions, _process_here, _store_source
    from hirewatch.sources.registry import build_source

    spec = _spec(monitor, path, source)
    report = RunReport(monitor=monitor.name, started=utcnow())
    line = SourceReport(source=spec.name, kind="import")
    report.sources.append(line)
    started = time.perf_counter()
    body = path.read_bytes()
    try:
        read = read_export(body, path.name, columns=spec.columns, site=spec.site)  # type: ignore[attr-defined]
    except NothingRecognised as exc:
        line.status, line.error = "failed", exc.reason or str(exc)
        report.finished = utcnow()
        return report
    document = Document(url=spec.url, status=200, body=body)
    outcome = FetchOutcome((document,), CrawlState(), found=len(read.records), via=read.via, notes=tuple(read.notes))
    processed = _process_here(monitor, spec, [document], utcnow(), store)
    mentions = [m for p in processed for m in p.mentions]
    stored = _previous_versions(store, processed)
    if dry_run:
        line.items, line.via, line.bozo = len(read.records), read.via, "; ".join(read.notes) or None
        line.mentions = len(mentions)
        line.new_mentions = sum(1 for m in mentions if m.id not in stored)
        line.negatives = sum(1 for m in mentions if m.id not in stored and m.is_negative and not m.is_competitor)
        report.notes.append("dry run: nothing was stored")
    else:
        report.store_failures = _store_source(monitor, build_source(spec, monitor), outcome, processed, store, line,
                                              persist_state=False)
        wanted = [m.id for m in mentions if m.id not in stored and m.wants_alert]
        if wanted and not alert:
            store.mark_alert_suppressed(wanted, IMPORTED)
            report.notes.append(f"{len(wanted)} imported mentions that would be alerted are not ({IMPORTED}); "
                                "--alert sends them")
    line.seconds = round(time.perf_counter() - started, 3)
    report.finished = utcnow()
    return report
