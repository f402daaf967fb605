"""The review record every review reader produces, and the value parsers they share: numbers,
counts, ratings on any scale, dates (ISO, epoch, a few fixed formats, then words via
:mod:`hirewatch.extract.dates`), employment status from a site's wording, text from markup.

Used by the page extractor (:mod:`hirewatch.extract.review_extract`), the site adapters, the
microformats reader and the export readers. Nothing here raises on odd input.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from bs4 import BeautifulSoup

from hirewatch.records import RawItem

DEFAULT_BEST, DEFAULT_WORST = 5.0, 1.0


# --------------------------------------------------------------------------- values


def parse_number(value: Any) -> float | None:
    """A number from JSON-LD: ``4``, ``"4.5"``, ``"4,5"``, ``" 4.5 stars"``, ``"4.5/5"``
    (the part before the slash). None when there is no number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):
        return parse_number(value.get("@value", value.get("value")))
    if not isinstance(value, str):
        return None
    match = re.search(r"-?\d+(?:[.,]\d+)?", value)
    if not match:
        return None
    return float(match.group(0).replace(",", "."))


def parse_count(value: Any) -> int | None:
    """A count: ``280``, ``"1,234"``, ``"1.234"``, ``"89 reviews"``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        match = re.search(r"\d[\d.,\s\u00a0\u202f]*", value)
        if match:
            digits = re.sub(r"\D", "", match.group(0))
            return int(digits) if digits else None
    return None


@dataclass(frozen=True, slots=True)
class Rating:
    """A rating as the site gave it and normalised to 0..1 (``worst`` -> 0, ``best`` -> 1)."""

    value: float
    best: float
    worst: float
    normalised: float

    def to_dict(self) -> dict[str, float]:
        return {"value": self.value, "best": self.best, "worst": self.worst, "normalised": self.normalised}


def normalise_rating(value: Any, best: Any = None, worst: Any = None) -> Rating | None:
    """A :class:`Rating` from ``ratingValue``/``bestRating``/``worstRating`` (defaults 5 and 1,
    as schema.org says; ``"4/5"`` gives best 5; ``"80%"`` gives a 0..100 scale). Values outside the
    scale are clamped. None when the value is not a number or the scale is empty."""
    number = parse_number(value)
    if number is None:
        return None
    best_n, worst_n = parse_number(best), parse_number(worst)
    if best_n is None and isinstance(value, str):
        slash = re.search(r"/\s*(\d+(?:[.,]\d+)?)", value)
        if slash:
            best_n = float(slash.group(1).replace(",", "."))
        elif "%" in value:
            best_n, worst_n = 100.0, 0.0 if worst_n is None else worst_n
    if best_n is None:
        best_n = DEFAULT_BEST
    if worst_n is None:
        worst_n = DEFAULT_WORST if best_n > DEFAULT_WORST else 0.0
    if best_n <= worst_n:
        return None
    normalised = min(1.0, max(0.0, (number - worst_n) / (best_n - worst_n)))
    return Rating(number, best_n, worst_n, round(normalised, 4))


def parse_date(value: Any) -> datetime | None:
    """An aware UTC datetime from ISO 8601 (date or date-time, ``Z`` or offset), an epoch number
    (seconds or milliseconds), a few fixed formats, else a date in words read by dateparser in the
    languages of the current :func:`~hirewatch.extract.dates.date_context`; naive times are UTC."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for fmt in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d.%m.%Y", "%Y/%m/%d"):
            try:
                parsed = datetime.strptime(value.strip(), fmt)
                break
            except ValueError:
                continue
        else:
            from hirewatch.extract.dates import parse_natural

            return parse_natural(value)  # "5. März 2024", "vor 2 Tagen": see extract/dates.py
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


_CURRENT = re.compile(r"current (?:employee|employer|job)|huidige medewerker|employ[ée]\(?e?\)? actuel|"
                      r"derzeitige|aktuelle[rn]? (?:angestellte|mitarbeiter)|\bangestellte/r oder|"
                      r"currently (?:work|employed)", re.IGNORECASE)
_FORMER = re.compile(r"former (?:employee|employer|job)|ex-?employee|ex-angestellte|ehemalige|oud-medewerker|"
                     r"voormalig|ancien(?:ne)? employ|previously (?:worked|employed)", re.IGNORECASE)


#: Only a status that is nothing but this ("Bewerber/in", "(Job Applicant)"): a role such as
#: "Candidate Experience Manager" is an employee.
_APPLICANT = re.compile(r"\(?\s*(?:job |interview )?(?:applicant|candidate|bewerber(?:/in|in)?|sollicitant|"
                        r"candidat(?:e)?)\s*\)?", re.IGNORECASE)


def employment_from_text(text: str | None) -> str | None:
    """``"current"``, ``"former"``, ``"applicant"`` or None from a site's wording ("Former
    Employee", "Ex-Angestellte/r", "Huidige medewerker", "Bewerber/in", ...)."""
    if not text:
        return None
    if _APPLICANT.fullmatch(text.strip()):
        return "applicant"
    if _FORMER.search(text):
        return "former"
    if _CURRENT.search(text):
        return "current"
    return None


_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|tr|blockquote)\s*>", re.IGNORECASE)


def jsonld_text(value: Any) -> str:
    """Plain text from a JSON-LD text value: strings joined, markup removed, whitespace collapsed
    per line."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(t for t in (jsonld_text(v) for v in value) if t)
    if isinstance(value, dict):
        # ItemList (positiveNotes / negativeNotes) or a ListItem.
        if "itemListElement" in value:
            return jsonld_text(value["itemListElement"])
        for key in ("name", "text", "description", "@value", "value"):
            if key in value:
                return jsonld_text(value[key])
        return ""
    text = str(value)
    if "<" in text and ">" in text:
        text = _BLOCK_END.sub(lambda m: m.group(0) + "\n", text)
        text = BeautifulSoup(text, "html.parser").get_text()
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName")
    text = jsonld_text(value) if value is not None else ""
    return text or None


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """One review in the site-neutral shape every extractor produces."""

    site: str
    review_id: str | None
    title: str = ""
    body: str = ""
    pros: str = ""
    cons: str = ""
    advice: str = ""
    rating: Rating | None = None
    role: str | None = None
    location: str | None = None
    employment: str | None = None
    published: datetime | None = None
    author: str | None = None
    url: str | None = None
    language: str | None = None
    about: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> str:
        """The site's own id; without one, a hash of what the review says (stable across runs)."""
        if self.review_id:
            return self.review_id
        basis = "\x1f".join([self.author or "", self.published.isoformat() if self.published else "",
                             self.title, self.body, self.pros, self.cons])
        return "h" + hashlib.sha256(basis.encode()).hexdigest()[:20]

    @property
    def key(self) -> str:
        return f"review:{self.site}:{self.identity}"

    def text(self) -> str:
        """The review as one plain text: body, then pros / cons / advice with their labels."""
        parts = [self.body] if self.body else []
        for label, value in (("Pros", self.pros), ("Cons", self.cons), ("Advice to management", self.advice)):
            if value:
                parts.append(f"{label}: {value}")
        return "\n".join(parts)

    def to_item(self, page_url: str) -> RawItem:
        """The review as a :class:`RawItem` (``key`` = ``review:<site>:<id>``; review fields in
        ``extra``)."""
        url = self.url or f"{page_url.split('#', 1)[0]}#review-{quote(self.identity.rsplit('/', 1)[-1], safe='')}"
        extra: dict[str, Any] = {
            "site": self.site,
            "review_id": self.review_id,
            "rating": self.rating.normalised if self.rating else None,
            "rating_raw": self.rating.to_dict() if self.rating else None,
            "pros": self.pros or None,
            "cons": self.cons or None,
            "advice": self.advice or None,
            "role": self.role,
            "location": self.location,
            "employment": self.employment,
            "about": self.about,
            "language": self.language,
            "page_url": page_url,
            **self.extra,
        }
        return RawItem(
            title=self.title or (self.body.splitlines()[0][:120] if self.body else ""),
            url=url,
            text=self.text(),
            author=self.author,
            published=self.published,
            guid=self.review_id,
            key=self.key,
            extra={k: v for k, v in extra.items() if v is not None},
        )


@dataclass(frozen=True, slots=True)
class AggregateRating:
    """The site's overall rating of the employer as shown on the page."""

    site: str
    rating: Rating
    review_count: int | None = None
    rating_count: int | None = None
    about: str | None = None

    @property
    def count(self) -> int | None:
        return self.review_count if self.review_count is not None else self.rating_count

    def to_dict(self) -> dict[str, Any]:
        return {"site": self.site, **self.rating.to_dict(), "review_count": self.review_count,
                "rating_count": self.rating_count, "about": self.about}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AggregateRating:
        rating = Rating(float(data["value"]), float(data["best"]), float(data["worst"]), float(data["normalised"]))
        return cls(str(data["site"]), rating, data.get("review_count"), data.get("rating_count"), data.get("about"))
