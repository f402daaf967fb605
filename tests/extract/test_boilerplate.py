"""The feed's own boilerplate is left out of an entry's text; the story and look-alikes stay.

Data-driven over tests/fixtures/boilerplate: the fixtures written for the project (one per kind
of box, in en, nl, de, sv, no and da, and one of look-alikes that must all stay) with their
expectations, and a real TechCrunch article body with its CrunchBase widget (realdata/).
Both readings (lxml's walk and the BeautifulSoup fallback) are checked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hirewatch.extract.boilerplate import RELATED_PHRASES, is_box, is_box_token, is_phrase
from hirewatch.extract.html_text import _soup_text, html_to_text
from lxml import etree

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "boilerplate"
EXPECTATIONS = json.loads((FIXTURES / "expectations.json").read_text(encoding="utf-8"))
SPEC = FIXTURES / "realdata" / "extractula__dom_extractor_spec.rb"


def both_readings(html: str) -> list[str]:
    html_to_text.cache_clear()
    return [html_to_text(html), _soup_text(html)]


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_the_box_is_gone_and_the_story_stays(name: str) -> None:
    html = (FIXTURES / name).read_text(encoding="utf-8")
    for text in both_readings(html):
        for sentence in EXPECTATIONS[name]["keep"]:
            assert sentence in text, (name, sentence, text)
        for boilerplate in EXPECTATIONS[name]["gone"]:
            assert boilerplate not in text, (name, boilerplate, text)


def test_every_fixture_has_expectations() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.html")) == sorted(EXPECTATIONS)


def _ruby_string(body: str) -> str:
    """A Ruby double-quoted string's (or heredoc's) text, escapes read as Ruby reads them."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def real_article_bodies() -> dict[str, str]:
    """The article bodies in pauldix/extractula's spec (real pages of December 2009)."""
    spec = SPEC.read_text(encoding="utf-8")
    bodies = [_ruby_string(m.group(1)) for m in re.finditer(r'content\.should == "((?:[^"\\]|\\.)*)"', spec)]
    heredoc = re.search(r"s = <<-EOS\n(.*?)\nEOS\n", spec, re.DOTALL)
    assert heredoc is not None and len(bodies) == 3
    return {"typepad": bodies[0], "techcrunch": _ruby_string(heredoc.group(1)), "mashable": bodies[1],
            "businessinsider": bodies[2]}


def paragraphs(html: str) -> list[str]:
    root = etree.fromstring(html, etree.HTMLParser())
    found = [" ".join("".join(p.itertext()).split()) for p in root.iter("p", "blockquote")]
    return [p for p in found if p]


@pytest.mark.parametrize("site", ["techcrunch", "typepad", "mashable", "businessinsider"])
def test_a_real_article_keeps_every_paragraph(site: str) -> None:
    html = real_article_bodies()[site]
    for text in both_readings(html):
        flat = " ".join(text.split())
        for paragraph in paragraphs(html):
            assert paragraph in flat, (site, paragraph)


def test_techcrunchs_crunchbase_widget_is_left_out_of_a_real_article() -> None:
    html = real_article_bodies()["techcrunch"]
    assert 'class="cbw snap_nopreview"' in html
    for text in both_readings(html):
        assert "CrunchBase Information" not in text and "Information provided by" not in text
        assert text.endswith("Is YouTube helping developers or thwarting them?")


@pytest.mark.parametrize("token", ["cbw", "jp-relatedposts", "sharedaddy", "yarpp-related", "feedflare",
                                   "addtoany_share_save_container", "sd-sharing", "related-posts",
                                   "td-related-articles", "entry-share-buttons", "author-bio",
                                   "newsletter-signup", "Related_Posts", "mc_embed_signup",
                                   "subscription-widget-wrap-editor"])
def test_boilerplate_tokens(token: str) -> None:
    assert is_box_token(token)


@pytest.mark.parametrize("token", ["shared-review", "related-to", "sharing-economy", "share-price",
                                   "tag-related-posts", "category-newsletter", "tag-author-bio",
                                   "newsletters-archive", "cbw_content", "review", "entry-content",
                                   "snap_nopreview", "post-sharing-policy"])
def test_look_alike_tokens_are_not_boxes(token: str) -> None:
    assert not is_box_token(token)


def test_tokens_are_matched_whole_never_as_substrings() -> None:
    # A class attribute is split at spaces; each token is compared whole.
    assert not is_box("div", "shared-review related-to sharing-economy", None)
    assert is_box("div", "entry related", None)
    assert not is_box("div", "entry relatedness", None)
    assert is_box("section", None, "jp-relatedposts")
    assert not is_box("article", "related-posts", None)  # never a whole article


def test_an_entry_wrapped_whole_in_a_box_class_is_read_without_the_rules() -> None:
    html = '<div class="share"><p>Brightwave cut 200 jobs.</p><h3>Related</h3><ul><li><a href="x">A</a></li></ul></div>'
    assert both_readings(html) == ["Brightwave cut 200 jobs.\n\nRelated\n\nA"] * 2


def test_related_phrases_cover_the_six_languages() -> None:
    for phrase in ("Related:", "Read more »", "Lees ook", "Mehr zum Thema", "Läs också:", "Les også",
                   "Læs også", "Relaterede artikler", "Share this:"):
        assert is_phrase(phrase), phrase
    assert not is_phrase("Related work by others")
    assert all(p == p.lower() and p.strip() == p for p in RELATED_PHRASES)
