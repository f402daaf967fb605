"""Bad monitor YAML, generated: random text, random YAML documents and random mutations of a
valid monitor (wrong types, unknown keys, deleted keys, broken indentation). Every input gives a
valid :class:`Monitor` or one :class:`ConfigError` (with a line whenever the YAML parsed), never
another exception. ``max_examples`` is bounded so the suite stays within its CI time."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hirewatch.config import MAX_YAML_DEPTH, Monitor, load_monitors, parse_monitor
from hirewatch.errors import ConfigError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = 120
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def base_monitor() -> dict[str, Any]:
    """The shipped example monitor plus a source of every other kind, so every kind's options
    are mutated too."""
    data = yaml.safe_load((ROOT / "monitors" / "example.yaml").read_text(encoding="utf-8"))
    data["sources"] += [
        {"name": "reviews", "type": "review", "url": "https://reviews.example.com/acme", "max_pages": 3},
        {"name": "reddit", "type": "reddit", "query": "Brightwave", "sort": "new"},
        {"name": "toots", "type": "mastodon", "instance": "https://mastodon.example", "tag": "brightwave"},
        {"name": "hn", "type": "hackernews", "query": "Brightwave"},
    ]
    data["routing"]["alerts"]["rules"] = [{"channel": "#people", "topics": ["layoffs"], "min_severity": 0.4}]
    data["fetch"] = {"timeout_s": 20, "max_bytes": 10_000_000, "max_redirects": 5}
    return data


BASE = base_monitor()


def check(text: str) -> Monitor | ConfigError:
    """The property: a Monitor, or one ConfigError that says where (when the YAML parsed)."""
    try:
        return parse_monitor(text, path="fuzz.yaml")
    except ConfigError as error:
        message = str(error)
        assert "fuzz.yaml" in message.split("\n")[-1], message
        assert all(line.isprintable() for line in message.split("\n")), f"unprintable text in {message!r}"
        assert len(message) < 50_000
        try:
            parsed = yaml.safe_load(text)
        except Exception:
            parsed = None  # not YAML (or not YAML PyYAML can build): no line promised
        else:
            assert error.line is not None, f"the YAML parsed, the error has no line: {message}"
        del parsed
        return error


def test_the_base_monitor_is_valid() -> None:
    assert isinstance(check(yaml.safe_dump(BASE)), Monitor)


# --------------------------------------------------------------------------- random input

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=30), st.sampled_from(["rss", "http://x", "#chan", "UTC", "", "~", "- a"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.text(max_size=12) | st.sampled_from(list(BASE)), inner, max_size=4)), max_leaves=20)


@FUZZ
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    check(text)


@FUZZ
@given(values)
def test_random_yaml_documents(doc: Any) -> None:
    check(yaml.safe_dump(doc, allow_unicode=True))


# --------------------------------------------------------------------------- mutations


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += paths(value, (*prefix, index))
    return out


def parent_of(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        targets = [p for p in paths(doc) if p]
        if not targets:
            break
        path = draw(st.sampled_from(targets))
        parent = parent_of(doc, path)
        op = draw(st.sampled_from(["wrong_type", "delete", "unknown_key", "rename"]))
        if op == "wrong_type":
            parent[path[-1]] = draw(values)
        elif op == "delete":
            del parent[path[-1]]
        elif op == "unknown_key" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(values)
        elif op == "rename" and isinstance(parent, dict):
            parent[path[-1] + draw(st.sampled_from(["_", "s", "Id", "_token"]))] = parent.pop(path[-1])
    return doc


@FUZZ
@given(mutated())
def test_mutated_monitors(doc: dict[str, Any]) -> None:
    check(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


SIGNIFICANT = [":", "-", "[", "]", "{", "}", "&", "*", "!", "|", ">", "'", '"', "#", "%", "@", "`", "\t", "?",
               ",", "\\", "\x00", "\x85", "\ufeff"]


@FUZZ
@given(st.data())
def test_broken_indentation_and_stray_characters(data: st.DataObject) -> None:
    lines = yaml.safe_dump(BASE, sort_keys=False).splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["indent", "dedent", "tab", "delete", "duplicate", "char", "cut"]))
        line = lines[index]
        if op == "indent":
            lines[index] = " " * data.draw(st.integers(1, 5)) + line
        elif op == "dedent":
            lines[index] = line.lstrip(" ")[: len(line)]
        elif op == "tab":
            lines[index] = "\t" + line
        elif op == "delete" and len(lines) > 1:
            del lines[index]
        elif op == "duplicate":
            lines.insert(index, line)
        elif op == "char":
            at = data.draw(st.integers(0, len(line)))
            lines[index] = line[:at] + data.draw(st.sampled_from(SIGNIFICANT)) + line[at:]
        elif op == "cut":
            lines = lines[: index + 1]
    check("\n".join(lines) + "\n")


# --------------------------------------------------------------------------- found by the above, kept


@pytest.mark.parametrize("text", [
    "a: " + "[" * 5000 + "]" * 5000,                                      # RecursionError in PyYAML
    "".join("  " * i + f"k{i}:\n" for i in range(3000)),                   # the same, block style
    "name: x\nfetch: {max_bytes: " + "9" * 5000 + "}\n",                   # ValueError: int digits limit
    "name: x\nwhen: 2024-13-45\n",                                         # ValueError: month 13
    "name: a\x00b\n",                                                      # a character YAML refuses
    "name: &n [*n]\nemployer: &e {name: A, aliases: *e}\nsources: [{type: rss}]\n",  # recursive aliases
], ids=["deep-flow", "deep-block", "huge-int", "bad-date", "nul", "recursive-alias"])
def test_found_inputs_give_a_located_config_error(text: str) -> None:
    error = check(text)
    assert isinstance(error, ConfigError) and error.line is not None


def test_alias_bomb_is_refused_quickly() -> None:
    """A "billion laughs" document: the error message used to repr the whole expanded tree."""
    text = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefg", "bcdefgh", strict=True))
    text += "name: bomb\nemployer: *h\nsources: [{type: rss, url: 'https://example.com/f'}]\n"
    error = check(text)
    assert isinstance(error, ConfigError) and "employer" in str(error) and len(str(error)) < 2000


def test_depth_limit_leaves_real_monitors_alone() -> None:
    assert MAX_YAML_DEPTH >= 20
    assert isinstance(check((ROOT / "monitors" / "example.yaml").read_text(encoding="utf-8")), Monitor)


def test_a_broken_file_among_good_ones(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "monitors" / "example-feeds", tmp_path / "example-feeds")  # its file: feeds
    (tmp_path / "good.yaml").write_text(yaml.safe_dump({**BASE, "name": "good"}), encoding="utf-8")
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 3000, encoding="utf-8")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00garbage")
    good, errors = load_monitors(tmp_path)
    assert [m.name for m in good] == ["good"] and len(errors) == 2


def test_a_10_mb_monitor_file_is_refused_and_the_other_dags_still_load(tmp_path: Path) -> None:
    """The DAG factory's view of a folder with a 10 MB monitor file beside good ones: the big one
    is refused unread (file, line, the size and the limit) and becomes its broken stand-in,
    named from its ``name:`` line; the good monitors load. (Time: bench/RESULTS.md.)"""
    from hirewatch.config import MAX_MONITOR_BYTES
    from hirewatch.dags.monitor_configs import load_monitor_configs

    shutil.copytree(ROOT / "monitors" / "example-feeds", tmp_path / "example-feeds")  # their file: feeds
    for name in ("alpha", "omega"):
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump({**BASE, "name": name}), encoding="utf-8")
    sources = "".join(f'  - {{type: rss, name: s{i}, url: "https://feeds{i}.example.com/rss"}}\n'
                      for i in range(200_000))
    big = tmp_path / "big.yaml"
    big.write_text("name: huge\nemployer: {name: Acme}\nsources:\n" + sources, encoding="utf-8")
    assert big.stat().st_size > 10 * MAX_MONITOR_BYTES
    configs = load_monitor_configs(tmp_path)
    assert [m.name for m in configs.monitors] == ["alpha", "omega"]
    (broken,) = configs.broken
    assert broken.dag_name == "huge" and broken.path == str(big)
    assert str(broken.error).startswith(f"{big}:1: the file is 1") and "at most 1 MB" in str(broken.error)


def test_each_monitor_file_has_its_own_time_budget(tmp_path: Path) -> None:
    """A file that spends its time budget is refused like a broken one; the next file gets its
    own budget and loads."""
    from hirewatch.config import Budget, load_monitor

    sources = "".join(f'  - {{type: rss, name: s{i}, url: "https://feeds{i}.example.com/rss"}}\n'
                      for i in range(3000))
    slow = tmp_path / "slow.yaml"
    slow.write_text("name: slow\nemployer: {name: Acme}\nsources:\n" + sources, encoding="utf-8")
    with pytest.raises(ConfigError, match="time budget of one monitor file"):
        load_monitor(slow, Budget(0.0))
    shutil.copytree(ROOT / "monitors" / "example-feeds", tmp_path / "example-feeds")  # its file: feeds
    (tmp_path / "good.yaml").write_text(yaml.safe_dump({**BASE, "name": "good"}), encoding="utf-8")
    good, errors = load_monitors(tmp_path, budget_s=60)
    assert sorted(m.name for m in good) == ["good", "slow"] and not errors
    assert len(next(m for m in good if m.name == "slow").sources) == 3000


def test_duplicate_source_names_are_found_in_one_pass(tmp_path: Path) -> None:
    """Validation is linear in the number of sources (the duplicate-name check was quadratic);
    the repeated name is still reported with its line."""
    sources = "".join(f'  - {{type: rss, name: s{i}, url: "https://f{i}.example.com/rss"}}\n' for i in range(5000))
    text = "name: dup\nemployer: {name: Acme}\nsources:\n" + sources + '  - {type: rss, name: s7, url: "https://x.example"}\n'
    with pytest.raises(ConfigError) as caught:
        parse_monitor(text, path="dup.yaml")
    assert str(caught.value).startswith("dup.yaml:5004: sources.5000.name: source name 's7' is used twice")


def test_the_whole_folder_has_a_time_budget_and_each_file_not_read_says_so(tmp_path: Path) -> None:
    """The DagBag's import timeout covers every monitor file a DAG file loads: once the folder's
    budget is spent, the files not yet read are refused (each becomes its broken stand-in DAG)
    instead of the whole DAG file timing out; with time left every file loads."""
    from hirewatch.dags.monitor_configs import load_monitor_configs

    shutil.copytree(ROOT / "monitors" / "example-feeds", tmp_path / "example-feeds")  # their file: feeds
    for name in ("alpha", "beta", "gamma"):
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump({**BASE, "name": name}), encoding="utf-8")
    good, errors = load_monitors(tmp_path, budget_s=5, total_budget_s=0.0)
    assert good == [] and [Path(e.path or "").name for e in errors] == ["alpha.yaml", "beta.yaml", "gamma.yaml"]
    assert all("folder's whole time budget of 0 s (HIREWATCH_MONITORS_BUDGET_S)" in str(e) for e in errors)
    good, errors = load_monitors(tmp_path, budget_s=5, total_budget_s=60)
    assert [m.name for m in good] == ["alpha", "beta", "gamma"] and not errors
    configs = load_monitor_configs(tmp_path)  # the DAG factory passes the settings' budgets
    assert [m.name for m in configs.monitors] == ["alpha", "beta", "gamma"] and not configs.broken


def test_a_file_cut_off_by_the_folders_budget_says_so() -> None:
    """When what is left of the folder's budget is shorter than a file's own, the file that runs
    out names the folder's budget, not its own."""
    import tempfile

    sources = "".join(f'  - {{type: rss, name: s{i}, url: "https://feeds{i}.example.com/rss"}}\n'
                      for i in range(3000))
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "slow.yaml").write_text("name: slow\nemployer: {name: Acme}\nsources:\n" + sources,
                                                encoding="utf-8")
        good, errors = load_monitors(folder, budget_s=5, total_budget_s=0.01)
    assert good == [] and len(errors) == 1
    assert "HIREWATCH_MONITORS_BUDGET_S" in str(errors[0]) and "one monitor file" not in str(errors[0])
