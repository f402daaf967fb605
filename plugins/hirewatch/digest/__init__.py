"""hirewatch.digest: the daily digest for talent-acquisition leads.

:func:`run_digest` is the one entry point: the pipeline (``hirewatch.pipeline.run_digest``), the
Airflow digest DAG and ``hirewatch digest`` call exactly this. It groups the monitors by who reads
their digest (:func:`~hirewatch.digest.build.group_monitors`), builds one
:class:`~hirewatch.digest.model.Digest` per group from the store, writes it as an HTML file and,
when asked and configured, mails it and posts a Slack summary.

A delivery that fails (SMTP down, Slack refuses) is recorded in the group's result and the other
deliveries and groups go on; a store that cannot be read raises
:class:`~hirewatch.errors.StoreError` (no digest is better than a wrong one).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hirewatch.errors import AlertError, NotConfigured
from hirewatch.redact import mask
from hirewatch.settings import digest_url, home

if TYPE_CHECKING:
    from hirewatch.config import Monitor
    from hirewatch.digest.model import Digest
    from hirewatch.stores.base import MentionStore

log = logging.getLogger(__name__)

__all__ = ["DigestResult", "GroupResult", "digest_link", "run_digest"]


@dataclass(frozen=True, slots=True)
class GroupResult:
    """What happened to one group's digest: where the file is, who got it, what was skipped
    (not configured) and what failed."""

    group: str
    day: date
    digest: Digest
    path: Path | None = None
    link: str | None = None
    mailed_to: tuple[str, ...] = ()
    slack_channel: str | None = None
    slack_ts: str | None = None
    skipped: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "day": self.day.isoformat(), "path": str(self.path) if self.path else None,
                "link": self.link, "monitors": list(self.digest.monitors), "headline": self.digest.headline,
                "mentions": self.digest.today.total, "negative": self.digest.today.negative,
                "mailed_to": list(self.mailed_to), "slack_channel": self.slack_channel, "slack_ts": self.slack_ts,
                "skipped": list(self.skipped), "errors": list(self.errors)}


@dataclass(frozen=True, slots=True)
class DigestResult:
    groups: tuple[GroupResult, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not any(g.errors for g in self.groups)

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(g.path for g in self.groups if g.path is not None)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "groups": [g.to_dict() for g in self.groups]}


def digest_dir() -> Path:
    return home() / "digests"


def digest_link(filename: str) -> str | None:
    """Where readers can open a digest file: ``HIREWATCH_DIGEST_URL`` (the address the digests
    directory is served at) joined with the file name, or None."""
    base = digest_url()
    return base.rstrip("/") + "/" + filename if base else None


def _as_day(day: date | datetime | str | None) -> date | None:
    if day is None or (isinstance(day, date) and not isinstance(day, datetime)):
        return day
    if isinstance(day, datetime):
        return day.date()
    try:
        return date.fromisoformat(day)
    except ValueError:
        raise ValueError(f"expected a day as YYYY-MM-DD, got {day!r}") from None


def run_digest(monitors: Sequence[Monitor], store: MentionStore, day: date | str | None = None, *,
               out_dir: Path | str | None = None, send: bool = False, out_file: Path | str | None = None,
               now: datetime | None = None) -> DigestResult:
    """Build, write and (with ``send``) deliver the digest of every group of ``monitors``.

    ``day``: the local day (default: the day before today in each group's time zone);
    ``out_dir``: where ``<group>-<day>.html`` goes (default ``$HIREWATCH_HOME/digests``);
    ``out_file``: one file path instead (only for a single group; ``ValueError`` otherwise);
    ``now``: when the digest is made (tests). Raises ``ValueError`` for a malformed day.
    """
    from hirewatch.digest.build import build_digest, group_monitors

    the_day = _as_day(day)
    groups = group_monitors(monitors)
    if out_file is not None and len(groups) > 1:
        raise ValueError(f"one output file was given for {len(groups)} digests "
                         f"({', '.join(name for name, _ in groups)}); give a directory or one monitor")
    directory = Path(out_dir) if out_dir is not None else digest_dir()
    results = []
    for _name, members in groups:
        digest = build_digest(members, store, the_day, now=now)
        path = Path(out_file) if out_file is not None else directory / f"{digest.group}-{digest.day:%Y-%m-%d}.html"
        results.append(_deliver(digest, path, send=send))
    return DigestResult(tuple(results))


def _deliver(digest: Digest, path: Path, *, send: bool) -> GroupResult:
    from hirewatch.digest.html_renderer import render_html
    from hirewatch.digest.text_renderer import render_text, subject

    errors: list[str] = []
    skipped: list[str] = []
    link = digest_link(path.name)
    written: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(mask(render_html(digest, "file", link=None).html), encoding="utf-8")
        tmp.replace(path)
        written = path
    except OSError as exc:
        errors.append(f"file: could not write {path}: {exc.strerror or exc}")
    mailed: tuple[str, ...] = ()
    slack_ts = None
    if send:
        if digest.recipients:
            try:
                from hirewatch.digest.mailer import build_message, send_message, smtp_settings

                settings = smtp_settings()
                message = build_message(subject=subject(digest), sender=settings.sender, recipients=digest.recipients,
                                        text=render_text(digest, link=link),
                                        html=render_html(digest, "mail", link=link))
                mailed = send_message(message, digest.recipients, settings)
            except NotConfigured as exc:
                skipped.append(f"mail: {exc}")
            except Exception as exc:  # noqa: BLE001 - one failed delivery must not stop the others
                errors.append(f"mail: {exc}")
                log.warning("digest %s: mail failed: %s", digest.group, exc)
        else:
            skipped.append("mail: no digest recipients in the monitor")
        if digest.slack_channel:
            try:
                from hirewatch.digest.slack_summary import post_summary

                slack_ts = post_summary(digest, digest.slack_channel, link=link)
            except NotConfigured as exc:
                skipped.append(f"slack: {exc}")
            except AlertError as exc:
                errors.append(f"slack: {exc}")
                log.warning("digest %s: Slack failed: %s", digest.group, exc)
        else:
            skipped.append("slack: no digest slack_channel in the monitor")
    log.info("digest %s for %s: %s", digest.group, digest.day, digest.headline)
    return GroupResult(group=digest.group, day=digest.day, digest=digest, path=written, link=link, mailed_to=mailed,
                       slack_channel=digest.slack_channel if slack_ts else None, slack_ts=slack_ts,
                       skipped=tuple(skipped), errors=tuple(errors))
