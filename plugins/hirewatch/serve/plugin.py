"""hirewatch's Datasette plugin: readable cells, the mentions table's columns, the front page's
charts, login redirects and the triage buttons.

Registered by :func:`hirewatch.serve.app.build` on the Datasette it builds, which hands it its
options as ``datasette.hirewatch_options`` (never through an entry point, so no other Datasette in
the environment picks it up); every hook acts on the ``hirewatch`` database only. Crawled text
stays data: a cell is returned as a plain string (Datasette's templates escape it) except a link,
built here with its text escaped and only for ``http``/``https`` addresses, so a ``javascript:``
URL is shown, never followed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response
from markupsafe import Markup

from hirewatch.digest.charts import COLORS
from hirewatch.errors import HirewatchError
from hirewatch.serve.overview import tally

DATABASE = "hirewatch"  # the store's name in every URL (/hirewatch/mentions), whatever the file is called
#: The mentions table's page shows these columns, in this order; the row page shows them all.
SHOWN_COLUMNS = ("published", "employer", "title", "text", "sentiment_label", "sentiment_score", "topics",
                 "language", "source", "source_kind", "alert_status", "triage", "url")
TEXT_LIMIT = 280  # characters of a mention's text on the table page
TIME_COLUMNS = frozenset({"published", "fetched", "last_seen", "sort_at", "alert_sent_at", "triage_at", "started",
                          "finished", "updated_at", "at"})
SCORE_COLUMNS = frozenset({"sentiment_score", "severity"})
LIST_COLUMNS = frozenset({"topics", "sources", "matched_terms"})
TRIAGE_STATUSES = {"acknowledged": "Acknowledge", "false_positive": "False positive"}


def readable_time(value: str) -> str:
    """``2026-11-22T15:20:00.000000Z`` -> ``2026-11-22 15:20 UTC`` (the store keeps UTC)."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    return (parsed.astimezone(UTC) if parsed.tzinfo else parsed).strftime("%Y-%m-%d %H:%M UTC")


def link(url: str) -> Markup | str:
    """An ``http(s)`` address as a link that sends no referrer and opens no window handle; any
    other value as plain text."""
    if not url.lower().startswith(("http://", "https://")) or any(c.isspace() for c in url):
        return url
    return Markup('<a href="{0}" rel="nofollow noopener noreferrer" target="_blank">{0}</a>').format(url)


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str) -> Any:
    if database != DATABASE or value is None:
        return None
    if column in TIME_COLUMNS and isinstance(value, str):
        return readable_time(value)
    if column in SCORE_COLUMNS and isinstance(value, int | float):
        return f"{value:.2f}"
    if column in LIST_COLUMNS and isinstance(value, str) and value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            return None
        return ", ".join(str(item) for item in items) if isinstance(items, list) else None
    if column == "is_competitor" and table == "mentions":
        return "competitor" if value else "employer"
    if column == "url" and isinstance(value, str):
        return link(value)
    return None


def _accounts(datasette: Any) -> bool:
    return bool(datasette.hirewatch_options.access.required)


@hookimpl
def extra_template_vars(template: str, database: str | None, table: str | None, request: Any,
                        datasette: Any) -> Any:
    async def inner() -> dict[str, Any]:
        if template == "index.html":
            db = datasette.get_database(DATABASE)
            timezone = datasette.hirewatch_options.timezone
            overview = await db.execute_fn(lambda conn: tally(conn, timezone))
            queries = datasette.metadata("queries", database=DATABASE) or {}
            return {"overview": overview, "sentiment_colors": COLORS,
                    "hirewatch_queries": [(datasette.urls.database(DATABASE) + "/" + name, q.get("title", name))
                                          for name, q in queries.items()],
                    "mentions_url": datasette.urls.table(DATABASE, "mentions")}
        if database != DATABASE or table != "mentions":
            return {}
        can_triage = _accounts(datasette) and request is not None and request.actor is not None
        return {
            "shown_columns": SHOWN_COLUMNS,
            "text_limit": TEXT_LIMIT,
            "row_url": lambda mention_id: datasette.urls.row(DATABASE, "mentions", tilde_encode(str(mention_id))),
            "triage_statuses": TRIAGE_STATUSES if can_triage else {},
            "triage_url": datasette.urls.path("/-/hirewatch/triage"),
        }

    return inner


@hookimpl
def forbidden(datasette: Any, request: Any) -> Any:
    """Anyone not logged in, where accounts exist, goes to the login form instead of a 403."""
    if _accounts(datasette) and request.actor is None:
        return Response.redirect(datasette.urls.path("/-/login"))
    return None


async def triage(request: Any, datasette: Any) -> Response:
    """``POST /-/hirewatch/triage``: the Slack buttons' store call (``set_triage``) for a logged-in
    account; the store is opened for this one write and closed again."""
    from hirewatch.stores.sqlite_store import SqliteStore

    if request.method != "POST":
        return Response.text("POST only", status=405)
    if not _accounts(datasette) or request.actor is None:
        return Response.text("Triage needs an account: see the README's `hirewatch serve` section.", status=403)
    form = await request.post_vars()
    mention_id, status = form.get("mention_id") or "", form.get("status") or ""
    if status not in TRIAGE_STATUSES or not mention_id:
        return Response.text("unknown triage status or no mention", status=400)
    try:
        with SqliteStore(datasette.hirewatch_options.store) as store:
            store.set_triage(mention_id, status, f"{request.actor.get('id')} (hirewatch serve)")  # type: ignore[arg-type]
    except HirewatchError as exc:
        return Response.text(f"not recorded: {exc}", status=409)
    return Response.redirect(datasette.urls.row(DATABASE, "mentions", tilde_encode(mention_id)))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/hirewatch/triage$", triage)]
