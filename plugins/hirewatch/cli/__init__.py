"""The ``hirewatch`` command line: one module per command group, registered here (the entry point
``hirewatch = "hirewatch.cli:main"``). Each command parses its options and calls the library; no
library module imports this package.

Exit codes (every command, see :mod:`hirewatch.cli.support`): 0 ok, 1 the command ran but
something failed (a source, a delivery, a store write), 2 bad input (a monitor file, a setting).
"""

from __future__ import annotations

import typer

from hirewatch.cli import digest, es, review_import, run, search, serve, slack, submit, validate

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Employer-brand reputation monitoring.",
                  epilog="Exit codes: 0 ok; 1 the command ran but something failed (a source, a delivery, a "
                         "store write); 2 bad input (a monitor file, a setting, an argument).")

app.command("validate")(validate.validate)
app.command("run")(run.run)
app.command("search")(search.search)
app.add_typer(slack.slack_app, name="slack")
app.add_typer(es.es_app, name="es")
app.add_typer(es.kibana_app, name="kibana")
app.command("digest")(digest.digest_command)
app.command("submit")(submit.submit_command)
app.command("import")(review_import.import_command)
app.command("serve")(serve.serve_command)


def main() -> None:
    from hirewatch import redact

    # Every configured secret is masked in what the commands print and log (hirewatch.redact).
    redact.install_streams()
    redact.install_logging()
    app()
