"""``hirewatch serve`` in a real browser (Debian's headless Chromium through Selenium) over the
example monitor's store: search, the sentiment facet, the "Pending alerts" query, the CSV export,
and a hostile title that must stay text. What each page should list is read from the store file
directly, not from the server."""

from __future__ import annotations

import csv
import re
import sqlite3
import time
from pathlib import Path

import pytest

from tests.serve.conftest import HOSTILE_TITLE, HOSTILE_URL, Served

pytestmark = pytest.mark.xdist_group("serve")

ROWS = "table.rows-and-columns tbody tr"


def store_rows(store: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple]:
    conn = sqlite3.connect(f"{store.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def page_ids(browser) -> list[str]:
    from selenium.webdriver.common.by import By

    return [row.get_attribute("data-mention-id") for row in browser.find_elements(By.CSS_SELECTOR, ROWS)]


def test_searching_interview_lists_the_interview_complaints(browser, served: Served) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served.url + "/")
    box = browser.find_element(By.ID, "search")
    box.send_keys("interview")
    box.submit()
    assert "_search=interview" in browser.current_url
    word = re.compile(r"\binterviews?\b", re.IGNORECASE)
    rows = store_rows(served.store, "SELECT id, title, text FROM mentions ORDER BY sort_at DESC, id")
    expected = [mid for mid, title, text in rows if word.search(title + " " + text)]
    assert page_ids(browser) == expected  # newest first, as the store orders them
    complaints = store_rows(served.store, "SELECT id FROM mentions WHERE language = 'en' AND sentiment_label = "
                                          "'negative' AND topics LIKE '%\"interview\"%'")
    assert len(complaints) == 2 and {mid for (mid,) in complaints} <= set(expected)
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, f"{ROWS} td.col-title a")]
    assert any("rude interview questions" in t for t in titles)


def test_sentiment_facet_narrows_to_the_negatives(browser, served: Served) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served.url + "/hirewatch/mentions")
    everything = page_ids(browser)
    facet = browser.find_element(By.CSS_SELECTOR, '.facet-info[data-column="sentiment_label"]')
    facet.find_element(By.LINK_TEXT, "negative").click()
    assert "sentiment_label=negative" in browser.current_url
    negatives = [mid for (mid,) in store_rows(
        served.store, "SELECT id FROM mentions WHERE sentiment_label = 'negative' ORDER BY sort_at DESC, id")]
    assert page_ids(browser) == negatives
    assert 0 < len(negatives) < len(everything)
    labels = {td.text for td in browser.find_elements(By.CSS_SELECTOR, f"{ROWS} td.col-sentiment_label")}
    assert labels == {"negative"}


def test_pending_alerts_lists_exactly_the_pending_ones(browser, served: Served) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served.url + "/")
    browser.find_element(By.LINK_TEXT, "Pending alerts").click()
    shown = [td.text for td in browser.find_elements(By.CSS_SELECTOR, f"{ROWS} td.col-id")]
    pending = [mid for (mid,) in store_rows(
        served.store, "SELECT id FROM mentions WHERE alert_status = 'pending' ORDER BY fetched, id")]
    sent = store_rows(served.store, "SELECT id FROM mentions WHERE alert_status = 'sent'")
    assert shown == pending
    assert sent and sent[0][0] not in shown  # the alert marked sent after the run is not listed


def test_csv_export_downloads_the_same_rows(browser, served: Served) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served.url + "/hirewatch/mentions?_search=interview")
    on_page = page_ids(browser)
    export = browser.find_element(By.CSS_SELECTOR, "p.export-links")
    href = export.find_element(By.LINK_TEXT, "CSV").get_attribute("href")
    for old in browser.download_dir.iterdir():
        old.unlink()
    browser.get(href + "&_dl=1")
    deadline = time.monotonic() + 30
    files: list[Path] = []
    while time.monotonic() < deadline:
        files = [f for f in browser.download_dir.iterdir() if f.suffix == ".csv"]
        if files and not any(f.suffix == ".crdownload" for f in browser.download_dir.iterdir()):
            break
        time.sleep(0.2)
    assert len(files) == 1, list(browser.download_dir.iterdir())
    with files[0].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == on_page and on_page
    assert all("interview" in (r["title"] + r["text"]).lower() for r in rows)


def test_a_script_in_a_title_renders_as_text_and_runs_nothing(browser, served: Served) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    (hostile_id,) = store_rows(served.store, "SELECT id FROM mentions WHERE url = ?", (HOSTILE_URL,))[0]
    for path in ("/hirewatch/mentions?_search=claims", f"/hirewatch/mentions/{hostile_id}", "/",
                 "/hirewatch/latest_negative"):
        browser.get(served.url + path)
        assert browser.execute_script("return window.__hirewatch_pwned") is None, path
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018 - raises when no alert is open
        assert not browser.find_elements(By.XPATH, "//script[contains(., '__hirewatch_pwned')]"), path
        assert not browser.find_elements(By.CSS_SELECTOR, "img[src='x'], a[href^='javascript']"), path
        if path != "/":
            assert HOSTILE_TITLE in browser.find_element(By.TAG_NAME, "body").text, path
            assert HOSTILE_URL in browser.find_element(By.TAG_NAME, "body").text, path
