"""The dry-run alerter: prints what would be sent instead of sending it.

Used by :func:`hirewatch.alerts.deliver_alerts` when there is no Slack token, so ``hirewatch run``
on a laptop shows the alerts it would post. It prints on stderr: stdout stays for the commands'
own output (``hirewatch run --json`` must print JSON only). ``marks_sent`` is False: a dry run changes nothing in
the store (every mention stays pending for the day a token is configured).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape as markup_escape

from hirewatch.alerts.base import Alerter, Posted


class DryRunAlerter(Alerter):
    """Prints each message (channel, thread, the plain-text fallback and the blocks' text) to
    ``console`` (stderr by default). Never raises for a message."""

    name = "dry_run"
    marks_sent = False

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True, highlight=False, soft_wrap=True)
        self.count = 0

    def post(self, channel: str, message: dict[str, Any], *, thread_ts: str | None = None) -> Posted:
        self.count += 1
        where = f"{channel} (thread {thread_ts})" if thread_ts else channel
        self.console.print(f"[bold]dry run[/bold]: would post to {markup_escape(where)}: "
                           f"{markup_escape(str(message.get('text', '')))}")
        for line in block_lines(message.get("blocks") or []):
            self.console.print("    " + markup_escape(line))
        return Posted(channel, f"dry-run.{self.count:06d}")


def block_lines(blocks: list[dict[str, Any]]) -> list[str]:
    """A terminal rendering of Block Kit blocks: one line per text, buttons as ``[label] url``."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("header", "section") and block.get("text"):
            lines.extend(str(block["text"].get("text", "")).splitlines())
        for item in block.get("fields") or []:
            lines.append(" ".join(str(item.get("text", "")).split("\n")))
        if kind == "actions":
            lines.append("  ".join(f"[{e.get('text', {}).get('text', '')}]" + (f" {e['url']}" if e.get("url") else "")
                                   for e in block.get("elements", [])))
        if kind == "context":
            lines.append(" ".join(str(e.get("text", "")) for e in block.get("elements", [])))
    return lines
