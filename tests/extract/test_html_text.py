"""HTML -> text."""

from __future__ import annotations

from hirewatch.extract.html_text import html_to_text, inline_text, normalise_space


def test_scripts_styles_and_comments_are_dropped() -> None:
    html = ("<html><head><title>T</title><style>p{color:red}</style></head><body>"
            "<p>Hello <b>world</b>&nbsp;!</p><script>alert('x')</script><!-- hidden -->"
            "<noscript>enable js</noscript><div>Second<br>line</div> tail &amp; more</body></html>")
    assert html_to_text(html) == "Hello world !\n\nSecond\nline\ntail & more"


def test_blocks_end_lines_inline_does_not() -> None:
    assert html_to_text("<p>a <b>b</b></p>c") == "a b\nc"
    assert html_to_text("<ul><li>one</li><li>two</li></ul>") == "one\n\ntwo"
    assert html_to_text("x<span>y</span>z") == "xyz"


def test_plain_text_passes_with_normalised_space() -> None:
    assert html_to_text("  plain   text\n\n\n\n next ") == "plain text\n\nnext"
    assert html_to_text("") == ""
    assert html_to_text("a < b and c > d") == "a < b and c > d"


def test_broken_and_hostile_markup() -> None:
    assert html_to_text("<p>unclosed <b>bold <i>both") == "unclosed bold both"
    assert html_to_text("<div>" * 50_000 + "deep") == "deep"  # no recursion limit
    assert html_to_text("<<<>>>&&&") is not None


def test_entities_and_unicode_spaces() -> None:
    assert html_to_text("caf&eacute; &#8217;s &mdash;\u2003x\u200by") == "café ’s — xy"
    assert normalise_space("a\u00a0\u00a0b\r\nc") == "a b\nc"
    assert inline_text("<p>one</p><p>two</p>") == "one two"


# Markup written for the project where two ways of reading HTML tend to differ: text after a dropped
# element, line breaks, entities, tables, nested blocks, stray closing tags, processing instructions.
TRICKY = [
    "<p>before<script>x()</script>after the script</p>",
    "<div>a<br>b<br/>c<hr>d</div>",
    "<p>caf&eacute; &amp; cr&egrave;me &#8211; &#x2014; &nbsp;end</p>",
    "<table><tr><td>one</td><td>two</td></tr><tr><th>three</th></tr></table>",
    "<div><div><p>deep <em>inline</em></p>tail of div</div>tail of outer</div>after",
    "</p>stray close<p>open",
    "<?php echo 1; ?>text<!-- comment -->more",
    "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>",
    "<h1>Title</h1><p>Para with <a href='x'>link</a>.</p><form><input value='v'>form</form>rest",
    "<svg><text>drawn</text></svg>visible<iframe>framed</iframe>",
]


def test_the_lxml_reading_gives_beautifulsoups_text() -> None:
    from hirewatch.extract.html_text import _soup_text

    for html in TRICKY:
        html_to_text.cache_clear()
        assert html_to_text(html) == _soup_text(html), html


def test_the_lxml_reading_gives_beautifulsoups_text_on_every_real_feed_entry(realdata) -> None:
    # Every entry body, content and title of the real feeds the benchmark farm is built from
    # (../shared/realdata, read in place), read both ways.
    import feedparser
    from hirewatch.extract.html_text import _soup_text, looks_like_html

    bodies = []
    for path in sorted([*realdata.glob("blogs_news/*.xml"), *realdata.glob("feedparser/**/*.xml")]):
        parsed = feedparser.parse(path.read_bytes(), sanitize_html=False, resolve_relative_uris=False)
        for entry in parsed.entries:
            bodies += [entry.get("summary") or "", entry.get("title") or ""]
            bodies += [content.get("value") or "" for content in entry.get("content", [])]
    bodies = [b for b in bodies if looks_like_html(b)]
    assert len(bodies) >= 40  # the corpus was found (42 HTML bodies on 2026-12-04)
    for html in bodies:
        html_to_text.cache_clear()
        assert html_to_text(html) == _soup_text(html), html[:200]


def test_text_that_declares_its_encoding_is_read() -> None:
    assert html_to_text('<?xml version="1.0" encoding="iso-8859-1"?><p>caf\u00e9</p>') == "caf\u00e9"
