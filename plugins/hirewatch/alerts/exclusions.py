"""Teach a monitor an exclusion phrase after a false positive: add it to ``employer.exclude`` of
the monitor's YAML file, keeping the file's comments, order and layout.

Called by ``hirewatch slack exclude MONITOR PHRASE`` (the false-positive button's hint tells the
user this command). ruamel.yaml does the round trip: PyYAML would drop every comment of a file
that people edit by hand. The edit is checked before anything is written: the file read back
must equal the old one plus the phrase, and the employer must still validate; then the file is
replaced atomically. Raises :class:`~hirewatch.errors.ConfigError` with the file for a file that
is not a monitor, or a phrase that is empty.
"""

from __future__ import annotations

import copy
import io
import os
import re
import tempfile
from itertools import pairwise
from pathlib import Path

import yaml
from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from hirewatch.config import Entity, _name_from_stem, monitor_files
from hirewatch.errors import ConfigError

MAX_PHRASE = 200


def clean_phrase(phrase: str) -> str:
    """The phrase with runs of whitespace squashed; raises ConfigError when empty or too long."""
    cleaned = " ".join(phrase.split())
    if not cleaned:
        raise ConfigError("the exclusion phrase is empty", field="employer.exclude")
    if len(cleaned) > MAX_PHRASE:
        raise ConfigError(f"the exclusion phrase is longer than {MAX_PHRASE} characters", field="employer.exclude")
    return cleaned


def find_monitor_file(directory: str | Path, monitor: str) -> Path:
    """The file of ``directory`` that defines monitor ``monitor`` (its ``name:``, or the file name
    when it has none), read without validating the rest of the file. Raises ConfigError."""
    for path in monitor_files(directory):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        name = data.get("name") if isinstance(data, dict) else None
        if (name or _name_from_stem(path.stem)) == monitor:
            return path
    raise ConfigError(f"no monitor named {monitor!r} in this directory", path=str(directory))


def add_exclusion(path: str | Path, phrase: str) -> bool:
    """Add ``phrase`` to ``employer.exclude`` of the monitor file ``path``. Returns False when
    the phrase (compared case-insensitively) is already there and nothing was written."""
    p = Path(path)
    phrase = clean_phrase(phrase)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc.strerror}", path=str(p)) from None
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096
    try:
        mapping, offset = _guess_indent(text)
        rt.indent(mapping=mapping, sequence=max(mapping, offset + 2), offset=offset)
        doc = rt.load(text)
        before = yaml.safe_load(text)
    except Exception as exc:  # noqa: BLE001  (ruamel's and PyYAML's errors share no base class)
        raise ConfigError(f"not valid YAML: {exc}", path=str(p)) from None
    employer = doc.get("employer") if isinstance(doc, CommentedMap) else None
    if not isinstance(employer, CommentedMap):
        raise ConfigError("expected an employer mapping (name, aliases, exclude)", path=str(p), field="employer")
    existing = employer.get("exclude")
    if existing is None:
        existing = CommentedSeq()
        existing.fa.set_flow_style()
        employer["exclude"] = existing
    if not isinstance(existing, list):
        raise ConfigError("expected a list of phrases", path=str(p), field="employer.exclude")
    if phrase.casefold() in {str(x).casefold() for x in existing}:
        return False
    existing.append(phrase)

    out = io.StringIO()
    rt.dump(doc, out)
    new_text = out.getvalue()
    expected = copy.deepcopy(before)
    expected["employer"]["exclude"] = [*(before["employer"].get("exclude") or []), phrase]
    if yaml.safe_load(new_text) != expected:
        raise ConfigError("could not add the phrase without changing anything else; edit the file by hand",
                          path=str(p), field="employer.exclude")
    try:
        Entity.model_validate(expected["employer"])
    except ValidationError as exc:
        raise ConfigError(f"the employer would not validate: {exc.errors()[0]['msg']}", path=str(p),
                          field="employer") from None
    _replace(p, new_text)
    return True


_KEY_LINE = re.compile(r"^( *)[^\s#-][^:#]*:\s*(#.*)?$")
_ANY_KEY = re.compile(r"^( +)[^\s#-][^:#]*:")
_DASH = re.compile(r"^( *)- ")


def _guess_indent(text: str) -> tuple[int, int]:
    """The file's mapping indent and block-sequence dash offset (``key:`` then ``  - item`` is
    offset 2), so the rewritten file keeps the hand-written layout."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    indents = [len(m.group(1)) for line in lines if (m := _ANY_KEY.match(line))]
    mapping = min(indents) if indents else 2
    offset = 0
    for previous, line in pairwise(lines):
        key, dash = _KEY_LINE.match(previous), _DASH.match(line)
        if key and dash:
            offset = max(0, len(dash.group(1)) - len(key.group(1)))
            break
    return mapping, offset


def _replace(path: Path, text: str) -> None:
    """Write ``text`` next to ``path`` and rename it over, keeping the file's mode."""
    mode = path.stat().st_mode & 0o777
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
