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
