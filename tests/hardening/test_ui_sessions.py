"""Load on the UI: 8 browser sessions at once against one `streamlit run`; all answer, none mixes history."""

from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from test_ui_browser import ANSWER_TIMEOUT_MS, ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, server, tracker  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"),
]

QUESTIONS = [
    "How do MSCs act on decidual NK cells?",
    "Which MSC source lowered the abortion rate most in mice?",
    "What did the meta-analysis of MSCs in abortion-prone mice find?",
    "How do umbilical cord MSCs affect trophoblasts?",
    "Do bone marrow MSCs shift decidual T cells towards IL-10?",
    "What happened in women with Asherman's syndrome given menstrual blood cells?",
    "Which trial used a collagen scaffold with umbilical cord MSCs?",
    "How do amniotic MSCs change inflammation in RSA mice?",
]


def _session(url: str, question: str) -> tuple[str, float, str]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(url, timeout=ANSWER_TIMEOUT_MS)
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for(timeout=ANSWER_TIMEOUT_MS)
            started = time.perf_counter()
            box.fill(question)
            box.press("Enter")
            page.get_by_test_id("stFeedback").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
            elapsed = (time.perf_counter() - started) * 1000
            messages = page.get_by_test_id("stChatMessage")
            return question, elapsed, messages.first.inner_text()
        finally:
            browser.close()


def test_eight_concurrent_browser_sessions(server):  # noqa: F811
    # warm the shared resources once, as a running app would be
    _session(server["url"], "What is recurrent spontaneous abortion?")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda q: _session(server["url"], q), QUESTIONS))
    for question, _, first_message in results:
        assert question in first_message  # each page shows its own question ...
        others = [q for q in QUESTIONS if q != question]
        assert not any(other in first_message for other in others)  # ... and never another session's
    latencies = sorted(r[1] for r in results)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    assert "Traceback" not in Path(server["log"]).read_text()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load-ui.json").write_text(
        json.dumps({"sessions": 8, "latency_ms_p50": statistics.median(latencies), "latency_ms_p95": p95}, indent=1)
    )
    print(f"\n8 concurrent UI sessions: p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms")
