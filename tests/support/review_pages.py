"""Builds small schema.org review pages for the review source and submit tests (written for this
project): each review is a JSON-LD ``Review`` with its own ``@id``; pages link with ``rel=next``."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class FakeReview:
    id: str
    title: str
    body: str
    rating: int = 3


def review_page(reviews: list[FakeReview], *, next_href: str | None = None, employer: str = "Brightwave Logistics",
                aggregate: tuple[float, int] | None = (3.2, 120)) -> str:
    graph: list[dict] = [{
        "@type": "Organization", "name": employer,
        **({"aggregateRating": {"@type": "AggregateRating", "ratingValue": str(aggregate[0]),
                                "reviewCount": str(aggregate[1])}} if aggregate else {}),
    }]
    for review in reviews:
        graph.append({"@type": "Review", "@id": f"urn:review:{review.id}", "name": review.title,
                      "reviewBody": review.body, "datePublished": "2024-05-01",
                      "reviewRating": {"@type": "Rating", "ratingValue": review.rating},
                      "itemReviewed": {"@type": "Organization", "name": employer}})
    link = f'<link rel="next" href="{next_href}">' if next_href else ""
    data = json.dumps({"@context": "https://schema.org", "@graph": graph})
    return f"""<!DOCTYPE html><html><head><title>{employer} reviews</title>{link}
<script type="application/ld+json">{data}</script></head><body><h1>{employer}</h1></body></html>"""


def reviews(prefix: str, count: int, rating: int = 2) -> list[FakeReview]:
    return [FakeReview(f"{prefix}{i}", f"Review {prefix}{i}", f"The interview process at Brightwave was slow ({i}).",
                       rating) for i in range(count)]


def unrecognised_page(employer: str = "Brightwave Logistics") -> str:
    """A reviews page whose reviews no reader knows: plain divs, no schema.org, no microformats
    (what a site's redesign leaves a crawler with)."""
    return f"""<!DOCTYPE html><html><head><title>{employer} reviews</title></head><body>
<h1>{employer}</h1><div class="rv-card"><div class="rv-stars">2</div><h3>Slow hiring</h3>
<p>The interview process at Brightwave took months.</p></div></body></html>"""


#: A monitor file whose review source reads the candidate-survey CSV export
#: (tests/fixtures/reviews/exports/reviews_mixed_encoding.csv) through a column mapping; tests
#: append further sources.
SURVEY_MONITOR = """
employer: {name: Brightwave Logistics}
sources:
  - name: survey
    type: review
    url: file:exports/survey.csv
    site: candidate-survey
    columns: {id: Review ID, date: Posted, rating: Stars, title: Headline, text: Comment, author: Reviewer}
"""
