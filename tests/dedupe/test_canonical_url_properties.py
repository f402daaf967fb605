"""Properties of canonical_url over generated URLs: never raises, idempotent, tracking-free."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from hirewatch.dedupe.canonical_url import canonical_url, is_tracking_param
from hypothesis import given, settings
from hypothesis import strategies as st

hosts = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}\.(com|org|example|de)", fullmatch=True)
segments = st.lists(st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S")),
                            min_size=0, max_size=8), max_size=4)
keys = st.sampled_from(["id", "page", "q", "utm_source", "utm_campaign", "fbclid", "gclid", "mc_cid", "lang", "x"])
values = st.text(alphabet="abcXYZ019 -_.~%&=", max_size=6)
urls = st.builds(
    lambda scheme, host, port, path, query, fragment: (
        f"{scheme}://{host}{port}/{'/'.join(path)}" + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")
        + (f"#{fragment}" if fragment else "")),
    st.sampled_from(["http", "https", "HTTP", "Https"]), hosts,
    st.sampled_from(["", ":80", ":443", ":8080"]), segments,
    st.lists(st.tuples(keys, values), max_size=5), st.text(max_size=5))


@settings(max_examples=300, deadline=None)
@given(urls)
def test_canonical_is_idempotent_and_clean(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once
    parts = urlsplit(once)
    assert parts.fragment == "" and parts.scheme in ("http", "https")
    assert parts.hostname == parts.hostname.lower()
    assert not any(is_tracking_param(k) for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    assert (parts.scheme, parts.port) not in (("http", 80), ("https", 443))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_never_raises_on_any_string(text: str) -> None:
    assert isinstance(canonical_url(text), str)
