"""The sample digests (README, docs/digest.md) are what the code renders today: the fixture sample is rendered
again and compared byte for byte, and the sample from ``make run``'s data (times differ per run)
shows what the current renderer puts beside every item. ``scripts/screenshot-digest`` rebuilds
both (and their screenshots)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

DOCS = ROOT / "docs"


def test_the_fixture_sample_is_what_the_code_renders(tmp_path: Path) -> None:
    out = tmp_path / "sample.html"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "sample_digest.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (DOCS / "sample-digest-fixture.html").read_bytes(), (
        "docs/sample-digest-fixture.html is stale: run scripts/screenshot-digest")


def test_the_make_run_sample_has_the_current_item_lines() -> None:
    html = (DOCS / "sample-digest.html").read_text(encoding="utf-8")
    seen = html.count(" · seen ")
    assert seen and html.count(" · published ") == seen, "every item shows when it was published"
    assert "ran without trouble" in html
    assert (DOCS / "sample-digest.png").stat().st_size > 10_000
