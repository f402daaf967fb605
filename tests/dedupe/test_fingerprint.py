"""Near-duplicate fingerprints, on real feed text: syndicated copies are near, other stories far."""

from __future__ import annotations

import itertools

from hirewatch.dedupe.fingerprint import fingerprint, hamming, near_duplicate, same_fingerprint_family, simhash
from hirewatch.extract.item_to_mention import item_text
from hirewatch.records import Document

from tests.conftest import REALDATA
from tests.support.monitors import feed_source


def real_texts() -> list[str]:
    """Entry texts of the realdata blog/news feeds with at least 40 words."""
    source = feed_source("http://127.0.0.1/feed")
    texts = []
    for path in sorted((REALDATA / "blogs_news").glob("*.xml")):
        document = Document(url="http://127.0.0.1/feed", status=200, body=path.read_bytes(),
                            headers={"content-type": "application/xml"})
        for item in source.parse_feed(document).items:
            text = f"{item.title}\n{item_text(item)}"
            if len(text.split()) >= 40:
                texts.append(text)
    return texts


def test_syndicated_copies_are_near_duplicates() -> None:
    texts = real_texts()
    assert len(texts) >= 5
    for text in texts:
        copy = "Syndicated from our partners.\n" + text + "\nThis story originally appeared elsewhere."
        assert near_duplicate(text, copy), hamming(simhash(text), simhash(copy))
        words = text.split()
        edited = " ".join([*words[:10], "reportedly", *words[11:]])
        assert near_duplicate(text, edited)
        assert near_duplicate(text, text.upper())  # case and accents fold away


def test_different_stories_are_not() -> None:
    texts = real_texts()
    for a, b in itertools.combinations(texts, 2):
        assert not near_duplicate(a, b), (a[:60], b[:60], hamming(simhash(a), simhash(b)))


def test_fingerprint_strings_and_empty_text() -> None:
    text = "Acme recruiters ghosted hundreds of candidates after the final interview round"
    assert len(fingerprint(text)) == 16 and int(fingerprint(text), 16) == simhash(text)
    assert same_fingerprint_family(fingerprint(text), fingerprint(text + " today"))
    assert not near_duplicate("", "") and simhash("  ") == 0
    assert not same_fingerprint_family(None, fingerprint(text))
