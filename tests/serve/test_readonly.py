"""The store is only read: its bytes do not change while pages are served and queried, and a
crawl (``hirewatch run``) writing to it at the same time succeeds, its writes visible to the page."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import threading
import urllib.error
from pathlib import Path

import pytest

from tests.serve.conftest import ROOT, Served, base_env, cli, start_serve, stop

pytestmark = pytest.mark.xdist_group("serve")

PAGES = ("/", "/hirewatch", "/hirewatch/mentions", "/hirewatch/mentions?_search=interview",
         "/hirewatch/mentions?sentiment_label=negative",
         "/hirewatch/mentions?_facet_array=topics&topics__arraycontains=interview",
         "/hirewatch/mentions.csv?_size=max", "/hirewatch/mentions.json?_search=recruiter",
         "/hirewatch/pending_alerts", "/hirewatch/negative_candidate_experience", "/hirewatch/latest_negative.csv",
         "/hirewatch/source_health.json", "/hirewatch/runs", "/hirewatch?sql=select+count(*)+from+mentions")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_home(example_home: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    for name in ("hirewatch.db", "hirewatch.db-wal", "hirewatch.db-shm"):
        if (example_home / name).exists():
            shutil.copy2(example_home / name, home / name)
    return home


def visit_all(server: Served) -> None:
    for page in PAGES:
        server.get(page)
    for (mid,) in [tuple(r.values()) for r in json.loads(server.get("/hirewatch/mentions.json?_shape=array&_col=id"))]:
        server.get(f"/hirewatch/mentions/{mid}")


def test_store_bytes_do_not_change_while_served(example_home: Path, tmp_path: Path) -> None:
    home = copy_home(example_home, tmp_path)
    store = home / "hirewatch.db"
    before = digest(store)
    server = start_serve(home)
    try:
        visit_all(server)
        visit_all(server)
        assert digest(store) == before
    finally:
        stop(server)
    assert digest(store) == before


def test_a_crawl_writing_while_served_succeeds(example_home: Path, tmp_path: Path) -> None:
    home = copy_home(example_home, tmp_path)
    server = start_serve(home)
    stop_reading = threading.Event()
    errors: list[str] = []
    reads = 0

    def read_all_the_time() -> None:
        nonlocal reads
        while not stop_reading.is_set():
            for page in PAGES:
                try:
                    server.get(page)
                    reads += 1
                except (urllib.error.URLError, OSError) as exc:
                    errors.append(f"{page}: {exc}")

    runs_before = json.loads(server.get("/hirewatch/runs.json?_shape=array"))
    reader = threading.Thread(target=read_all_the_time)
    reader.start()
    try:
        crawl = subprocess.run(cli("run", "--monitor", "example", "--monitors", str(ROOT / "monitors"), "--no-alerts"),
                               env=base_env(home), capture_output=True, text=True, timeout=240, cwd=ROOT)
    finally:
        stop_reading.set()
        reader.join(timeout=120)
    try:
        assert crawl.returncode == 0, crawl.stderr
        assert reads > 0 and errors == []
        runs_after = json.loads(server.get("/hirewatch/runs.json?_shape=array"))
        assert len(runs_after) == len(runs_before) + 1  # the crawl's run, seen by the page
    finally:
        stop(server)
