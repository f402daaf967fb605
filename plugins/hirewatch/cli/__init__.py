"""The ``hirewatch`` command line: one module per command group, registered here (the entry point
``hirewatch = "hirewatch.cli:main"``). Each command parses its options and calls the library; no
library module imports this package.

Exit codes (every command, see :mod:`hirewatch.cli.support`): 0 ok, 1 the command ran but
something failed (a source, a delivery, a store write), 2 bad input (a monitor file, a setting).
"""

from __future__ import annotations

import logging
import os

import typer

from hirewatch import redact
from hirewatch.cli import digest, es, review_import, run, search, serve, slack, submit, validate
from hirewatch.cli.support import TYPER_OPTIONS, refuse

app = typer.Typer(**{**TYPER_OPTIONS, "add_completion": True}, help="Employer-brand reputation monitoring.",
                  epilog="Exit codes: 0 ok; 1 the command ran but something failed (a source, a delivery, a "
                         "store write); 2 bad input (a monitor file, a setting, an argument).")

LOG_LEVELS = ("debug", "info", "warning", "error")


def _version(show: bool) -> None:
    if show:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"hirewatch {version('hirewatch')}")
        except PackageNotFoundError:
            typer.echo("hirewatch (not installed as a package)")
        raise typer.Exit(0)


class _Brief(logging.Formatter):
    """One line per message on stderr: an exception is named, its traceback left out (it is
    there with ``--log-level debug``)."""

    def __init__(self, *args: str, tracebacks: bool = False) -> None:
        super().__init__(*args)
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info and not self.tracebacks:
            error = record.exc_info[1]
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
            # The exception's text may quote a configured secret (a URL, an echoed header): masked.
            record.msg, record.args = f"{record.getMessage()} ({redact.mask(f'{type(error).__name__}: {error}')})", ()
        return super().format(record)


def configure_logging(level: str) -> None:
    """Logging configured once, for every command: messages from ``level`` up on stderr (stdout
    stays the command's output, JSON included). Other libraries' messages (the Elasticsearch and
    Slack clients' retries) show from ``error`` up, unless ``debug`` or ``info`` is asked for. A
    handler someone else configured (a file at DEBUG) keeps what it gets."""
    chosen = logging.getLevelName(level.upper())
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_hirewatch", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler._hirewatch = True  # type: ignore[attr-defined]
    handler.setLevel(chosen)
    handler.setFormatter(_Brief("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S",
                                tracebacks=chosen <= logging.DEBUG))
    if chosen > logging.INFO:
        handler.addFilter(lambda r: r.name.startswith("hirewatch") or r.levelno >= logging.ERROR)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > chosen:
        root.setLevel(chosen)


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
    log_level: str = typer.Option("warning", "--log-level", envvar="HIREWATCH_LOG_LEVEL", metavar="LEVEL",
                                  help=f"Log messages from this level up on stderr: {', '.join(LOG_LEVELS)}."),
) -> None:
    """Employer-brand reputation monitoring: crawl, score, alert, digest."""
    if log_level.lower() not in LOG_LEVELS:
        raise refuse(f"--log-level: expected one of {', '.join(LOG_LEVELS)}, got {log_level!r}")
    configure_logging(log_level)

app.command("validate", short_help="Check the monitor files; every problem, with its line.")(validate.validate)
app.command("run", short_help="Crawl, store, alert: the whole pipeline without Airflow.")(run.run)
app.command("search", short_help="Search the stored mentions.")(search.search)
app.add_typer(slack.slack_app, name="slack", short_help="Slack: deliver pending alerts, triage listener.")
app.add_typer(es.es_app, name="es", short_help="Elasticsearch: set up, copy the SQLite store in.")
app.add_typer(es.kibana_app, name="kibana", short_help="Kibana: load the saved objects.")
app.command("digest", short_help="Write (and send) the daily digest.")(digest.digest_command)
app.command("submit", short_help="Add a mention someone saw (a URL).")(submit.submit_command)
app.command("serve", short_help="The store in a browser (Datasette, read-only).")(serve.serve_command)
app.command("import", short_help="Bring a review export (JSON, NDJSON, CSV) into the store.")(
    review_import.import_command)


def main() -> None:
    # Every configured secret is masked in what the commands print and log (hirewatch.redact).
    redact.install_streams()
    redact.install_logging()
    app(prog_name=os.environ.get("HIREWATCH_PROG_NAME", "hirewatch"))
