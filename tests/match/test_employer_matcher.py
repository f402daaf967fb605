"""The employer matcher: whole words, case and accents, aliases, handles, exclusions, competitors;
and over real alert-feed hits fetched over HTTP."""

from __future__ import annotations

import re

import pytest
from hirewatch.match.employer_matcher import EmployerMatcher, Match
from hirewatch.records import RawItem

from tests.conftest import FIXTURES, REALDATA
from tests.support.monitors import feed_source, fetch_items, make_monitor
from tests.support.web_server import WebServer


def matcher(**employer) -> EmployerMatcher:
    competitors = employer.pop("competitors", [])
    return EmployerMatcher(make_monitor([{"type": "rss", "url": "https://x.example/feed"}],
                                        employer=employer, competitors=competitors))


def names(matches: list[Match]) -> list[str]:
    return [m.entity.name for m in matches]


@pytest.mark.parametrize(("text", "found"), [
    ("Acme is hiring", True),
    ("ACME IS HIRING", True),
    ("worked at acme.", True),
    ("(Acme) rejected me", True),
    ("Acmeware is a different firm", False),
    ("the AcmeCorp office", False),
    ("subacme", False),
    ("", False),
])
def test_whole_words_any_case(text: str, found: bool) -> None:
    assert bool(matcher(name="Acme").match(text, "")) is found


def test_accents_fold_both_ways() -> None:
    m = matcher(name="Nestlé")
    assert names(m.match("Nestle cuts graduate jobs", "")) == ["Nestlé"]
    assert names(m.match("NESTLÉ", "")) == ["Nestlé"]
    plain = matcher(name="Nestle")
    (hit,) = plain.match("Interview at Nestlé in Vevey", "")
    assert hit.terms == ("Nestle",)


def test_aliases_and_handles_report_the_terms_found() -> None:
    m = matcher(name="Brightwave Logistics", aliases=["Brightwave", "BWL"], handles=["@brightwave_jobs"])
    (hit,) = m.match("Thanks @brightwave_jobs!", "Brightwave   Logistics replied; BWL said more.")
    assert hit.terms == ("@brightwave_jobs", "Brightwave Logistics", "BWL")
    assert not hit.is_competitor
    assert m.match("mail jobs@brightwave_jobs.example", "") == []  # a handle is not inside an address


def test_multiword_names_span_line_breaks() -> None:
    (hit,) = matcher(name="Brightwave Logistics").match("", "worked at Brightwave\nLogistics for years")
    assert hit.terms == ("Brightwave Logistics",)


def test_exclusion_removes_only_the_occurrences_it_covers() -> None:
    m = matcher(name="Brightwave", exclude=["Brightwave Audio", "brightwave headphones"])
    assert m.match("New Brightwave Audio earbuds reviewed", "") == []
    assert m.match("BRIGHTWAVE HEADPHONES on sale", "") == []
    (hit,) = m.match("Brightwave Audio is not Brightwave the employer", "")
    assert hit.terms == ("Brightwave",)


def test_competitors_come_after_the_employer() -> None:
    m = matcher(name="Acme", competitors=[{"name": "Kestrel Freight", "aliases": ["Kestrel"]},
                                          {"name": "Globex"}])
    matches = m.match("Kestrel pays more than Acme", "Globex? no.")
    assert names(matches) == ["Acme", "Kestrel Freight", "Globex"]
    assert [m.is_competitor for m in matches] == [False, True, True]
    entity, terms = matches[1]  # unpacks as (entity, terms)
    assert entity.name == "Kestrel Freight" and terms == ("Kestrel",)


def test_match_item_reads_title_and_html_body() -> None:
    m = matcher(name="Acme")
    item = RawItem(title="A week of interviews", url="https://x.example/a",
                   html="<p>The office</p><script>var Acme=1</script><!-- Acme -->")
    assert m.match_item(item) == []  # script and comments are not text
    item = RawItem(title="Interviews", url="https://x.example/c", html="<p>The <b>Ac</b>me office</p>")
    assert names(m.match_item(item)) == ["Acme"]  # markup inside a word is still the word
    item = RawItem(title="Interviews", url="https://x.example/b", html="<p>I met <b>Acme</b>'s recruiters</p>")
    assert names(m.match(item)) == ["Acme"]


def test_regex_metacharacters_in_names() -> None:
    m = matcher(name="C&A", aliases=["AT&T (US)", "Yahoo!"])
    assert names(m.match("C&A stores", "")) == ["C&A"]
    assert m.match("Yahoo!", "")[0].terms == ("Yahoo!",)
    assert m.match("CxA", "") == []


def test_talkwalker_hits_that_do_not_mean_the_employer_are_dropped(web: WebServer) -> None:
    url = web.set("/tw.rss", FIXTURES / "sources" / "talkwalker_alerts.xml")
    _, items = fetch_items(feed_source(url, kind="talkwalker"))
    m = matcher(name="Acme", exclude=["ACME catalog"])
    kept = [item.title for item in items if m.match_item(item)]
    assert kept == ["Acme recruiters ghosted me after the final round", "Why Acme's graduate programme is worth it"]


def test_google_alert_hits_are_checked_like_any_item(web: WebServer, realdata) -> None:
    sample = REALDATA / "google_alerts" / "feedjira__google_alerts_atom.xml"
    url = web.set("/ga", sample, content_type="application/atom+xml")
    _, items = fetch_items(feed_source(url, kind="google_alerts"))
    m = matcher(name="Slack")
    # The reference: a hit names Slack when "slack" stands as a word in its title or snippet.
    word = re.compile(r"(?<!\w)slack(?!\w)", re.IGNORECASE)
    expected = [bool(word.search(i.title) or word.search(i.text)) for i in items]
    got = [bool(m.match_item(i)) for i in items]
    assert got == expected
    assert 0 < sum(got) <= len(items) == 20


def test_google_alert_hits_about_a_same_name_product_are_dropped(web: WebServer, realdata) -> None:
    """The sample's alert is "Slack"; some hits are about automotive slack adjusters, a product of
    the same name. With that as an exclusion those hits go, and only those."""
    sample = REALDATA / "google_alerts" / "feedjira__google_alerts_atom.xml"
    url = web.set("/ga", sample, content_type="application/atom+xml")
    _, items = fetch_items(feed_source(url, kind="google_alerts"))
    m = matcher(name="Slack", exclude=["Automotive Slack", "slack adjuster", "slack adjusters"])
    exclusion = re.compile(r"automotive slack|slack adjusters?(?!\w)", re.IGNORECASE)
    word = re.compile(r"(?<!\w)slack(?!\w)", re.IGNORECASE)
    expected = [bool(word.search(exclusion.sub("", f"{i.title}\n{i.text}"))) for i in items]
    got = [bool(m.match_item(i)) for i in items]
    assert got == expected
    assert 0 < expected.count(False) < 20  # some hits are dropped, not all


def test_the_entity_a_review_page_is_about_is_matched_without_its_name_in_the_text() -> None:
    m = matcher(name="Acme Robotics", aliases=["Acme"], competitors=[{"name": "Kestrel"}])
    review = RawItem(title="Langweilig.", url="https://reviews.example/acme#r1", text="Langweilig.",
                     extra={"entity": "Acme Robotics"})
    [found] = m.match_item(review)
    assert (found.entity.name, found.terms, found.is_competitor) == ("Acme Robotics", ("Acme Robotics",), False)
    # a competitor's review page; the text naming the employer too keeps the employer first
    both = RawItem(title="", url="https://reviews.example/k#r2", text="Better than Acme.",
                   extra={"entity": "Kestrel"})
    assert names(m.match_item(both)) == ["Acme Robotics", "Kestrel"]
    # an entity the monitor does not watch adds nothing
    other = RawItem(title="", url="https://reviews.example/o#r3", text="Fine.", extra={"entity": "Globex"})
    assert m.match_item(other) == []
