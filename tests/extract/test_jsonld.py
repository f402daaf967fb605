"""Lenient JSON-LD and microdata extraction, data-driven over extruct's broken cases in
../shared/realdata/jsonld_schemaorg/ (each .html beside the .jsonld/.json extruct extracts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hirewatch.extract.jsonld import extract, iter_nodes, node_types, parse_json_lenient
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REALDATA

CASES = sorted((REALDATA / "jsonld_schemaorg").glob("*.html"))


def test_the_realdata_cases_are_there() -> None:
    assert len(CASES) >= 11, f"expected extruct's cases under {REALDATA / 'jsonld_schemaorg'}"


@pytest.mark.parametrize("html", CASES, ids=lambda p: p.stem)
def test_each_case_extracts_what_its_expected_file_says(html: Path) -> None:
    found = extract(html.read_bytes())
    expected_ld, expected_md = html.with_suffix(".jsonld"), html.with_suffix(".json")
    if expected_ld.exists():
        assert found.jsonld == json.loads(expected_ld.read_text(encoding="utf-8"))
        assert found.problems == []
    if expected_md.exists():
        assert found.microdata == json.loads(expected_md.read_text(encoding="utf-8"))
    if not expected_ld.exists() and not expected_md.exists():
        # product_microdata has no expected file upstream: the same Product as product.html.
        assert found.microdata and found.microdata[0]["properties"]["aggregateRating"]["properties"] == {
            "ratingValue": "4.4", "reviewCount": "89"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', [{"a": 1}]),
        ("null", [None]),
        ('{"a": 1}\n{"b": 2}', [{"a": 1}, {"b": 2}]),                       # two values in one block
        ('{"a": 1};', [{"a": 1}]),                                            # JS statement end
        ("/* c */ {a: 'x', b: [1, 2,],}", [{"a": "x", "b": [1, 2]}]),        # JS object literal
        ('{"u": "http://x.example/a//b"} // tail', [{"u": "http://x.example/a//b"}]),
        ('{"t": "tab\there"}', [{"t": "tab\there"}]),
        ('{"q": "say "hi", then go"}', [{"q": 'say "hi", then go'}]),
        ("<!--\n{\"a\": 1}\n-->", [{"a": 1}]),
    ],
)
def test_lenient_readings(text: str, expected: list) -> None:
    assert parse_json_lenient(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "{", "<html>", '{"a": }', "\x00\x01", "]]]"])
def test_unreadable_blocks_give_none(text: str) -> None:
    assert parse_json_lenient(text) is None


def test_unreadable_block_is_reported_and_the_others_kept() -> None:
    html = ('<script type="application/ld+json">{"@type": "Review", "name": </script>'
            '<script type="application/ld+json">{"@type": "Review", "name": "ok"}</script>')
    found = extract(html)
    assert found.jsonld == [{"@type": "Review", "name": "ok"}]
    assert len(found.problems) == 1 and "block 1" in found.problems[0]


def test_graph_members_and_nested_nodes_are_walked() -> None:
    value = {"@graph": [{"@type": "Organization", "review": [{"@type": "schema:Review", "name": "a"}]},
                        {"@type": ["Thing", "http://schema.org/AggregateRating"]}]}
    types = [node_types(n) for n in iter_nodes(value)]
    assert {"Review"} in types and {"Thing", "AggregateRating"} in types and {"Organization"} in types


def test_microdata_orphan_review_cards_and_urls() -> None:
    html = ('<div itemprop="review" itemscope itemtype="https://schema.org/Review">'
            '<a itemprop="url" href="/r/1">x</a><span itemprop="name"> A \n title </span></div>')
    (item,) = extract(html, base_url="https://site.example/page").microdata
    assert item == {"type": "https://schema.org/Review",
                    "properties": {"url": "https://site.example/r/1", "name": "A title"}}


# -- never raise, whatever a page holds (property-based)

_JSONISH = st.text(alphabet=st.sampled_from([*'{}[]":,\\\'/*<>!-\n\t ab1.eu0x', "\x00", "\u00e9"]),
                   max_size=200)


@settings(max_examples=300, deadline=None)
@given(_JSONISH)
def test_parse_json_lenient_never_raises(text: str) -> None:
    result = parse_json_lenient(text)
    assert result is None or isinstance(result, list)


@settings(max_examples=100, deadline=None)
@given(_JSONISH)
def test_extract_never_raises_on_any_script_body(body: str) -> None:
    html = f'<script type="application/ld+json">{body}</script><div itemscope>{body}</div>'
    found = extract(html)
    assert isinstance(found.jsonld, list) and isinstance(found.microdata, list)


def test_huge_broken_blocks_are_not_repaired_but_huge_valid_ones_are_read() -> None:
    from hirewatch.extract.jsonld import REPAIR_LIMIT

    valid = '{"a": "' + "x" * REPAIR_LIMIT + '"}'
    assert parse_json_lenient(valid) == [{"a": "x" * REPAIR_LIMIT}]
    assert parse_json_lenient("// c\n" + valid) is None
    assert parse_json_lenient("// c\n" + valid[: REPAIR_LIMIT // 2] + '"}') is not None
