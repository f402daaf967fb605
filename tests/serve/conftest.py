"""Fixtures of the ``hirewatch serve`` tests: the example monitor's store made by the real
pipeline (``hirewatch run``), a real ``hirewatch serve`` process on 127.0.0.1, and Debian's
headless Chromium driven by Selenium. Written for this project.

The example store gets two changes after the run, so the tests can tell things apart: one
pending alert is marked sent (the "Pending alerts" query must not list it), and one hostile
mention is added (a ``<script>`` title, a ``javascript:`` URL).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hirewatch.mention import Mention, mention_id, utcnow
from hirewatch.stores.sqlite_store import SqliteStore

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HOSTILE_TITLE = '<script>window.__hirewatch_pwned = 1</script><img src=x onerror="window.__hirewatch_pwned = 2">'
HOSTILE_URL = "javascript:window.__hirewatch_pwned=3"


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "hirewatch.cli", *args]


def base_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIREWATCH_")}
    return {**env, "HIREWATCH_HOME": str(home), **extra}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_example(home: Path) -> Path:
    """``hirewatch run`` on the example monitor (the pipeline ``make run`` runs, alerts left pending)."""
    done = subprocess.run(cli("run", "--monitor", "example", "--monitors", str(ROOT / "monitors"), "--no-alerts"),
                          env=base_env(home), capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return home / "hirewatch.db"


def hostile_mention() -> Mention:
    url = "https://news.example.test/hostile"
    return Mention(id=mention_id("Brightwave Logistics", url, monitor="example"), monitor="example",
                   employer="Brightwave Logistics", url=HOSTILE_URL, title=HOSTILE_TITLE,
                   text="Brightwave Logistics <b>bold</b> claims.",
                   source="google-alert", source_kind="google_alerts", fetched=utcnow(), sentiment_score=-0.6,
                   sentiment_label="negative", topics=("culture",))


@pytest.fixture(scope="session")
def example_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A HIREWATCH_HOME whose store holds the example run, one alert sent, and the hostile mention."""
    home = tmp_path_factory.mktemp("serve-example")
    with SqliteStore(run_example(home)) as store:
        first_pending = store.pending_alerts("example")[0]
        store.mark_alert_sent(first_pending.id, "#ta-oncall", "1700000000.000100")
        store.upsert_mentions([hostile_mention()])
    return home


@dataclass
class Served:
    url: str
    store: Path
    proc: subprocess.Popen[str]

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return response.read().decode("utf-8")


def start_serve(home: Path, *args: str, env: dict[str, str] | None = None) -> Served:
    port = free_port()
    proc = subprocess.Popen(cli("serve", "--port", str(port), "--monitors", str(ROOT / "monitors"), *args),
                            env=env or base_env(home), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"hirewatch serve exited {proc.returncode}: {proc.stderr.read()}")
        try:
            with urllib.request.urlopen(url + "/-/versions.json", timeout=5):
                break
        except OSError as exc:
            if getattr(exc, "code", None) in (302, 403):  # up, asking for a login
                break
            time.sleep(0.2)
    else:
        proc.kill()
        raise AssertionError("hirewatch serve did not answer within 60 s")
    return Served(url, home / "hirewatch.db", proc)


def stop(served: Served) -> None:
    served.proc.terminate()
    try:
        served.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        served.proc.wait()


@pytest.fixture(scope="session")
def served(example_home: Path) -> Iterator[Served]:
    server = start_serve(example_home)
    yield server
    stop(server)


def browser_missing() -> str | None:
    """Why no browser test can run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).is_file():
            return f"{path} not found: install Debian's chromium and chromium-driver (.ci/run does, as root)"
    return None


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Headless Chromium with the flags this machine needs (no background networking, a fresh
    profile); downloads go to ``browser.download_dir``."""
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}", "--window-size=1400,1000"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.download_dir = downloads
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
