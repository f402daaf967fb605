"""Shared fixtures: the local web server, paths to fixture data, a fresh store directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hirewatch.stores.sqlite_store import SqliteStore

from tests.support.slack_server import SlackServer
from tests.support.web_server import WebServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
REALDATA = ROOT.parent / "shared" / "realdata"


@pytest.fixture()
def web() -> Iterator[WebServer]:
    with WebServer() as server:
        yield server


@pytest.fixture()
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.fail(f"third-party fixture data not found at {REALDATA} (../shared/realdata beside the project)")
    return REALDATA


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's secrets or writes to the project's var/."""
    for key in list(os.environ):
        if key.startswith("HIREWATCH_"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HIREWATCH_HOME", str(tmp_path / "hirewatch-home"))


@pytest.fixture(autouse=True)
def _cli_logging_undone() -> Iterator[None]:
    """A command run in the test process (CliRunner) configures logging for the process, as the
    real command does; afterwards its stderr handler and the root level are put back, so a later
    test's output is not changed by an earlier test's command."""
    import logging

    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if getattr(h, "_hirewatch", False)]:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture()
def slack() -> Iterator[SlackServer]:
    """A local server that answers like Slack's Web API (the real WebClient talks to it)."""
    with SlackServer() as server:
        yield server


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    """The real embedded store in a fresh file (tests/stores/ overrides it with every store kind)."""
    opened = SqliteStore(tmp_path / "store.db")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def osmem_server():
    """One osmem-server per test process (overrides the plugin's fixture: no Japanese analysis)."""
    from osmem_server import OsmemServer

    server = OsmemServer.start(japanese=False)
    yield server
    server.close()
