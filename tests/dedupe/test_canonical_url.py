"""Canonical URLs: one spelling per page."""

from __future__ import annotations

import pytest
from hirewatch.dedupe.canonical_url import canonical_url, is_tracking_param, unwrap_redirect


@pytest.mark.parametrize(("raw", "canonical"), [
    ("HTTP://Example.COM:80/a/b?b=2&a=1#section", "http://example.com/a/b?a=1&b=2"),
    ("https://example.com:443", "https://example.com/"),
    ("https://example.com:8443/x", "https://example.com:8443/x"),
    ("https://example.com/p?utm_source=rss&utm_medium=feed&id=7&fbclid=XYZ&gclid=1&mc_cid=2&mc_eid=3",
     "https://example.com/p?id=7"),
    ("https://example.com/p?UTM_Campaign=x", "https://example.com/p"),
    ("https://example.com/a%7eb", "https://example.com/a~b"),
    ("https://user:secret@example.com/x", "https://example.com/x"),
    ("  https://example.com/x?q=a b  ", "https://example.com/x?q=a+b"),
    ("https://www.google.com/url?rct=j&sa=t&url=https://news.example/a?p=1&q=2&ct=ga&cd=CAIy&usg=AFQ",
     "https://news.example/a?p=1&q=2"),
    ("https://www.google.com/url?q=https%3A%2F%2Fnews.example%2Fb%3Fz%3D1%26utm_medium%3Dx&sa=D",
     "https://news.example/b?z=1"),
    ("https://l.facebook.com/l.php?u=https%3A%2F%2Fy.example%2Fpost%3Futm_source%3Dfb&h=AT0",
     "https://y.example/post"),
    ("https://www.linkedin.com/redir/redirect?url=https%3A%2F%2Fz.example%2F&urlhash=abc",
     "https://z.example/"),
    ("mailto:jobs@example.com", "mailto:jobs@example.com"),
    ("not a url", "not a url"),
    ("", ""),
])
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


def test_same_page_two_spellings_one_canonical() -> None:
    a = "https://News.Example/story?id=5&utm_source=twitter#comments"
    b = "https://www.google.com/url?rct=j&sa=t&url=https://news.example:443/story?id=5&ct=ga&usg=x"
    assert canonical_url(a) == canonical_url(b) == "https://news.example/story?id=5"


def test_relative_with_base() -> None:
    assert canonical_url("/jobs/1?ref=x", base="https://acme.example/feed.xml") == "https://acme.example/jobs/1?ref=x"


def test_unwrap_leaves_other_google_pages_alone() -> None:
    search = "https://www.google.com/search?q=acme"
    assert unwrap_redirect(search) == search
    assert unwrap_redirect("https://www.google.com/url?q=javascript:alert(1)") == (
        "https://www.google.com/url?q=javascript:alert(1)")


def test_tracking_params() -> None:
    assert is_tracking_param("utm_content") and is_tracking_param("fbclid") and is_tracking_param("_hsenc")
    assert not is_tracking_param("id") and not is_tracking_param("page") and not is_tracking_param("ref")
