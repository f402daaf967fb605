"""Names written the way the world writes them: Turkish capitals (İ/ı), and invisible characters
(zero-width spaces, soft hyphens, bidi marks) inside a name. The matcher finds them, and the feed
pre-filter never rules such an item out before the matcher sees it. Real feeds over HTTP on
127.0.0.1, the real pipeline and SQLite store. Written for this project."""

from __future__ import annotations

import pytest
from hirewatch.match.employer_matcher import EmployerMatcher
from hirewatch.pipeline import run_monitor
from hirewatch.stores.sqlite_store import SqliteStore

from tests.reliability.conftest import rss
from tests.support.monitors import make_monitor
from tests.support.web_server import WebServer

TURKISH = {"name": "İş Bankası"}
WRITTEN = ["İŞ BANKASI mülakatı çok kötüydü", "iş bankası işe alım süreci", "IŞ BANKASI", "İş Bankası'nın",
           "Is Bankasi"]
HIDDEN = {"zero-width space": "Ac\u200bme", "soft hyphen": "Ac\u00adme", "zero-width joiner": "A\u200dcme",
          "word joiner": "Acm\u2060e", "left-to-right mark": "\u200eAcme\u200f", "bidi override": "\u202eAcme\u202c",
          "BOM": "\ufeffAcme", "soft hyphen entity": "Ac&shy;me", "zero-width entity": "Ac&#8203;me"}


@pytest.mark.parametrize("text", WRITTEN)
def test_turkish_dotted_and_dotless_i_match(text: str) -> None:
    matcher = EmployerMatcher(make_monitor([{"type": "rss", "url": "https://x.example/f"}], employer=TURKISH))
    assert [m.entity.name for m in matcher.match(text, "")] == ["İş Bankası"], text


@pytest.mark.parametrize("name", HIDDEN)
def test_invisible_characters_inside_a_name_do_not_hide_it(name: str) -> None:
    matcher = EmployerMatcher(make_monitor([{"type": "rss", "url": "https://x.example/f"}]))
    text = HIDDEN[name].replace("&shy;", "\u00ad").replace("&#8203;", "\u200b")
    assert [m.entity.name for m in matcher.match(f"{text} interview was a disaster", "")] == ["Acme"], name


def test_such_items_pass_the_feed_prefilter_and_are_stored(web: WebServer, store: SqliteStore) -> None:
    items = [{"title": f"{written} #{n}", "link": f"https://news.example/tr/{n}", "description": "Kötü bir deneyim."}
             for n, written in enumerate(WRITTEN)]
    items += [{"title": f"{hidden} ghosted every candidate #{n}", "link": f"https://news.example/h/{n}",
               "description": "Awful."} for n, hidden in enumerate(HIDDEN.values())]
    web.set("/tr.xml", rss(items[:len(WRITTEN)]))
    web.set("/hidden.xml", rss(items[len(WRITTEN):]))
    turkish = make_monitor([{"type": "rss", "name": "tr", "url": web.url("/tr.xml")}], employer=TURKISH)
    report = run_monitor(turkish, store, alert=False)
    assert report.sources[0].mentions == len(WRITTEN), report.sources[0]
    hidden = make_monitor([{"type": "rss", "name": "hidden", "url": web.url("/hidden.xml")}])
    report = run_monitor(hidden.model_copy(update={"name": "acme2"}), store, alert=False)
    assert report.sources[0].mentions == len(HIDDEN), report.sources[0]
