"""Load on the UI: 10 browser sessions at once against one `streamlit run`, each asking question after
question for about a minute; every question is answered and no session ever shows another's history."""

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
    "What do MSC-derived exosomes do to decidual macrophages?",
    "How do adipose MSCs change uterine dendritic cells?",
]
SESSIONS = 10
#: Each session keeps asking until this much time has passed since it asked its first question ...
DURATION_S = 60.0
#: ... and never more than this many questions (the loop is bounded however fast answers come).
MAX_QUESTIONS = 8


def _question(session: int, turn: int) -> str:
    """A question no other session asks: its text carries the session's and the turn's number."""
    return f"{QUESTIONS[(session + turn) % len(QUESTIONS)]} (session {session}, turn {turn})"


def _session(url: str, session: int, max_questions: int = MAX_QUESTIONS) -> dict:
    """One browser session asking until DURATION_S is over: what it asked, what it shows, the latencies."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(url, timeout=ANSWER_TIMEOUT_MS)
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for(timeout=ANSWER_TIMEOUT_MS)
            asked: list[str] = []
            latencies: list[float] = []
            first = time.monotonic()
            for turn in range(max_questions):
                if turn and time.monotonic() - first > DURATION_S:
                    break
                question = _question(session, turn)
                started = time.perf_counter()
                box.fill(question)
                box.press("Enter")
                # this turn is answered when its feedback widget appears and the run is over
                page.get_by_test_id("stFeedback").nth(turn).wait_for(timeout=ANSWER_TIMEOUT_MS)
                page.get_by_test_id("stStatusWidgetRunningIcon").wait_for(state="detached", timeout=ANSWER_TIMEOUT_MS)
                latencies.append((time.perf_counter() - started) * 1000)
                asked.append(question)
            messages = page.get_by_test_id("stChatMessage").all_inner_texts()
            return {"session": session, "asked": asked, "messages": messages, "latencies": latencies}
        finally:
            browser.close()


def _check_history(result: dict) -> None:
    """The session shows its own questions, in order, each followed by an answer, and nothing else's."""
    asked, messages = result["asked"], result["messages"]
    assert len(messages) == 2 * len(asked), (result["session"], len(asked), len(messages))
    for turn, question in enumerate(asked):
        assert question in messages[2 * turn], (result["session"], turn, messages[2 * turn][:200])
        assert messages[2 * turn + 1].strip(), (result["session"], turn, "empty answer")
    shown = "\n".join(messages)
    foreign = [f"(session {other}," for other in range(SESSIONS) if other != result["session"]]
    assert not [tag for tag in foreign if tag in shown], (result["session"], "another session's history")


def test_ten_sessions_asking_for_a_minute(server):  # noqa: F811
    """Issue #22 ("not yet tried"): the chat under 10 concurrent browser sessions for 60 s."""
    _session(server["url"], 0, max_questions=1)  # warm the shared resources once, as a running app would be
    with ThreadPoolExecutor(max_workers=SESSIONS) as pool:
        results = list(pool.map(lambda k: _session(server["url"], k), range(SESSIONS)))
    for result in results:
        assert result["asked"], f"session {result['session']} got no answer"
        _check_history(result)
    assert "Traceback" not in Path(server["log"]).read_text()
    latencies = sorted(ms for result in results for ms in result["latencies"])
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    ARTIFACTS.mkdir(exist_ok=True)
    summary = {
        "sessions": SESSIONS,
        "questions": len(latencies),
        "latency_ms_p50": statistics.median(latencies),
        "latency_ms_p95": p95,
    }
    (ARTIFACTS / "load-ui.json").write_text(json.dumps(summary, indent=1))
    print(
        f"\n{SESSIONS} UI sessions for {DURATION_S:.0f} s: {len(latencies)} answers, p50 {summary['latency_ms_p50']:.0f} ms"
    )
