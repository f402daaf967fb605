"""Exported files' bytes -> text: UTF-8 as is, stray cp1252 bytes repaired and reported with their
lines, other encodings detected by charset-normalizer and named."""

from __future__ import annotations

from hirewatch.extract.text_decoding import decode_text


def test_utf8_with_or_without_bom_is_read_as_is() -> None:
    assert decode_text("Zoë – ok".encode()).text == "Zoë – ok"
    decoded = decode_text(b"\xef\xbb\xbfid;text\n1;Zo\xc3\xab\n")
    assert (decoded.text, decoded.encoding, decoded.notes) == ("id;text\n1;Zoë\n", "utf-8", [])


def test_cp1252_bytes_inside_utf8_are_repaired_and_reported() -> None:
    body = "line one Zoë\n".encode() + b"Lo\xefc said \x93fine\x94\n" + b"ok\n" + b"\x96 end\n"
    decoded = decode_text(body)
    assert decoded.text == "line one Zoë\nLoïc said “fine”\nok\n– end\n"
    assert decoded.notes == ["4 bytes that are not UTF-8 read as cp1252 (line 2, 4)"]


def test_a_whole_file_in_another_encoding_is_detected_and_named() -> None:
    text = ("Die Bewerbung bei Brightwave dauerte über drei Wochen, die Rückmeldung kam nie. "
            "Schade für alle Beteiligten.")
    decoded = decode_text(text.encode("cp1252"))
    assert decoded.text == text
    assert decoded.notes == ["not UTF-8: read as cp1252 (Western European)"]
    dutch = "Kreeg binnen een week antwoord – prima, één gesprek"
    assert decode_text(dutch.encode("cp1252")).text == dutch
    russian = "Привет, как дела? Собеседование было ужасным."
    cyrillic = decode_text(russian.encode("cp1251"))
    assert (cyrillic.text, cyrillic.notes) == (russian, ["not UTF-8: read as cp1251 (detected)"])
    utf16 = decode_text(text.encode("utf-16"))
    assert utf16.text == text and utf16.notes == []
