"""What the ``hirewatch`` commands share, so every command reads monitors, opens the store and
exits the same way: the ``--monitors``/``--monitor``/``--json`` options, :func:`select_monitors`,
:func:`opened_store` and the exit codes.

Exit codes (README, "Commands"): 0 ok, 1 the command ran but something failed (a source, a
delivery, a store write), 2 bad input (a monitor file, a setting, an argument). Called by
every command module of :mod:`hirewatch.cli`; raises ``typer.Exit`` with those codes, never a traceback for bad input.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape

from hirewatch.config import Monitor, load_monitors
from hirewatch.errors import ConfigError, StoreError

if TYPE_CHECKING:
    from hirewatch.stores.base import MentionStore

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

err_console = Console(stderr=True, highlight=False, soft_wrap=True)

#: Width of Rich output that goes to a pipe or a file (tables take only the width their content needs):
#: Rich's default there is 80 columns, which cut tables. On a terminal the terminal's width is used.
PIPE_WIDTH = 4096


def output_console(**options: Any) -> Console:
    """A Rich console for a command's output: the terminal's width, or :data:`PIPE_WIDTH` when
    stdout is not a terminal (a table piped to a file is not cut at 80 columns)."""
    console = Console(**options)
    if not console.is_terminal:
        console = Console(width=PIPE_WIDTH, **options)
    return console


#: Plain help (Click's formatter): wrapped at words to the terminal, no ``<bool>`` after flags.
TYPER_OPTIONS: dict[str, Any] = {"no_args_is_help": True, "add_completion": False, "rich_markup_mode": None}

#: ``--monitors DIR`` (default ``./monitors``, or ``HIREWATCH_MONITORS``), the same option in every command.
MONITORS_OPTION: Any = typer.Option(Path("monitors"), "--monitors", envvar="HIREWATCH_MONITORS", metavar="DIR",
                                    help="Directory of monitor YAML files.")


def monitor_option(help: str) -> Any:
    """``--monitor NAME`` / ``-m NAME``."""
    return typer.Option(None, "--monitor", "-m", metavar="NAME", help=help)


def refuse(message: str) -> typer.Exit:
    """Print ``message`` as an error; the ``typer.Exit`` (code 2, bad input) to raise."""
    error(message)
    return typer.Exit(EXIT_BAD_INPUT)


def unknown(what: str, name: str, known: list[str] | tuple[str, ...], where: str = "") -> typer.Exit:
    """An unknown name: "no monitor named 'exmaple' in monitors; did you mean 'example'?" (or the
    names there are); exit 2."""
    from hirewatch.config import did_you_mean

    hint = did_you_mean(name, known)
    if not hint and known:
        hint = "; known: " + ", ".join(sorted(known)[:12]) + (" ..." if len(known) > 12 else "")
    return refuse(f"no {what} named {name!r}{' in ' + where if where else ''}{hint}")


def json_option(what: str) -> Any:
    """``--json``: print ``what`` as JSON on stdout (and nothing else there)."""
    return typer.Option(False, "--json", help=f"Print {what} as JSON.")


def error(message: str, *, tag: str = "error") -> None:
    """One line on stderr; ``message`` is shown as it is (no Rich markup in it is interpreted)."""
    err_console.print(f"[red]{tag}[/red] {escape(message)}")


@dataclass(slots=True)
class Selection:
    """The monitors a command works on, and the refused monitor files that were in scope (all of
    them when no ``--monitor`` was given; none when one was, and it loaded)."""

    monitors: list[Monitor]
    refused: list[ConfigError] = field(default_factory=list)

    def exit_code(self, failed: bool) -> int:
        """2 when a monitor file in scope was refused (the others still ran), else 1 when
        something failed, else 0."""
        if self.refused:
            return EXIT_BAD_INPUT
        return EXIT_FAILED if failed else EXIT_OK


def select_monitors(directory: Path, name: str | None = None) -> Selection:
    """Load the monitor files of ``directory`` and print each refused one (file, line, field).
    Exits 2 when the directory is missing, when no monitor is valid, or when ``name`` is given and
    no valid monitor has it."""
    if not Path(directory).is_dir():
        error(f"no monitor directory {directory} (--monitors DIR)")
        raise typer.Exit(EXIT_BAD_INPUT)
    good, refused = load_monitors(directory)
    for problem in refused:
        error(f"{problem} (monitor skipped)")
    if name is not None:
        chosen = [m for m in good if m.name == name]
        if not chosen:
            raise unknown("valid monitor", name, [m.name for m in good], str(directory))
        return Selection(chosen)
    if not good:
        error(f"no valid monitor in {directory}")
        raise typer.Exit(EXIT_BAD_INPUT)
    return Selection(good, refused)


@contextmanager
def opened_store(*, read_only: bool = False) -> Iterator[MentionStore]:
    """The configured store (:func:`hirewatch.stores.registry.open_store`), closed afterwards;
    ``read_only`` for the commands that only read.
    Bad store settings exit 2; a store that cannot be opened or fails while the command works
    exits 1. Either way one line says why."""
    from hirewatch.stores.registry import open_store

    try:
        store = open_store(read_only=read_only)
    except ConfigError as exc:
        error(str(exc))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except StoreError as exc:
        error(str(exc))
        raise typer.Exit(EXIT_FAILED) from None
    try:
        yield store
    except StoreError as exc:
        error(str(exc))
        raise typer.Exit(EXIT_FAILED) from None
    finally:
        store.close()
