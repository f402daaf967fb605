"""Monitor YAML -> typed :class:`Monitor` objects, with ``file:line: field: expected`` errors.

Called by the CLI (``hirewatch validate|run``), the DAG files (one DAG per monitor) and the
tests. :func:`load_monitor` raises :class:`~hirewatch.errors.ConfigError` (never a traceback for
bad input); :func:`load_monitors` returns the good monitors and the errors of the bad ones, so one
broken file never stops the others.
"""

from __future__ import annotations

import re
import reprlib
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hirewatch.errors import ConfigError
from hirewatch.redact import strip_credentials, url_has_userinfo

#: Deeper YAML nesting than this is refused before it is composed (PyYAML's composer recurses: a
#: few thousand ``[`` exhausted Python's stack). Real monitors nest about 5 levels.
MAX_YAML_DEPTH = 50
#: A monitor file larger than this is refused before it is read: real ones are a few kilobytes
#: (a monitor of 5,000 sources is about 400 KB), and the DAG processor parses every file on
#: every pass.
MAX_MONITOR_BYTES = 1_000_000
_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlevel = 80, 80, 3

SECRET_KEYS = re.compile(r"(token|secret|password|passwd|api_key|apikey)$", re.IGNORECASE)


class Strict(BaseModel):
    """Base of every config model: unknown keys are errors, values are not coerced loosely."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Entity(Strict):
    """An employer or competitor: the names people use for it and the phrases that mean another
    company (``exclude``: e.g. a product with the same name)."""

    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        """Every name the matcher looks for, the canonical name first."""
        seen: dict[str, None] = {}
        for term in (self.name, *self.aliases, *self.handles):
            if term.strip():
                seen.setdefault(term.strip(), None)
        return tuple(seen)


class SourceSpec(Strict):
    """One source of a monitor. Each source kind (``type``) subclasses this with its own options;
    :func:`load_monitor` validates each entry against its kind's class from the source registry."""

    type: str
    name: str = ""
    url: str | None = None
    enabled: bool = True


class FetchSettings(Strict):
    """Politeness and safety limits of the HTTP fetcher (per monitor)."""

    timeout_s: float = Field(default=20.0, gt=0, le=300)
    max_bytes: int = Field(default=10_000_000, gt=0)
    max_redirects: int = Field(default=5, ge=0, le=20)
    concurrency: int = Field(default=32, ge=1, le=1024)
    per_host_concurrency: int = Field(default=4, ge=1, le=64)
    per_host_delay_s: float = Field(default=0.0, ge=0)
    allow_private_addresses: bool = False
    allow_loopback: bool = False
    contact: str | None = None
    respect_robots_txt: bool = True
    max_pages: int = Field(default=5, ge=1, le=1000)
    #: Wall-clock budget of one source in one run, polite waits (per-host delay, ``Crawl-delay``)
    #: included: no request starts after it (one under way keeps its ``timeout_s``); the pages
    #: left wait for the next run, the crawl state keeps the place.
    source_budget_s: float = Field(default=300.0, gt=0, le=86_400)
    #: Wall-clock budget of one run of the monitor's sources: a source not started by then is
    #: reported failed ("not fetched") and fetched in the next run.
    run_budget_s: float = Field(default=3600.0, gt=0, le=86_400)


class AlertRule(Strict):
    """One routing rule: the first rule whose every given condition holds picks the channel."""

    channel: str = Field(min_length=1)
    sentiment: tuple[Literal["negative", "neutral", "positive"], ...] = ()
    topics: tuple[str, ...] = ()
    source_kinds: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    min_severity: float = Field(default=0.0, ge=0, le=1)
    competitors: bool = False


class AlertSettings(Strict):
    """Slack alerting of one monitor (channels only: the token comes from the environment or the
    Airflow Connection ``hirewatch_slack``)."""

    enabled: bool = True
    default_channel: str | None = None
    rules: tuple[AlertRule, ...] = ()
    max_per_run: int = Field(default=10, ge=1, le=1000)
    min_interval_s: float = Field(default=1.0, ge=0)
    storm_factor: float = Field(default=5.0, gt=1)
    operators_channel: str | None = None


class DigestSettings(Strict):
    """Who gets the daily digest, and when (in ``Routing.timezone``)."""

    recipients: tuple[str, ...] = ()
    slack_channel: str | None = None
    hour: int = Field(default=7, ge=0, le=23)
    top_items: int = Field(default=5, ge=1, le=50)

    @field_validator("recipients")
    @classmethod
    def _emails(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
                raise ValueError(f"expected an e-mail address, got {address!r}")
        return value


class Routing(Strict):
    timezone: str = "UTC"
    alerts: AlertSettings = AlertSettings()
    digest: DigestSettings = DigestSettings()

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            from zoneinfo import available_timezones

            raise ValueError(f"expected an IANA time zone such as Europe/Amsterdam, got {value!r}"
                             + did_you_mean(value, available_timezones())) from exc
        return value


class SentimentSettings(Strict):
    """``fast``: VADER where the text is English, the multilingual model elsewhere;
    ``accurate``: the model everywhere."""

    mode: Literal["fast", "accurate"] = "fast"
    languages: tuple[str, ...] = ("en", "nl", "de", "sv", "no", "da")


class DecisionSettings(Strict):
    """How the decide step turns a mention's signals into "alert or not, and why" (documented in
    docs/languages.md, "The alert decision"). Stars are on a 1-5 scale (other scales are converted)."""

    #: A review rated at or below this is negative whatever its wording ("1-star review").
    negative_stars: float = Field(default=2.0, ge=1, le=5)
    #: A review rated at or above this is not negative overall, whatever its wording.
    positive_stars: float = Field(default=4.0, ge=1, le=5)
    #: A candidate-experience topic scored at or below this is "clearly negative": alerted even in
    #: a neutral text or a well-rated review ("negative about the interview").
    topic_alert_score: float = Field(default=-0.5, ge=-1, le=0)
    #: Whether a clearly negative candidate-experience topic is alerted on its own.
    topic_alerts: bool = True
    #: Whether such a topic is alerted in a review rated at or above ``positive_stars`` too (off:
    #: the reviewer's stars stand; the topic is kept in the decision's reasons, held).
    topic_alerts_in_good_reviews: bool = False
    #: Source kinds whose negative mentions are stored and shown in the digest but never alerted.
    quiet_kinds: tuple[str, ...] = ()
    #: A negative mention below this severity is stored but not alerted.
    min_severity: float = Field(default=0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _stars_in_order(self) -> DecisionSettings:
        if self.negative_stars >= self.positive_stars:
            raise ValueError(f"negative_stars ({self.negative_stars:g}) must be below positive_stars "
                             f"({self.positive_stars:g})")
        return self


class WatchTerm(Strict):
    """A monitor's own term that tags (and can route) mentions: a client's name, "hiring freeze"."""

    term: str = Field(min_length=1)
    tag: str | None = None


class Monitor(Strict):
    """One monitored employer: who, where to look, where to send what is found."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    employer: Entity
    competitors: tuple[Entity, ...] = ()
    sources: tuple[SourceSpec, ...] = Field(min_length=1)
    routing: Routing = Routing()
    sentiment: SentimentSettings = SentimentSettings()
    decision: DecisionSettings = DecisionSettings()
    watch_terms: tuple[WatchTerm, ...] = ()
    fetch: FetchSettings = FetchSettings()
    store: str | None = None
    kibana_url: str | None = None
    path: str | None = Field(default=None, exclude=True)

    @property
    def entities(self) -> tuple[Entity, ...]:
        return (self.employer, *self.competitors)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.routing.timezone)

    def source(self, name: str) -> SourceSpec:
        for spec in self.sources:
            if spec.name == name:
                return spec
        raise KeyError(f"monitor {self.name!r} has no source {name!r}")


# --------------------------------------------------------------------------- YAML with lines


def _node_at(root: yaml.Node | None, loc: Iterable[Any]) -> tuple[yaml.Node | None, bool]:
    """Walk ``loc`` down the composed YAML tree. Returns the deepest node reached and whether the
    whole path was found (False: the last key is missing, the node is its parent mapping)."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    node = value_node
                    break
            else:
                return node, False
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node, False
    return node, True


def _key_node(root: yaml.Node | None, loc: tuple[Any, ...]) -> yaml.Node | None:
    parent, found = _node_at(root, loc[:-1])
    if found and isinstance(parent, yaml.MappingNode):
        for key_node, _ in parent.value:
            if key_node.value == loc[-1]:
                return key_node
    return None


#: Keys that hold names (a list of words people use), for "expected a list of names".
_NAME_LISTS = {"aliases", "handles", "exclude", "topics", "source_kinds", "sources", "languages", "recipients"}
_WHAT = {"sources": "source", "competitors": "competitor", "rules": "rule", "watch_terms": "watch term",
         "recipients": "recipient"}


def _got(value: Any) -> str:
    """How a YAML user would call the value they wrote."""
    kinds = {str: "text", bool: "true/false", int: "a number", float: "a number", list: "a list", tuple: "a list",
             dict: "a mapping", type(None): "nothing"}
    kind = kinds.get(type(value), type(value).__name__)
    # reprlib: a shared YAML alias tree (a "billion laughs" document) has an exponential repr.
    return kind if value is None or isinstance(value, list | tuple | dict) else f"{kind} {_SHORT.repr(value)}"


def _describe(error: dict[str, Any], known: Iterable[str] = ()) -> str:
    """The problem in words a YAML user knows ("a list of names", "at least one source")."""
    kind, msg, loc = error["type"], error["msg"], error["loc"]
    key = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "extra_forbidden":
        if SECRET_KEYS.search(key):
            return ("secrets are never read from monitor files; set them in the environment "
                    "(HIREWATCH_SLACK_TOKEN, ...) or an Airflow Connection (hirewatch_slack, ...)")
        return "unknown key" + did_you_mean(key, known)
    if kind == "missing":
        return "required key is missing"
    value = error.get("input")
    if kind in {"tuple_type", "list_type"}:
        what = "a list of names" if key in _NAME_LISTS else "a list"
        return f"expected {what} (one '- item' per line, or [a, b]), got {_got(value)}"[:200]
    if kind == "too_short" and key in _WHAT:
        return f"at least one {_WHAT[key]} is needed"
    if kind == "too_short":
        return "must not be empty"
    if kind in {"dict_type", "model_attributes_type", "model_type"}:
        return f"expected a mapping (key: value lines), got {_got(value)}"[:200]
    if kind == "string_type":
        return f"expected text, got {_got(value)}"[:200]
    if kind in {"bool_type", "bool_parsing"}:
        return f"expected true or false, got {_got(value)}"[:200]
    if kind in {"int_type", "int_parsing", "int_from_float", "float_type", "float_parsing"}:
        whole = " whole" if kind.startswith("int") else ""
        return f"expected a{whole} number, got {_got(value)}"[:200]
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", msg)
        return f"expected one of {', '.join(allowed)}, got {_got(value)}" + did_you_mean(str(value), allowed)
    if kind.endswith("_type"):
        return f"{msg.lower()} (got {_got(value)})"[:200]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return msg


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'aliases'?"`` when one of ``choices`` is close to ``word``, else ``""``."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the model allows at ``loc`` (a path into it; the last part is the unknown key)."""
    import typing

    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            args = [a for a in typing.get_args(current) if a is not Ellipsis]
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel) and part in current.model_fields:
            current = current.model_fields[part].annotation
        else:
            return []
        for arg in typing.get_args(current) or ():  # X | None
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                current = arg
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [name for name in current.model_fields if name != "path"]
    return []


def _key_text(part: Any) -> str:
    """A path part for a message; a key with control characters (or none at all) shows as repr."""
    text = str(part)
    return text if text.isprintable() and text.strip() else repr(text)


def _error_lines(exc: ValidationError, root: yaml.Node | None, path: str, model: type[BaseModel],
                 prefix: tuple[Any, ...] = ()) -> list[tuple[int | None, str, str]]:
    """``(line, field, problem)`` for each error pydantic found."""
    out = []
    for error in exc.errors():
        own = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        loc = prefix + own
        if error["type"] == "extra_forbidden":
            node = _key_node(root, loc)
        else:
            node, _ = _node_at(root, loc)
        line = node.start_mark.line + 1 if node is not None else None
        field = ".".join(_key_text(p) for p in loc) or "(top level)"
        known = _known_keys(model, own) if error["type"] == "extra_forbidden" else ()
        out.append((line, field, strip_credentials(_describe(error, known))))
    return out


def _config_error(problems: list[tuple[int | None, str, str]], path: str) -> ConfigError:
    """One error naming every problem, in file order: ``file:line: field: problem``."""
    # a field path or a message may quote a key or value written as user:password@host
    problems = sorted(((line, strip_credentials(field), strip_credentials(text)) for line, field, text in problems),
                      key=lambda p: (p[0] is None, p[0] or 0))
    lines = [f"{path}:{line}: {field}: {text}" if line else f"{path}: {field}: {text}"
             for line, field, text in problems]
    message = lines[0] if len(lines) == 1 else f"{path}: {len(lines)} problems\n  " + "\n  ".join(lines)
    first = problems[0]
    return ConfigError(message, path=path, line=first[0], field=first[1], located=True)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Budget:
    """A wall-clock budget for loading one monitor file (the DAG factory gives each file its own,
    so one slow file cannot use up the DagBag's import timeout). ``seconds=None``: no limit.
    :meth:`check` raises :class:`ConfigError` once it is spent; the loader calls it between steps
    and every few thousand YAML events or sources, so the work stays linear in the file."""

    def __init__(self, seconds: float | None = None, what: str = "the time budget of one monitor file") -> None:
        self.seconds = seconds
        self.what = what
        self.deadline = time.monotonic() + seconds if seconds is not None else None

    def check(self, path: str) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise ConfigError(f"took more than {self.seconds:g} s to load ({self.what}); "
                              "make the file smaller or split it", path=path)


_NO_BUDGET = Budget()


def parse_monitor(text: str, path: str = "<monitor>", default_name: str | None = None,
                  budget: Budget = _NO_BUDGET, base_dir: Path | None = None) -> Monitor:
    """Validate one monitor from YAML text. Raises one :class:`ConfigError` naming every problem
    of the file (schema, source types and options, duplicate names, and with ``base_dir`` (the
    monitor file's directory) ``file:`` feeds that do not exist), each with its line; also when
    ``budget`` runs out."""
    if len(text) > MAX_MONITOR_BYTES:
        raise ConfigError(_too_large(len(text)), path=path, line=1)
    root, data = _compose(text, path, budget)
    if data is None:
        raise ConfigError("the file is empty; expected a mapping with employer and sources", path=path, line=1)
    budget.check(path)
    _refuse_credentials(root, path, budget)
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping at the top level, got {type(data).__name__}", path=path,
                          line=root.start_mark.line + 1 if root else 1)
    data = dict(data)
    if "name" not in data and default_name:
        data["name"] = default_name
    raw_sources = data.get("sources")
    problems: list[tuple[int | None, str, str]] = []
    monitor: Monitor | None = None
    try:
        monitor = Monitor.model_validate({**data, "sources": _placeholder_sources(raw_sources)})
    except ValidationError as exc:
        problems += _error_lines(exc, root, path, Monitor)
    budget.check(path)
    indexed = _source_specs(raw_sources, root, path, budget, problems)
    if base_dir is not None:
        problems += _missing_files(indexed, root, base_dir)
    if problems or monitor is None:
        raise _config_error(problems, path)
    return monitor.model_copy(update={"sources": tuple(spec for _, spec in indexed), "path": path})


def _compose(text: str, path: str, budget: Budget) -> tuple[yaml.Node | None, Any]:
    """The YAML node tree (for lines) and the data built from it, in one parse (libyaml's when
    built in). Raises :class:`ConfigError` for YAML that does not read."""
    try:
        _check_depth(text, path, budget)
        budget.check(path)
        root = yaml.compose(text, Loader=_Loader)
        return root, (_Loader("").construct_document(root) if root is not None else None)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(f"not valid YAML: {exc.problem or exc.context}", path=path, line=line) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other controls)
        line = text.count("\n", 0, max(0, exc.position)) + 1
        code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
        raise ConfigError(f"not valid YAML: the character U+{code:04X} is not allowed in YAML", path=path,
                          line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", path=path) from None
    except RecursionError:
        raise ConfigError("not valid YAML: nested too deeply", path=path) from None


def _source_specs(raw_sources: Any, root: yaml.Node | None, path: str, budget: Budget,
                  problems: list[tuple[int | None, str, str]]) -> list[tuple[int, SourceSpec]]:
    """Each source validated against its kind's options (the second pass), with default names
    and its place in the list. Every problem goes to ``problems`` (an unknown type with "did you
    mean", a name used twice at its line); linear in the number of sources."""
    from hirewatch.sources.registry import BUILTIN, spec_class

    specs: list[tuple[int, SourceSpec]] = []
    if not isinstance(raw_sources, list):
        return specs
    first_use: dict[str, int] = {}
    for index, raw in enumerate(raw_sources):
        if index % 512 == 511:
            budget.check(path)
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            continue  # the first pass named it (not a mapping, or no type)
        spec = _source_spec(raw, index, root, path, problems, spec_class, BUILTIN)
        if spec is None:
            continue
        if first_use.setdefault(spec.name, index) != index:
            node, _ = _node_at(root, ("sources", index))
            problems.append((node.start_mark.line + 1 if node else None, f"sources.{index}.name",
                             f"source name {spec.name!r} is used twice; names must be unique"))
        specs.append((index, spec))
    return specs


def _source_spec(raw: dict[str, Any], index: int, root: yaml.Node | None, path: str,
                 problems: list[tuple[int | None, str, str]], spec_class: Any, kinds: Iterable[str],
                 ) -> SourceSpec | None:
    """One source entry against its kind's options; None (and its problems) when it does not fit."""
    try:
        cls = spec_class(raw.get("type"))
    except KeyError as exc:
        node, _ = _node_at(root, ("sources", index, "type"))
        problems.append((node.start_mark.line + 1 if node else None, f"sources.{index}.type",
                         str(exc.args[0]) + did_you_mean(str(raw.get("type")), kinds)))
        return None
    try:
        spec = cls.model_validate(raw)
    except ValidationError as exc:
        problems += _error_lines(exc, root, path, cls, ("sources", index))
        return None
    return spec if spec.name else spec.model_copy(update={"name": _default_source_name(spec, index)})


def _missing_files(specs: list[tuple[int, SourceSpec]], root: yaml.Node | None,
                   base: Path) -> list[tuple[int | None, str, str]]:
    """A ``file:`` feed that does not exist (relative to the monitor file's directory ``base``)."""
    out = []
    for index, spec in specs:
        url = spec.url or ""
        if not url.startswith("file:") or "://" in url:
            continue
        target = base / url[len("file:"):]
        if not target.is_file():
            node, _ = _node_at(root, ("sources", index, "url"))
            out.append((node.start_mark.line + 1 if node else None, f"sources.{index}.url",
                        f"no such file: {target} (a file: URL is read relative to the monitor file)"))
    return out


def _too_large(size: int) -> str:
    return (f"the file is {size / 1e6:.1f} MB; a monitor file may be at most {MAX_MONITOR_BYTES / 1e6:g} MB "
            "(MAX_MONITOR_BYTES): split it into one file per employer")


def _refuse_credentials(root: yaml.Node | None, path: str, budget: Budget = _NO_BUDGET) -> None:
    """Refuse any URL with ``user:password@`` in it, wherever it is in the file (a feed, a
    ``kibana_url``): secrets come from the environment or an Airflow Connection, never from a
    monitor file, and such a URL would be printed and stored. The message never repeats it."""
    stack: list[tuple[yaml.Node, str]] = [(root, "")] if root is not None else []
    visited: set[int] = set()  # an alias shares its node: each node is looked at once (no alias bomb)
    while stack:
        node, where = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if len(visited) % 8192 == 0:
            budget.check(path)
        if isinstance(node, yaml.ScalarNode):
            if "@" in node.value and "://" in node.value and url_has_userinfo(node.value):
                raise ConfigError(
                    "a URL with credentials (user:password@host) is not allowed in a monitor file; remove them and "
                    "give them through the environment or an Airflow Connection", path=path,
                    line=node.start_mark.line + 1, field=where or None)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((value, f"{where}.{key.value}" if where else str(key.value)) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, f"{where}.{index}") for index, item in enumerate(node.value))


class _Loader(_LOADER):  # type: ignore[misc,valid-type]
    """PyYAML's safe loader (libyaml's when built in), whose scalar errors carry their line: a value it cannot build (a
    5000-digit integer, the date 2024-13-45) raised a bare ``ValueError`` without one."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value: {' '.join(str(exc).split())[:160]}", node.start_mark) from None


def _flow_depth_line(text: str) -> int | None:
    """A cheap upper bound first: the line where unclosed ``[``/``{`` (outside quotes and
    comments) pass :data:`MAX_YAML_DEPTH`, or None. PyYAML's scanner is quadratic in the flow
    brackets it holds open on one line (5,000 took seconds), so they are counted before it runs."""
    depth, line, quote = 0, 1, ""
    for index, char in enumerate(text):
        if char == "\n":
            line += 1
            if quote == "#":
                quote = ""
        elif quote:
            if char == quote and quote != "#":
                quote = ""
        elif char in "'\"" or (char == "#" and (index == 0 or text[index - 1] in " \t\n")):
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_YAML_DEPTH:
                return line
        elif char in "]}":
            depth = max(0, depth - 1)
    return None


def _check_depth(text: str, path: str, budget: Budget = _NO_BUDGET) -> None:
    """Refuse nesting deeper than :data:`MAX_YAML_DEPTH` (PyYAML's event parser is iterative, so
    this walk itself cannot overflow the stack). Parse errors are left to the composer."""
    line = _flow_depth_line(text)
    if line is not None:
        raise ConfigError(f"not valid for a monitor: nested deeper than {MAX_YAML_DEPTH} levels",
                          path=path, line=line)
    depth = 0
    for count, event in enumerate(yaml.parse(text, Loader=_Loader)):
        if count % 8192 == 8191:
            budget.check(path)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise ConfigError(f"not valid for a monitor: nested deeper than {MAX_YAML_DEPTH} levels",
                                  path=path, line=event.start_mark.line + 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _placeholder_sources(raw: Any) -> Any:
    """First pass: check that ``sources`` is a list of mappings with a ``type``; kinds validate
    their own options in the second pass."""
    if not isinstance(raw, list):
        return raw
    out = []
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("type"), str):
            out.append({"type": item["type"]})
        else:
            out.append(item)
    return out


def _default_source_name(spec: SourceSpec, index: int) -> str:
    return f"{spec.type}-{index + 1}"


def load_monitor(path: str | Path, budget: Budget = _NO_BUDGET, *, check_files: bool = False) -> Monitor:
    """Load and validate one monitor file (refused unread above :data:`MAX_MONITOR_BYTES`).
    Raises :class:`ConfigError`."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_MONITOR_BYTES:
            raise ConfigError(_too_large(size), path=str(p), line=1)
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc.strerror}", path=str(p)) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path=str(p)) from None
    return parse_monitor(text, path=str(p), default_name=_name_from_stem(p.stem), budget=budget,
                         base_dir=p.resolve().parent if check_files else None)


def _name_from_stem(stem: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-")[:64] or "monitor"


def monitor_files(directory: str | Path) -> list[Path]:
    """The monitor files of a directory in a stable order (``*.yaml`` and ``*.yml``)."""
    d = Path(directory)
    return sorted([*d.glob("*.yaml"), *d.glob("*.yml")])


def load_monitors(directory: str | Path, *, budget_s: float | None = None, total_budget_s: float | None = None,
                  check_files: bool = False) -> tuple[list[Monitor], list[ConfigError]]:
    """Load every monitor file of ``directory``: the valid monitors and the errors of the others.
    Two files with the same monitor name: the second is an error. An unexpected exception while
    loading one file (a source kind whose module does not import, say) is that file's error too:
    one monitor never stops the others, in the CLI as in the DAG files. ``budget_s``: each file's
    own time budget (:class:`Budget`); a file that spends it is refused like a broken one.
    ``total_budget_s``: the whole folder's (the DagBag's import timeout covers every file a DAG
    file loads): each file gets what is left of it, at most ``budget_s``, and once it is spent the
    files not yet read are refused, each saying so. ``check_files`` (``hirewatch validate``): a
    ``file:`` feed that does not exist is a problem of its file too (a run reports it as a failed
    source; an import may bring its file later)."""
    monitors: list[Monitor] = []
    errors: list[ConfigError] = []
    seen: dict[str, str] = {}
    folder_deadline = time.monotonic() + total_budget_s if total_budget_s is not None else None
    for path in monitor_files(directory):
        left = folder_deadline - time.monotonic() if folder_deadline is not None else None
        if left is not None and left <= 0:
            errors.append(ConfigError(
                f"not read: the monitor files before it took the folder's whole time budget of "
                f"{total_budget_s:g} s (HIREWATCH_MONITORS_BUDGET_S); make the slow files smaller or split "
                "the folder", path=str(path)))
            continue
        if left is not None and (budget_s is None or left < budget_s):  # what is left of the folder's
            budget = Budget(left, f"what was left of the folder's {total_budget_s:g} s, HIREWATCH_MONITORS_BUDGET_S")
        else:
            budget = Budget(budget_s)
        try:
            monitor = load_monitor(path, budget, check_files=check_files)
        except ConfigError as exc:
            errors.append(exc)
            continue
        except Exception as exc:  # noqa: BLE001 - one monitor file must never stop the others
            errors.append(ConfigError(f"could not be loaded: {type(exc).__name__}: {exc}", path=str(path)))
            continue
        if monitor.name in seen:
            errors.append(ConfigError(f"monitor name {monitor.name!r} is already used by {seen[monitor.name]}",
                                      path=str(path), field="name"))
            continue
        seen[monitor.name] = str(path)
        monitors.append(monitor)
    return monitors, errors
