"""Review exports (JSON, NDJSON, CSV) -> :class:`~hirewatch.extract.review_extract.ReviewRecord` s.

Shapes read, wherever they sit in the document (a list, ``{"reviews": [...]}``, a whole Next.js
``__NEXT_DATA__`` page):

* **Trustpilot**: the reviews of its page data (``id``, ``title``, ``text``, ``rating``,
  ``dates.publishedDate``, ``consumer.displayName``/``countryCode``, ``reply.message``,
  ``language``) and of its API (``stars``, ``createdAt``, ``companyReply``), one mapping for both
  (:func:`hirewatch.extract.review_sites.trustpilot.record_from_review`);
* **Glassdoor** review JSON (``reviewId``, ``ratingOverall``, ``summary``, ``pros``, ``cons``,
  ``advice``, ``jobTitle``, ``employmentStatus``, ``isCurrentJob``, ``reviewDateTime``);
* **columns**: a CSV (or JSON objects) whose columns the monitor file names
  (``columns: {id: Review ID, text: Comment, rating: Stars, date: Date}``); without a mapping,
  columns named like the fields (``id``, ``title``, ``text``, ``rating``, ``date``, ...) are read.

The site's own review id is the record's identity, so importing the same file twice adds nothing.
The bytes are decoded by :mod:`hirewatch.extract.text_decoding` (repairs reported). Called by
``hirewatch import`` and by ``type: review`` sources whose ``url`` is ``file:...``. Raises
:class:`~hirewatch.errors.NothingRecognised` for a file in which no review is recognised.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hirewatch.errors import NothingRecognised
from hirewatch.extract.review_records import (
    ReviewRecord,
    employment_from_text,
    jsonld_text,
    normalise_rating,
    parse_date,
)
from hirewatch.extract.text_decoding import decode_text

#: The fields a column mapping may name (``columns:`` in a monitor's review source).
FIELDS = ("id", "title", "text", "rating", "best", "date", "author", "role", "location", "pros", "cons",
          "advice", "employment", "language", "url")
#: At most this many rows are read from one export (a bigger file is cut and the cut reported).
MAX_ROWS = 100_000


@dataclass(slots=True)
class ExportRead:
    """What one export held: its records, how it was read, and what was repaired or skipped."""

    records: list[ReviewRecord]
    format: str
    shape: str
    encoding: str
    notes: list[str] = field(default_factory=list)

    @property
    def via(self) -> str:
        return f"file ({self.format}, {self.shape})"


def _get(record: Mapping[str, Any], path: str) -> Any:
    """``record[path]``, following dots into nested objects (``dates.publishedDate``), or a
    flattened CSV column of that name."""
    if path in record:
        return record[path]
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def shape_of(record: Mapping[str, Any]) -> str | None:
    """``trustpilot``, ``glassdoor`` or None for one exported review object."""
    if "reviewId" in record or "ratingOverall" in record:
        return "glassdoor"
    rated = "rating" in record or "stars" in record or "Review Stars" in record
    dated = any(k in record or _get(record, k) is not None for k in ("dates.publishedDate", "createdAt"))
    if rated and (dated or "consumer" in record or "consumer.displayName" in record):
        return "trustpilot"
    return None


def _review_objects(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every object of a known review shape in a JSON document, not descending into one."""
    if depth > 12:
        return
    if isinstance(value, dict):
        if shape_of(value):
            yield value
            return
        for member in value.values():
            yield from _review_objects(member, depth + 1)
    elif isinstance(value, list):
        for member in value:
            yield from _review_objects(member, depth + 1)


def _objects(value: Any) -> list[dict[str, Any]]:
    """The review-like objects of a document: a list of objects, or the first list of objects
    found inside it (``{"reviews": [...]}``)."""
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    if isinstance(value, dict):
        for member in value.values():
            found = _objects(member) if isinstance(member, list | dict) else []
            if found:
                return found
    return []


def from_columns(row: Mapping[str, Any], columns: Mapping[str, str], site: str) -> ReviewRecord:
    """One row read through a column mapping (field -> column name; unnamed fields by their own
    name)."""
    def cell(name: str) -> Any:
        value = _get(row, columns.get(name, name))
        return value.strip() if isinstance(value, str) else value

    employment = cell("employment")
    return ReviewRecord(
        site=site,
        review_id=str(cell("id")) if cell("id") not in (None, "") else None,
        title=jsonld_text(cell("title")),
        body=jsonld_text(cell("text")),
        pros=jsonld_text(cell("pros")),
        cons=jsonld_text(cell("cons")),
        advice=jsonld_text(cell("advice")),
        rating=normalise_rating(cell("rating"), cell("best")),
        role=jsonld_text(cell("role")) or None,
        location=jsonld_text(cell("location")) or None,
        employment=employment_from_text(str(employment)) if employment else None,
        published=parse_date(cell("date")),
        author=jsonld_text(cell("author")) or None,
        url=str(cell("url")) if str(cell("url") or "").startswith(("http://", "https://")) else None,
        language=jsonld_text(cell("language")) or None,
    )


def _record(obj: Mapping[str, Any], columns: Mapping[str, str] | None, site: str | None) -> tuple[ReviewRecord, str]:
    shape = shape_of(obj)  # a known shape is read whole; the mapping serves the other files
    if shape == "trustpilot":
        from hirewatch.extract.review_sites.trustpilot import record_from_review

        return record_from_review(obj), shape
    if shape == "glassdoor":
        from hirewatch.extract.review_sites.glassdoor import record_from_export

        return record_from_export(obj), shape
    return from_columns(obj, columns or {}, site or "import"), "columns"


def _parse(text: str, name: str) -> tuple[str, list[dict[str, Any]]]:
    """(format, objects) of the document: JSON, NDJSON (one JSON value a line) or CSV."""
    stripped = text.lstrip()
    if stripped[:1] in ("[", "{") and not name.lower().endswith((".csv", ".tsv")):
        try:
            document = json.loads(stripped)
        except json.JSONDecodeError:
            values = [json.loads(line) for line in stripped.splitlines() if line.strip()[:1] in ("{", "[")]
            return "ndjson", [o for v in values for o in (list(_review_objects(v)) or _objects([v]))]
        found = list(_review_objects(document))
        return "json", found or _objects(document)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return "csv", list(csv.DictReader(io.StringIO(text), dialect=dialect))


def read_export(body: bytes, name: str = "", *, columns: Mapping[str, str] | None = None,
                site: str | None = None) -> ExportRead:
    """Every review of one export. Raises :class:`NothingRecognised` (saying what the file held)
    when none is recognised; a row that cannot be read is skipped and counted in the notes."""
    decoded = decode_text(body)
    notes = list(decoded.notes)
    try:
        fmt, objects = _parse(decoded.text, name)
    except (json.JSONDecodeError, csv.Error) as exc:
        raise NothingRecognised(f"file read, not JSON, NDJSON or CSV: {exc}") from None
    if len(objects) > MAX_ROWS:
        notes.append(f"only the first {MAX_ROWS} of {len(objects)} rows were read")
        objects = objects[:MAX_ROWS]
    records: list[ReviewRecord] = []
    shapes: dict[str, int] = {}
    empty = 0
    for obj in objects:
        record, shape = _record(obj, columns, site)
        if not (record.body or record.title or record.pros or record.cons):
            empty += 1
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        records.append(record)
    if empty:
        notes.append(f"{empty} row{'s' if empty != 1 else ''} without any review text skipped")
    if not records:
        first = ", ".join(sorted(map(str, objects[0]))[:10]) if objects else "nothing"
        raise NothingRecognised(
            f"file read ({fmt}), no reviews recognised: expected Trustpilot reviews (rating, dates.publishedDate), "
            f"Glassdoor reviews (reviewId, ratingOverall) or the columns the monitor names; first row has {first}")
    shape = max(shapes, key=lambda k: shapes[k])
    return ExportRead(records, fmt, shape, decoded.encoding, notes)
