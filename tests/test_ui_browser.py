"""End to end in a real browser: `streamlit run ui/app.py` on 127.0.0.1, driven by headless Chromium.

Uses the system Chromium (/usr/bin/chromium) through PyPI playwright; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANSWER_TIMEOUT_MS = 240_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def server(settings, built_index, tmp_path):
    """The chat app served by a real `streamlit run` on a free local port over the test index."""
    port = _free_port()
    env = {**os.environ, "RSA_INDEX_DIR": str(settings.index_dir), "RSA_CORPUS_DIR": str(settings.corpus_dir),
           "RSA_FEEDBACK_DIR": str(tmp_path / "feedback"), "RSA_CACHE_DIR": str(settings.cache_dir),
           "HF_HUB_OFFLINE": "1"}
    log = open(tmp_path / "streamlit.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "ui" / "app.py"),
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            if process.poll() is not None:
                pytest.fail(f"streamlit exited early:\n{(tmp_path / 'streamlit.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not become healthy")
        yield {"url": url, "feedback": tmp_path / "feedback" / "feedback.jsonl", "log": tmp_path / "streamlit.log"}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _ask(page, question: str, answers_before: int) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    # the answer is done when its feedback widget appears (rendered after the final Answer)
    page.get_by_test_id("stFeedback").nth(answers_before).wait_for(timeout=ANSWER_TIMEOUT_MS)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_research_session_in_a_real_browser(server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        try:
            page.goto(server["url"], timeout=120_000)
            page.get_by_test_id("stChatInputTextArea").wait_for(timeout=ANSWER_TIMEOUT_MS)
            expect(page.get_by_text("not medical advice", exact=False).first).to_be_visible()
            # the sidebar's filters appear once the index and the model are loaded
            page.get_by_test_id("stSidebar").get_by_text("Evidence").wait_for(timeout=ANSWER_TIMEOUT_MS)
            _shot(page, "01-welcome")

            # 1. ask, wait for the streamed answer, follow a citation to its highlighted passage
            _ask(page, "Which MSC source lowered the abortion rate most in mice?", 0)
            page.get_by_test_id("stChatMessage").nth(1).scroll_into_view_if_needed()
            _shot(page, "02a-answer")
            marker = page.locator("a[href^='#src-']").first
            anchor = marker.get_attribute("href").lstrip("#")
            marker.click()
            card_heading = page.locator(f"[id='{anchor}']")
            expect(card_heading).to_be_in_viewport()
            card = page.locator("[data-testid='stVerticalLayoutBlock'], [data-testid='stVerticalBlock']").filter(
                has=card_heading).last
            highlight = card.locator("[data-testid='stMarkdownContainer'] span[style*='background']").first
            expect(highlight).to_be_visible()
            assert len(highlight.inner_text()) > 20
            _shot(page, "02-citation-followed")

            # 2-3. follow-ups keep the conversation
            _ask(page, "What about in rats?", 1)
            expect(page.get_by_text("Searched for:", exact=False).first).to_be_visible()
            _ask(page, "How do MSCs act on decidual NK cells?", 2)
            _shot(page, "03-three-questions")

            # 4. filter to preclinical mouse studies, ask again: every cited source is a mouse study
            sidebar = page.get_by_test_id("stSidebar")
            sidebar.get_by_test_id("stMultiSelect").nth(1).click()
            page.get_by_role("option", name="preclinical mouse").click()
            page.keyboard.press("Escape")
            expect(page.get_by_text("Filtered to", exact=False)).to_be_visible(timeout=60_000)
            _ask(page, "Which MSC source lowered the abortion rate most?", 3)
            last = page.get_by_test_id("stChatMessage").last
            captions = last.get_by_test_id("stCaptionContainer").all_inner_texts()
            meta = [text for text in captions if "evidence:" in text]
            assert meta and all("preclinical-mouse" in text for text in meta), meta
            _shot(page, "04-filtered-mouse")

            # 5. export the conversation as Markdown with a reference list
            with page.expect_download() as download_info:
                sidebar.get_by_role("button", name="Download Markdown").click()
            exported = Path(download_info.value.path()).read_text(encoding="utf-8")
            assert exported.count("\n## ") >= 5 and "## References" in exported
            assert "What about in rats?" in exported

            # 6. thumbs up on the last answer is appended to the feedback file
            last.get_by_test_id("stFeedbackButton").first.click()  # thumbs up comes first
            expect(last.get_by_test_id("stFeedbackButtonActive")).to_be_visible()
            for _ in range(60):
                if server["feedback"].exists():
                    break
                time.sleep(0.5)
            rows = [json.loads(line) for line in server["feedback"].read_text().splitlines()]
            assert rows and rows[-1]["rating"] == "up"
            assert rows[-1]["question"] == "Which MSC source lowered the abortion rate most?"
            page.wait_for_timeout(500)
            _shot(page, "05-feedback")
            page.screenshot(path=str(ARTIFACTS / "06-full-page.png"), full_page=True)
        except Exception:
            _shot(page, "failure")
            raise
        finally:
            browser.close()
    assert "Traceback" not in server["log"].read_text()
