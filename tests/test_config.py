"""Monitor YAML validation: every bad file gives one message with file, line, field, expectation."""

from __future__ import annotations

from pathlib import Path

import pytest
from hirewatch.config import load_monitor, load_monitors, parse_monitor
from hirewatch.errors import ConfigError
from hirewatch.sources.base import Source
from hirewatch.sources.registry import register


@register
class _ConfigTestSource(Source):
    """A kind registered by this test only, so config tests do not depend on a real source kind."""

    kind = "config_test_feed"

    async def fetch(self, fetcher, state):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def parse(self, document):  # type: ignore[no-untyped-def]
        raise NotImplementedError


GOOD = """\
employer:
  name: Acme Robotics
  aliases: [Acme]
  exclude: [Acme Anvil]
sources:
  - type: config_test_feed
    name: blog
    url: http://127.0.0.1/feed.xml
routing:
  timezone: Europe/Amsterdam
"""


def test_good_monitor_loads_with_defaults() -> None:
    monitor = parse_monitor(GOOD, path="acme.yaml", default_name="acme")
    assert monitor.name == "acme"
    assert monitor.employer.terms == ("Acme Robotics", "Acme")
    assert monitor.sources[0].name == "blog"
    assert monitor.routing.timezone == "Europe/Amsterdam"


def test_wrong_type_names_file_line_and_field() -> None:
    text = GOOD.replace("  aliases: [Acme]", "  aliases: 42")
    with pytest.raises(ConfigError) as info:
        parse_monitor(text, path="acme.yaml", default_name="acme")
    assert str(info.value) == ("acme.yaml:3: employer.aliases: expected a list of names (one '- item' per line, "
                               "or [a, b]), got a number 42")
    assert info.value.line == 3


def test_unknown_key_is_refused_at_its_line() -> None:
    text = GOOD + "colour: blue\n"
    with pytest.raises(ConfigError) as info:
        parse_monitor(text, path="acme.yaml", default_name="acme")
    assert str(info.value) == "acme.yaml:11: colour: unknown key"


def test_unknown_key_inside_a_source() -> None:
    text = GOOD.replace("    name: blog\n", "    name: blog\n    interval: 5\n")
    with pytest.raises(ConfigError) as info:
        parse_monitor(text, path="acme.yaml", default_name="acme")
    assert str(info.value) == "acme.yaml:8: sources.0.interval: unknown key"


def test_broken_yaml_gives_line() -> None:
    text = GOOD.replace("  aliases: [Acme]", "  aliases: [Acme")
    with pytest.raises(ConfigError) as info:
        parse_monitor(text, path="acme.yaml", default_name="acme")
    assert str(info.value).startswith("acme.yaml:")
    assert "not valid YAML" in str(info.value)
    assert info.value.line is not None


def test_secret_in_yaml_is_refused_with_advice() -> None:
    text = GOOD + "  slack_token: xoxb-123\n"
    text = GOOD.replace("routing:\n", "routing:\n  slack_token: xoxb-123\n")
    with pytest.raises(ConfigError) as info:
        parse_monitor(text, path="acme.yaml", default_name="acme")
    assert "secrets are never read from monitor files" in str(info.value)
    assert "xoxb-123" not in str(info.value)


def test_missing_employer_and_unknown_source_type() -> None:
    with pytest.raises(ConfigError, match=r"acme.yaml:1: employer: required key is missing"):
        parse_monitor("sources:\n  - type: config_test_feed\n    url: http://x/\n", path="acme.yaml",
                      default_name="acme")
    with pytest.raises(ConfigError, match=r"acme.yaml:6: sources.0.type: unknown source type 'gopher'"):
        parse_monitor(GOOD.replace("type: config_test_feed", "type: gopher"), path="acme.yaml", default_name="acme")


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text("employer: [\n")
    monitors, errors = load_monitors(tmp_path)
    assert [m.name for m in monitors] == ["good"]
    assert len(errors) == 1 and str(errors[0]).startswith(str(tmp_path / "bad.yaml") + ":")
    assert load_monitor(tmp_path / "good.yaml").path == str(tmp_path / "good.yaml")


def test_a_file_that_fails_unexpectedly_is_its_own_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hirewatch.sources import registry

    monkeypatch.setitem(registry.BUILTIN, "broken_kind", "hirewatch.sources.no_such_module")
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "odd.yaml").write_text(GOOD.replace("type: config_test_feed", "type: broken_kind"))
    monitors, errors = load_monitors(tmp_path)
    assert [m.name for m in monitors] == ["good"]
    assert len(errors) == 1 and "could not be loaded: ModuleNotFoundError" in str(errors[0])
    assert errors[0].path == str(tmp_path / "odd.yaml")
