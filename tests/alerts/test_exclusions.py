"""Exclusion phrases written into a monitor's YAML: comments and layout kept, checked, atomic."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hirewatch.alerts.exclusions import add_exclusion, find_monitor_file
from hirewatch.errors import ConfigError

MONITOR = """\
# Acme's monitor (hand-written: the comments must survive)
name: acme
employer:
  name: Acme Corp   # the legal name
  aliases: [Acme]
  exclude:
    - Acme Anvils   # a cartoon brand
sources:
  - name: tech-news
    type: rss
    url: https://news.example.com/feed
routing:
  alerts:
    default_channel: "#ta-oncall"
"""


def _write(tmp_path: Path, text: str, name: str = "acme.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_adds_the_phrase_and_keeps_everything_else(tmp_path: Path) -> None:
    path = _write(tmp_path, MONITOR)
    path.chmod(0o640)
    assert add_exclusion(path, "  Acme   Road\nRunner ") is True
    text = path.read_text(encoding="utf-8")
    assert text == MONITOR.replace("    - Acme Anvils   # a cartoon brand\n",
                                   "    - Acme Anvils   # a cartoon brand\n    - Acme Road Runner\n")
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["acme.yaml"]  # no temporary file left behind


def test_the_same_phrase_twice_changes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, MONITOR)
    assert add_exclusion(path, "acme ANVILS") is False
    assert path.read_text(encoding="utf-8") == MONITOR


def test_flow_list_and_missing_list(tmp_path: Path) -> None:
    flow = _write(tmp_path, "name: a\nemployer:\n  name: Acme\n  exclude: [One]  # note\nsources: []\n", "a.yaml")
    assert add_exclusion(flow, 'Two: "quoted" #not-a-comment')
    assert flow.read_text(encoding="utf-8") == (
        "name: a\nemployer:\n  name: Acme\n  exclude: [One, 'Two: \"quoted\" #not-a-comment'] # note\nsources: []\n")
    assert yaml.safe_load(flow.read_text())["employer"]["exclude"] == ["One", 'Two: "quoted" #not-a-comment']
    none = _write(tmp_path, "name: b\nemployer:\n  name: Acme\nsources: []\n", "b.yaml")
    assert add_exclusion(none, "Acme Audio")
    assert yaml.safe_load(none.read_text())["employer"]["exclude"] == ["Acme Audio"]


@pytest.mark.parametrize(("text", "phrase", "message"), [
    ("name: a\nemployer: Acme\n", "x", "expected an employer mapping"),
    ("name: a\nemployer:\n  name: Acme\n  exclude: nope\n", "x", "expected a list of phrases"),
    ("name: a\nemployer: [unclosed\n", "x", "not valid YAML"),
    ("name: a\nemployer:\n  name: Acme\n", "   ", "the exclusion phrase is empty"),
    ("name: a\nemployer:\n  name: Acme\n", "x" * 201, "longer than 200"),
])
def test_bad_files_and_phrases_are_refused_untouched(tmp_path: Path, text: str, phrase: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=message):
        add_exclusion(path, phrase)
    assert path.read_text(encoding="utf-8") == text


def test_find_monitor_file_by_name_or_file_name(tmp_path: Path) -> None:
    _write(tmp_path, MONITOR, "whatever.yaml")
    _write(tmp_path, "employer:\n  name: Globex\n", "Globex Inc.yml")
    _write(tmp_path, "name: [broken\n", "broken.yaml")
    assert find_monitor_file(tmp_path, "acme").name == "whatever.yaml"
    assert find_monitor_file(tmp_path, "globex-inc").name == "Globex Inc.yml"
    with pytest.raises(ConfigError, match="no monitor named 'initech'"):
        find_monitor_file(tmp_path, "initech")
