"""What hirewatch writes is made safe here: the secret masker (the one place that knows every
configured secret's value and masks it as ``***``), credentials taken out of URLs, and control
characters taken out of strings a server supplied (:func:`strip_controls`: an ESC sequence in a
``Content-Type`` or a reason phrase must not drive the terminal that shows the error).

The settings module registers each secret when it reads one (:class:`hirewatch.settings.Secret`
does it on creation; the user:password of ``HIREWATCH_ES_URL``/``HIREWATCH_KIBANA_URL`` through
:func:`register_url`). The sinks call :func:`mask`: log records (a record factory installed by
:func:`install_logging`), the CLI's stdout and stderr (:class:`MaskingStream`), errors
(:class:`hirewatch.errors.HirewatchError`), the stores' run reports and alert errors, the digest
files and Slack text. Inside Airflow each value is also given to Airflow's own secrets masker, so
the task logs Airflow writes itself hide it too.

A value is masked in the forms it can leak in: as it is, percent-encoded, JSON-escaped and in
base64 (alone and as the ``user:secret`` of a Basic ``Authorization`` header). Values shorter
than :data:`MIN_LENGTH` are not masked (``***`` in place of every "a" would hide the output, not
the secret). This module sits at the bottom of the layers: it imports nothing of hirewatch.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any, TextIO
from urllib.parse import quote, quote_plus, unquote, urlsplit, urlunsplit

MASK = "***"
#: Shorter values are not masked (Airflow's own masker draws the line at 5 characters too).
MIN_LENGTH = 5

_lock = threading.Lock()
_values: set[str] = set()
_pattern: re.Pattern[str] | None = None


def _forms(value: str, users: Iterable[str] = ()) -> set[str]:
    """The ways ``value`` can appear in text: itself, URL- and JSON-escaped, base64 (padded and
    not; as a Basic auth ``user:value`` for each of ``users``)."""
    forms = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
    for raw in (value, *(f"{user}:{value}" for user in users)):
        encoded = base64.b64encode(raw.encode()).decode()
        forms.update((encoded, encoded.rstrip("=")))
    return {form for form in forms if len(form) >= MIN_LENGTH}


def register(value: str | None, *, user: str | None = None) -> None:
    """Mask ``value`` from now on in everything :func:`mask` sees (and, inside Airflow, in
    Airflow's own task logs). ``user``: the login that goes with it in a Basic auth header."""
    if not value or len(value) < MIN_LENGTH:
        return
    raw = value.reveal() if hasattr(value, "reveal") else str.__str__(value)
    forms = _forms(raw, [user] if user else [])
    global _pattern
    with _lock:
        if forms <= _values:
            return
        _values.update(forms)
        # Longest first, so a value that contains another is masked whole.
        _pattern = re.compile("|".join(re.escape(f) for f in sorted(_values, key=len, reverse=True)))
    install_logging()
    _register_with_airflow(raw)


def register_url(url: str | None) -> None:
    """Register the password (and the user:password pair) carried in ``url``'s userinfo: as
    ``urlsplit`` reads it, and as everything between ``://`` and the last ``@`` (a password with
    an unencoded ``#`` or ``/`` ends the host part early for ``urlsplit``)."""
    if not url:
        return
    pairs: list[tuple[str, str]] = []
    try:
        parts = urlsplit(url)
        if parts.password:
            pairs.append((parts.username or "", parts.password))
    except ValueError:
        pass
    match = re.match(r"\s*[a-zA-Z][a-zA-Z0-9+.-]*://(.*)@", url, re.DOTALL)
    if match and ":" in match.group(1):
        user, _, password = match.group(1).partition(":")
        pairs.append((user, password))
    for user, password in pairs:
        register(unquote(password), user=unquote(user))
        register(password, user=user)


#: C0 and C1 controls but tab and newline, DEL, the bidirectional controls that make text read
#: backwards (the same set extract/limits.py removes from crawled text), and lone surrogates (the
#: HTTP client decodes a header's stray bytes to them; no UTF-8 output can carry one).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                       "\ud800-\udfff]")


def strip_controls(text: Any) -> Any:
    """``text`` without control characters (tab and newline stay); anything not a string is
    returned as it is."""
    if not isinstance(text, str):
        return text
    return _CONTROLS.sub("", text) if _CONTROLS.search(text) else text


def clean(text: Any) -> Any:
    """:func:`mask`, :func:`strip_userinfo` and :func:`strip_controls`: for a message that may
    quote a server (an error naming the address a redirect sent us to)."""
    return strip_controls(strip_userinfo(text))


def clean_data(value: Any) -> Any:
    """:func:`clean` through dicts, lists and tuples (a run report as a dict)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {key: clean_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(clean_data(item) for item in value)
    return value


def mask(text: Any) -> Any:
    """``text`` with every registered secret replaced by ``***``; anything not a string is
    returned as it is."""
    pattern = _pattern
    if pattern is None or not isinstance(text, str) or not text:
        return text
    return pattern.sub(MASK, text)


def mask_data(value: Any) -> Any:
    """:func:`mask` through dicts, lists and tuples (a run report as a dict, a JSON document)."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {key: mask_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(mask_data(item) for item in value)
    return value


_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/?#\s@]*)@")
#: ``user:password@`` whose password holds an unencoded ``#``, ``/`` or ``?``: a URL parser ends
#: the host at that character and reads the password's start as a port that is not a number.
#: (A real port, ``host:8080/@account``, or an IPv6 literal is not matched.)
_RESERVED_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)"
                                r"(?P<userinfo>[^/?#\s@:\[]*:(?![0-9]*(?:[/?#\s]|$))[^\s@]*)@")


def strip_userinfo(url: str) -> str:
    """``url`` without its ``user:password@`` part (and masked): for every URL hirewatch prints,
    stores or links to. A string that is not a URL is only masked."""
    if not isinstance(url, str) or "@" not in url:
        return mask(url)
    if _RESERVED_USERINFO.search(url):
        return mask(_RESERVED_USERINFO.sub(r"\g<scheme>", url))
    try:
        parts = urlsplit(url)
        if parts.username is not None or parts.password is not None or "@" in parts.netloc:
            host = parts.netloc.rpartition("@")[2]
            return mask(urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)))
    except ValueError:
        pass
    return mask(_USERINFO.sub(r"\g<scheme>", url))


def url_has_userinfo(url: str) -> bool:
    """True when ``url`` carries a ``user[:password]@`` part."""
    if not isinstance(url, str) or "@" not in url:
        return False
    if _RESERVED_USERINFO.search(url):
        return True
    try:
        return "@" in urlsplit(url).netloc
    except ValueError:
        return bool(_USERINFO.search(url))


#: ``user:password@host`` written without a scheme (``bot:token@mastodon.social``), inside any
#: text: a name, a colon, a secret, an at sign and a host.
#: The secret may hold ``/`` and ``@`` (a base64 token): everything up to the last ``@`` before a
#: host goes. (``mailto:someone@host`` is an address, not a user ``mailto``; ``host:8080/@acct``
#: is a port and a handle.)
_BARE_CREDENTIALS = re.compile(r"(?<![\w.+-])(?!mailto:)[\w.+-]+:(?!//)(?!\d+[/?#])[^\s'\"]+@(?=[\w[])",
                                re.IGNORECASE)


def strip_credentials(text: str) -> str:
    """``text`` (an error message that may repeat a value from a monitor file) with every
    ``user:password@`` taken out, with or without a scheme, and masked. Called by the monitor
    loader for each problem it reports."""
    if not isinstance(text, str) or "@" not in text:
        return mask(text)
    text = _RESERVED_USERINFO.sub(r"\g<scheme>", text)
    text = _USERINFO.sub(r"\g<scheme>", text)
    return mask(_BARE_CREDENTIALS.sub("", text))


# --------------------------------------------------------------------------- Airflow


def _register_with_airflow(value: str) -> None:
    """Airflow's ``mask_secret`` when Airflow is already imported (inside a task, a DAG file):
    Airflow is never imported from here."""
    import sys

    if "airflow" not in sys.modules:
        return
    for module, name in (("airflow.sdk.log", "mask_secret"), ("airflow.utils.log.secrets_masker", "mask_secret")):
        try:
            mask_secret = getattr(__import__(module, fromlist=[name]), name)
        except (ImportError, AttributeError):
            continue
        try:
            mask_secret(value)
        except Exception:  # noqa: BLE001 - Airflow's masker must never stop hirewatch; ours still masks
            logging.getLogger(__name__).debug("Airflow's secrets masker refused a value (%s)", module)
            continue
        return


# --------------------------------------------------------------------------- logging

_factory_installed = False


def install_logging() -> None:
    """Mask every log record of this process when it is made (message, arguments and any
    traceback; control characters removed), whichever logger and handler it goes to. Idempotent."""
    global _factory_installed
    with _lock:
        if _factory_installed:
            return
        _factory_installed = True
        previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _mask_record(record)
        return record

    logging.setLogRecordFactory(factory)


def _mask_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string: keep the raw parts, masked
        message = f"{record.msg} {record.args}"
    masked = clean(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        record.exc_text = mask(logging.Formatter().formatException(record.exc_info))


# --------------------------------------------------------------------------- streams


class MaskingStream(io.TextIOBase):
    """A text stream that masks what goes through it, a line at a time (a secret split over two
    writes of one line is still found); ``flush`` writes a partial line out, masked. Exposes no
    ``buffer``, so nothing writes around it."""

    def __init__(self, inner: TextIO) -> None:
        super().__init__()
        self.inner = inner
        self._pending = ""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.inner, "errors", None)

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._pending += text
        cut = max(self._pending.rfind("\n"), self._pending.rfind("\r"))
        if cut >= 0:
            ready, self._pending = self._pending[:cut + 1], self._pending[cut + 1:]
            self.inner.write(mask(ready))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            ready, self._pending = self._pending, ""
            self.inner.write(mask(ready))
        self.inner.flush()


def install_streams() -> None:
    """Put :class:`MaskingStream` in front of ``sys.stdout`` and ``sys.stderr`` (the CLI's entry
    point calls it); flushed at exit. Idempotent."""
    import atexit
    import sys

    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, MaskingStream):
            wrapped = MaskingStream(stream)
            setattr(sys, name, wrapped)
            atexit.register(wrapped.flush)
