"""``hirewatch validate`` reports every problem of every file in one run, in words a YAML user
knows, with "did you mean" for a misspelt key or source type, and a ``file:`` feed that does not
exist; the valid files are still listed as ok."""

from __future__ import annotations

from pathlib import Path

from hirewatch.cli import app
from typer.testing import CliRunner

runner = CliRunner()


def test_seven_mistakes_in_two_files_are_reported_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "there.xml").write_text("<rss/>", encoding="utf-8")
    (tmp_path / "acme.yaml").write_text("""\
employer: {name: Acme, alias: [Acme Inc], exclude: Acme Audio}
sources:
  - {name: blog, type: rsss, url: "https://blog.example/feed"}
  - {name: local, type: rss, url: "file:feeds/missing.xml"}
  - {name: local, type: rss, url: "file:feeds/there.xml"}
  - {name: again, type: rss, url: "file:feeds/there.xml"}
  - {name: again, type: rss, url: "https://news.example/feed"}
""", encoding="utf-8")
    (tmp_path / "empty.yaml").write_text("employer: {name: Other}\nsources: []\nrouting: {timezone: UTC}\n",
                                         encoding="utf-8")
    (tmp_path / "fine.yaml").write_text(
        'employer: {name: Fine}\nsources:\n  - {type: rss, url: "file:feeds/there.xml"}\n', encoding="utf-8")
    result = runner.invoke(app, ["validate", "--monitors", str(tmp_path)])
    assert result.exit_code == 2
    err = result.stderr
    acme, empty = tmp_path / "acme.yaml", tmp_path / "empty.yaml"
    expected = [
        f"{acme}:1: employer.alias: unknown key; did you mean 'aliases'?",
        f"{acme}:1: employer.exclude: expected a list of names (one '- item' per line, or [a, b]), got text "
        "'Acme Audio'",
        f"{acme}:3: sources.0.type: unknown source type 'rsss'; expected one of",
        "did you mean 'rss'?",
        f"{acme}:4: sources.1.url: no such file: {tmp_path / 'feeds' / 'missing.xml'}",
        f"{acme}:5: sources.2.name: source name 'local' is used twice; names must be unique",
        f"{acme}:7: sources.4.name: source name 'again' is used twice; names must be unique",
        f"{empty}:2: sources: at least one source is needed",
    ]
    for line in expected:
        assert line in err, f"{line!r} not in:\n{err}"
    assert "6 problems" in err, "one message per file, every problem in it"
    assert "tuple" not in err.lower() and "input should be" not in err.lower(), "no Python words"
    assert f"ok {tmp_path / 'fine.yaml'}" in result.stdout


def test_the_json_lists_every_problem(tmp_path: Path) -> None:
    import json

    (tmp_path / "bad.yaml").write_text("employer: {name: A, aliasses: [B]}\nsources: []\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", "--json", "--monitors", str(tmp_path)])
    assert result.exit_code == 2
    (problem,) = json.loads(result.stdout)["errors"]
    assert "2 problems" in problem["message"] and "did you mean 'aliases'?" in problem["message"]
