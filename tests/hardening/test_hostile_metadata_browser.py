"""Hostile corpus metadata in the chat's source cards, in a real headless browser (issue 22).

`streamlit run` serves tests/hardening/hostile_cards_app.py (the chat's `render_answer` over sources
with hostile titles, DOIs and URLs) on 127.0.0.1; headless Chromium loads it. No script may run (no
alert dialog, no onerror handler), no link may carry a non-http(s) href, and no injected image,
heading or table may appear, while the hostile words stay readable as text.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_ui_browser import wait_until_healthy

from tests.fake_openai_server import free_port

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
APP = Path(__file__).resolve().parent / "hostile_cards_app.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    log_path = tmp_path_factory.mktemp("hostile-cards") / "streamlit.log"
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", "127.0.0.1"]
    command += ["--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    command += ["--server.fileWatcherType", "none"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=REPO, env={**os.environ, "HF_HUB_OFFLINE": "1"}, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(process, url, log_path)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    assert "Traceback" not in log_path.read_text(), log_path.read_text()[-3000:]


def test_source_cards_render_hostile_metadata_inert(app_url):
    from playwright.sync_api import sync_playwright

    from tests.hardening.test_hostile_metadata import HOSTILE_URLS, _hostile_sources

    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(app_url, timeout=120_000)
            page.get_by_text("rendered-to-the-end").wait_for(timeout=120_000)
            page.wait_for_timeout(1000)  # let any image error handler fire (it must not exist)
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
            handlers = page.eval_on_selector_all("[onerror], [onload], [onmouseover]", "els => els.length")
            scripts = page.eval_on_selector_all("script", "els => els.map(e => e.textContent).join(' ')")
            images = page.eval_on_selector_all("[data-testid=stMain] img", "els => els.map(e => e.src)")
            headings = page.eval_on_selector_all("h1, h2, h3, h4", "els => els.map(e => e.textContent)")
            tables = page.eval_on_selector_all("[data-testid=stMarkdownContainer] table", "els => els.length")
            text = page.inner_text("[data-testid=stMain]")
        finally:
            browser.close()
    assert dialogs == [], "no script ran"
    assert handlers == 0 and "alert(" not in scripts
    bad = [href for href in hrefs if not href.startswith(("https://", "http://", "#", "/"))]
    assert bad == [], "only http(s) links and in-page anchors"
    assert not [href for href in hrefs if href.split("/")[2:3] == ["ok.example"]], HOSTILE_URLS
    assert images == [], "no injected image"
    # each card's own heading holds the whole title on one line; the title opens no heading of its own
    cards = [h for h in headings if h.startswith("[")]
    assert len(cards) == len(_hostile_sources()) and all("Injected heading | a | b |" in h for h in cards)
    assert not [h for h in headings if h.strip().startswith(("Injected", "journal heading"))], headings
    assert tables == 0, "a title's pipes and newlines make no table"
    assert text.count("Injected heading") >= len(_hostile_sources()), "the title is shown, as text"
    assert "onerror=alert(2)" in text
