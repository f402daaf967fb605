"""hirewatch's exception hierarchy.

Every error a user can meet derives from :class:`HirewatchError` and carries enough context
to act on ("in source X of monitor Y: ..."). Stages raise these; the pipeline catches them per
source so one failure never stops the rest.
"""

from __future__ import annotations

from hirewatch.redact import clean, strip_userinfo


class HirewatchError(Exception):
    """Base class of every error hirewatch raises on purpose. Its message is cleaned
    (:func:`hirewatch.redact.clean`): an error that quotes a server's answer never carries a
    configured secret or a control character to a terminal, a log or the store."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(clean(arg) for arg in args))


class ConfigError(HirewatchError):
    """A monitor file or a setting is wrong. ``str()`` is the whole message for the user:
    ``file:line: field: what was expected``. ``located=True``: ``message`` already says where."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None, located: bool = False) -> None:
        self.path, self.line, self.field = path, line, field
        where = path or "<config>"
        if line is not None:
            where = f"{where}:{line}"
        prefix = f"{where}: " + (f"{field}: " if field else "")
        super().__init__(message if located else prefix + message)


class MissingExtra(ConfigError):
    """An optional dependency is not installed; the message names the extra that brings it
    (``pip install 'hirewatch[elasticsearch]'``). Raised by the one import guard of the module
    that needs it."""

    def __init__(self, extra: str, what: str, cause: ImportError) -> None:
        self.extra = extra
        super().__init__(f"{what} needs the {extra} extra, which is not installed: install "
                         f"hirewatch[{extra}] (pip install 'hirewatch[{extra}]'); {cause}", located=True)


class NotConfigured(HirewatchError):
    """A component switches itself off (no token, no URL): callers skip it, not fail."""


class SourceError(HirewatchError):
    """Fetching or parsing one source failed; the run records it and goes on.

    Retry hints for a scheduler (Airflow's retry policy, :mod:`hirewatch.dags.retry`):
    ``permanent`` when trying again cannot help (the page is gone, robots.txt forbids it),
    ``retry_after`` the seconds the site asked us to wait before asking again."""

    def __init__(self, message: str, *, monitor: str | None = None, source: str | None = None,
                 permanent: bool = False, retry_after: float | None = None) -> None:
        self.monitor, self.source, self.reason = monitor, source, clean(message)
        self.permanent, self.retry_after = permanent, retry_after
        ctx = []
        if source:
            ctx.append(f"source {source!r}")
        if monitor:
            ctx.append(f"monitor {monitor!r}")
        super().__init__(("in " + " of ".join(ctx) + ": " if ctx else "") + message)


class NothingRecognised(SourceError):
    """A document was fetched but nothing in it was recognised (a review page with no review any
    reader knows, a feed URL that answers with an HTML page). The pipeline adds "markup changed?"
    when the same source gave items before."""


#: HTTP statuses that say the address is not there and asking again will not change that.
GONE = frozenset({404, 410})


class FetchError(SourceError):
    """The HTTP fetch failed: timeout, refused, 4xx/5xx, too large, too many redirects, blocked
    address, robots.txt disallow.

    ``url`` is the address that failed (the redirect hop, not only the first URL), ``status`` the
    HTTP status when there was an answer, ``retry_after`` the seconds a 429/503 asked us to wait.
    A 404 or 410 is ``permanent`` (so is a robots.txt refusal, which says so).
    """

    def __init__(self, message: str, *, monitor: str | None = None, source: str | None = None,
                 url: str | None = None, status: int | None = None, retry_after: float | None = None,
                 permanent: bool | None = None) -> None:
        super().__init__(message, monitor=monitor, source=source, retry_after=retry_after,
                         permanent=status in GONE if permanent is None else permanent)
        self.url = strip_userinfo(url) if url else url
        self.status = status


class StoreError(HirewatchError):
    """The store could not read or write (locked, unreachable, rejected)."""


class AlertError(HirewatchError):
    """Slack (or another alert channel) refused or could not be reached."""


class DropItem(HirewatchError):
    """A stage decided this item is not a mention (no employer match, excluded phrase)."""
