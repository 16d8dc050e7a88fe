"""End to end in a real browser: `streamlit run ui/app.py` on 127.0.0.1, driven by headless Chromium.

Uses the system Chromium (/usr/bin/chromium) through PyPI playwright; screenshots go to test-artifacts/
(`UPDATE_DOCS_SCREENSHOT=1` also rewrites the README's docs/screenshot-chat.png).
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ANSWER_TIMEOUT_MS = 240_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(process: subprocess.Popen, url: str, log: Path) -> None:
    """Waits (up to ~2 minutes) until the Streamlit server at `url` answers its health check."""
    for _ in range(240):
        if process.poll() is not None:
            pytest.fail(f"streamlit exited early:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail("streamlit did not become healthy")


class _Tracker(http.server.BaseHTTPRequestHandler):
    """Counts requests for /track.png: a corpus image URL the browser must never fetch."""

    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def tracker():
    """A local HTTP server on 127.0.0.1 that records every request (the "tracking pixel" host)."""
    _Tracker.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Tracker)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{httpd.server_address[1]}", "hits": _Tracker.hits}
    httpd.shutdown()


def _hostile_report(reports_dir: Path, tracker_url: str) -> None:
    """A curated-evaluation report whose failure quotes corpus text with Markdown markup in it."""
    hostile = (
        f"MSCs lowered the abortion rate ![FDA seal]({tracker_url}/track.png?src=corpus) "
        f"[read more]({tracker_url}/track.png?src=link) <img src='{tracker_url}/track.png?src=html'> "
        "and see www.example.org."
    )
    run = reports_dir / "20990101T000000"
    run.mkdir(parents=True)
    report = {
        "items": 1,
        "settings": {"backend": "extractive"},
        "metrics": {"answer_correct": 0.0},
        "by_category": {"outcomes": {"answer_correct": 0.0}},
        "results": [
            {
                "id": "hostile-1",
                "category": "outcomes",
                "problems": ["wrong answer"],
                "question": "Which MSC source ![q](" + tracker_url + "/track.png?src=question) worked?",
                "answer": hostile,
                "expect": "answer",
                "expected_key_points": ["6.31%"],
                "gold": [{"source": "digest", "section": "Finding", "span": hostile}],
            }
        ],
    }
    (run / "report.json").write_text(json.dumps(report), encoding="utf-8")


@pytest.fixture(scope="module")
def server(settings, built_index, tmp_path_factory, tracker):
    """The UI served by a real `streamlit run` on a free local port, over a private copy of the test
    index (the rebuild test must not disturb other modules) and a reports folder with a hostile report."""
    root = tmp_path_factory.mktemp("ui-browser")
    index_dir = root / "index"
    shutil.copytree(settings.index_dir, index_dir)
    _hostile_report(root / "reports", tracker["url"])
    for versioned in (REPO_ROOT / "eval" / "reports").glob("answers-*.json"):  # the committed benchmarks
        shutil.copy(versioned, root / "reports" / versioned.name)
    port = _free_port()
    env = {
        **os.environ,
        "RSA_INDEX_DIR": str(index_dir),
        "RSA_CORPUS_DIR": str(settings.corpus_dir),
        "RSA_FEEDBACK_DIR": str(root / "feedback"),
        "RSA_CACHE_DIR": str(settings.cache_dir),
        "RSA_REPORTS_DIR": str(root / "reports"),
        "HF_HUB_OFFLINE": "1",
    }
    log = open(root / "streamlit.log", "w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(REPO_ROOT / "ui" / "app.py"),
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, url, root / "streamlit.log")
        yield {
            "url": url,
            "feedback": root / "feedback" / "feedback.jsonl",
            "log": root / "streamlit.log",
            "index_dir": index_dir,
        }
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
    assert "Traceback" not in (root / "streamlit.log").read_text()


@pytest.fixture()
def page(server):
    """A fresh browser page (own session) on the chat, once its sidebar filters have loaded."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        try:
            page.goto(server["url"], timeout=120_000)
            page.get_by_test_id("stChatInputTextArea").wait_for(timeout=ANSWER_TIMEOUT_MS)
            page.get_by_test_id("stSidebar").get_by_text("Evidence").wait_for(timeout=ANSWER_TIMEOUT_MS)
            yield page
        except Exception:
            _shot(page, "failure")
            raise
        finally:
            browser.close()


def _ask(page, question: str, answers_before: int) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    # the answer is done when its feedback widget appears (rendered after the final Answer)
    page.get_by_test_id("stFeedback").nth(answers_before).wait_for(timeout=ANSWER_TIMEOUT_MS)
    # and the run is over (the sidebar's downloads and index panel are filled after the answer)
    page.get_by_test_id("stStatusWidgetRunningIcon").wait_for(state="detached", timeout=ANSWER_TIMEOUT_MS)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


#: The README's screenshot is rewritten only on request (UPDATE_DOCS_SCREENSHOT=1); a plain run writes its
#: copy under test-artifacts/, so running the tests leaves the tracked docs/ untouched.
DOCS_SCREENSHOT = REPO_ROOT / "docs" / "screenshot-chat.png"
SCREENSHOT = DOCS_SCREENSHOT if os.environ.get("UPDATE_DOCS_SCREENSHOT") == "1" else ARTIFACTS / "screenshot-chat.png"
MECHANISMS = "Through which mechanisms can MSCs improve pregnancy outcomes in RSA?"


def test_research_session_in_a_real_browser(page, server):
    """Ask, follow a citation, follow up, filter, export, rate: the whole session in one browser tab.

    Also issue #14 items 19 (filter caption in words), 20 (New chat and examples after the first
    answer), 23-24 (one card per source with byline and identifier links), and the README screenshot."""
    from playwright.sync_api import expect

    expect(page.get_by_text("not medical advice", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="New chat")).to_be_disabled()
    _shot(page, "01-welcome")

    # 1. ask; the first answer already enables "New chat" and replaces the examples (item 20)
    _ask(page, MECHANISMS, 0)
    expect(page.get_by_role("button", name="New chat")).to_be_enabled()
    expect(page.get_by_text(prompts_suggested_heading())).to_have_count(0)
    expect(page.locator("[class*='st-key-source-guide']")).to_have_count(0)
    expect(page.get_by_role("button", name=prompts_example(1))).to_have_count(0)
    answer = page.get_by_test_id("stChatMessage").nth(1)

    # one card per source (item 23): the review, quoted in its Abstract and Core Tip, is one card
    headings = answer.locator("h3[id^='src-']")
    titles = headings.all_inner_texts()
    assert len(titles) == len(set(t.split("] ", 1)[-1] for t in titles)), titles
    review = answer.locator("[class*='st-key-card-']").filter(has_text="Advances in mesenchymal stem cell")
    expect(review).to_have_count(1)
    # the card shows first author, year, journal and the identifier link (item 24)
    expect(review.get_by_text("et al. · 2025 · World J Stem Cells", exact=False)).to_be_visible()
    doi = review.locator("a[href^='https://doi.org/10.4252/']")
    expect(doi).to_have_count(1)
    assert review.get_by_text("Abstract", exact=True).count() + review.get_by_text("Core Tip", exact=True).count() >= 2

    # follow a citation marker to its card and the highlighted passage
    marker = answer.locator("a[href^='#src-']").first
    anchor = marker.get_attribute("href").lstrip("#")
    marker.click()
    card_heading = page.locator(f"[id='{anchor}']")
    expect(card_heading).to_be_in_viewport()
    card = page.locator("[class*='st-key-card-']").filter(has=card_heading)
    highlight = card.locator("[data-testid='stMarkdownContainer'] span[style*='background']").first
    expect(highlight).to_be_visible()
    assert len(highlight.inner_text()) > 20
    _shot(page, "02-citation-followed")
    # the README's screenshot: a cited answer and the source card its [1] opens (issue #14 item 28)
    page.set_viewport_size({"width": 1400, "height": 1500})
    page.get_by_test_id("stChatMessage").nth(0).evaluate("e => e.scrollIntoView({block: 'start'})")
    page.mouse.move(800, 700)
    page.mouse.wheel(0, -90)  # clear of the top bar
    page.wait_for_timeout(500)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    page.set_viewport_size({"width": 1400, "height": 1000})

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
    caption = page.get_by_text("Filtered to", exact=False)
    expect(caption).to_be_visible(timeout=60_000)
    # in words, not Python list syntax (item 19)
    expect(caption).to_have_text(re.compile(r"Filtered to evidence: preclinical mouse\s*$"), use_inner_text=True)
    _ask(page, "Which MSC source lowered the abortion rate most?", 3)
    last = page.get_by_test_id("stChatMessage").nth(7)  # question 4's answer
    expect(last.get_by_test_id("stCaptionContainer").filter(has_text="evidence:").first).to_be_visible()
    captions = last.get_by_test_id("stCaptionContainer").all_inner_texts()
    meta = [text for text in captions if "evidence:" in text]
    assert meta and all("evidence: preclinical mouse" in text for text in meta), meta
    _shot(page, "04-filtered-mouse")

    # 5. export the conversation as Markdown with a reference list
    with page.expect_download() as download_info:
        sidebar.get_by_role("button", name="Download Markdown").click()
    exported = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert exported.count("\n## ") >= 5 and "## References" in exported
    assert "What about in rats?" in exported
    first_turn = exported.split("\n## 2. ", 1)[0]
    assert first_turn.count("- **[") == len(titles), "the export numbers sources like the cards"

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


def prompts_example(i: int) -> str:
    from assistant.generation import prompts

    return prompts.SUGGESTED_QUESTION_CANDIDATES[i]


def prompts_suggested_heading() -> str:
    from assistant.generation import prompts

    return prompts.GUIDE_SUGGESTED


def test_welcome_screen_shows_the_source_guide_and_a_suggested_question_answers(page):
    """Issue 21 item 5: the welcome screen says what is indexed, what is not and the command that adds
    the full review; clicking a suggested question asks it and brings a cited answer."""
    from playwright.sync_api import expect

    from assistant.generation import prompts

    guide = page.locator("[class*='st-key-source-guide']")
    expect(guide).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(
        guide.get_by_text("Indexed: 1 review (its front matter, Abstract and Core Tip)", exact=False)
    ).to_be_visible()
    expect(guide.get_by_text("Not indexed: the body of the review", exact=False)).to_be_visible()
    expect(
        guide.locator("code").filter(has_text="rsa-assistant corpus fetch --review 10.4252/wjsc.v17.i8.108695")
    ).to_be_visible()
    expect(page.get_by_text(prompts.GUIDE_SUGGESTED)).to_be_visible()
    buttons = page.locator("[class*='st-key-example-'] button")
    expect(buttons).to_have_count(4)
    _shot(page, "10-welcome-source-guide")

    first = page.locator("[class*='st-key-example-0'] button")
    label = first.inner_text()
    question = next(q for q in prompts.SUGGESTED_QUESTION_CANDIDATES if q in label)
    first.click()
    page.get_by_test_id("stFeedback").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.get_by_test_id("stStatusWidgetRunningIcon").wait_for(state="detached", timeout=ANSWER_TIMEOUT_MS)
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.nth(0)).to_contain_text(question)
    answer = messages.nth(1)
    expect(answer.locator("a[href^='#src-']").first).to_be_visible()
    expect(answer.locator("h3[id^='src-']").first).to_be_visible()
    assert answer.get_by_text(prompts.REFUSAL).count() == 0
    expect(guide).to_have_count(0)
    _shot(page, "11-suggested-question-answered")


_WATCH = """() => {
  window.__marks = {};
  const mark = (name) => { if (!(name in window.__marks)) window.__marks[name] = performance.now(); };
  new MutationObserver(() => {
    const messages = document.querySelectorAll("[data-testid='stChatMessage']");
    if (messages.length >= 1) mark("question");
    const text = document.body.textContent;
    if (text.includes("Searching the sources")) mark("searching");
    if (document.querySelector("[data-testid='stChatMessage'] a[href^='#src-']")) mark("answer");
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def test_searching_state_shows_before_the_answer(page):
    """Issue #14 item 25: a visible "Searching the sources…" within 100 ms of the question appearing,
    before the answer (without an LLM the whole answer arrives at once)."""
    page.evaluate(_WATCH)
    _ask(page, MECHANISMS, 0)
    marks = page.evaluate("window.__marks")
    assert "searching" in marks, f"no searching state was shown: {marks}"
    assert marks["searching"] - marks["question"] <= 100, marks
    assert marks["searching"] <= marks["answer"], marks
    expect_status = page.get_by_test_id("stChatMessage").nth(1).get_by_text("Searched", exact=False)
    assert expect_status.count() >= 1, "the status stays, completed, with what was searched"


def test_pages_are_named_for_people(page):
    """Issue #14 item 21: the page menu says "Chat" and "Evaluation", not "app"."""
    from playwright.sync_api import expect

    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).to_be_visible()
    links = [text.strip().splitlines()[-1] for text in nav.get_by_role("link").all_inner_texts()]  # after the icon
    assert links == ["Chat", "Evaluation"], links


def test_evaluation_page_shows_corpus_markup_as_text(page, server, tracker):
    """Issue #14 item 10: a report quoting `![FDA seal](http://127.0.0.1:…/track.png)` shows the
    characters; the browser fetches nothing and no corpus URL becomes a link."""
    from playwright.sync_api import expect

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Evaluation").click()
    failure = page.get_by_test_id("stExpander").filter(has_text="hostile-1")
    expect(failure).to_be_visible(timeout=60_000)
    failure.locator("summary").click()
    expect(failure.get_by_text("![FDA seal]", exact=False).first).to_be_visible()
    page.wait_for_timeout(1500)  # time for any image the page would load
    main = page  # the whole page: nothing anywhere may load the image or link out
    assert main.locator("img[src*='track.png']").count() == 0
    bad = main.locator(f"a[href^='{tracker['url']}'], a[href*='example.org']")
    assert bad.count() == 0, [
        (a.get_attribute("href"), a.evaluate("e => e.parentElement.innerHTML")[:300]) for a in bad.all()
    ]
    _shot(page, "07-evaluation-hostile")
    assert tracker["hits"] == [], tracker["hits"]


def test_index_panel_shows_the_new_build_after_a_rebuild(page, server):
    """Issue #14 item 22: after "Rebuild index" the panel's "Built:" is the new build's time."""
    from playwright.sync_api import expect

    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stExpander").filter(has_text="Index").locator("summary").click()
    built = sidebar.locator("li").filter(has_text="Built:")
    expect(built).to_be_visible()
    before = built.inner_text()
    time.sleep(1.1)  # built_at has one-second resolution
    sidebar.get_by_role("button", name="Rebuild index").click()
    expect(sidebar.get_by_text("Indexed", exact=False)).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    manifest = json.loads(
        (
            server["index_dir"] / "builds" / (server["index_dir"] / "CURRENT").read_text().strip() / "manifest.json"
        ).read_text()
    )
    expect(built).to_contain_text(manifest["built_at"])
    assert built.inner_text() != before


def test_no_deploy_button_when_run_from_the_checkout(page):
    """Issue #22 item 13: `streamlit run ui/app.py` from the checkout reads .streamlit/config.toml,
    whose toolbar mode hides the developer options, the "Deploy" button among them."""
    page.get_by_test_id("stMainMenu").wait_for(timeout=60_000)  # the toolbar has rendered
    assert page.get_by_test_id("stAppDeployButton").count() == 0
    assert page.get_by_role("button", name="Deploy").count() == 0


_OVERFLOW = """(frame) => {
  const box = frame.getBoundingClientRect();
  const scroller = frame.querySelector('.dvn-scroller') || frame;
  return {right: box.right, width: window.innerWidth, hidden: scroller.scrollWidth - scroller.clientWidth};
}"""


def test_evaluation_tables_fit_a_1400_px_window(page):
    """Issue #22 item 12: at 1,400 px the benchmark tables were cut off in the centred column; the page
    is wide now, and every table it shows (the committed benchmarks among them) shows all its columns."""
    from playwright.sync_api import expect

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Evaluation").click()
    expect(page.get_by_role("heading", name="Answers on external benchmarks")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="pubmedqa", exact=False)).to_be_visible()
    frames = page.get_by_test_id("stDataFrame")
    expect(frames.first).to_be_visible()
    page.wait_for_timeout(1000)  # the grids size their columns once drawn
    _shot(page, "09-evaluation-1400px")
    shown = [frame for frame in frames.all() if frame.is_visible()]  # not the collapsed examples
    assert len(shown) >= 4, "the curated table and three committed benchmark tables"
    measured = [frame.evaluate(_OVERFLOW) for frame in shown]
    for box in measured:
        assert box["right"] <= box["width"] and box["hidden"] <= 1, measured


# -- `rsa-assistant ui` as a user runs it (issue #22 items 11 and 13) -----------------------------------
RSA_BIN = Path(sys.executable).parent / "rsa-assistant"


def _port_is_served(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _streamlit_processes_on(port: int) -> list[str]:
    """Command lines of live processes running streamlit on `port` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            words = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            state = next(line for line in (entry / "status").read_text().splitlines() if line.startswith("State:"))
        except (OSError, StopIteration):
            continue  # gone meanwhile
        if "streamlit" in words and str(port) in words and "zombie" not in state:
            found.append(" ".join(words))
    return found


def test_rsa_assistant_ui_hides_deploy_and_stops_with_sigterm(settings, tmp_path):
    """Started from a folder without .streamlit/, `rsa-assistant ui` shows no "Deploy" button (item 13),
    and SIGTERM to the CLI stops Streamlit too: the port is free, no streamlit process survives (item 11)."""
    import signal

    from playwright.sync_api import sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "RSA_INDEX_DIR": str(tmp_path / "index"),  # no index: the chat says so; the toolbar is the same
        "RSA_CORPUS_DIR": str(settings.corpus_dir),
        "RSA_FEEDBACK_DIR": str(tmp_path / "feedback"),
        "RSA_CACHE_DIR": str(settings.cache_dir),
        "RSA_REPORTS_DIR": str(tmp_path / "reports"),
    }
    log_path = tmp_path / "ui.log"
    with open(log_path, "w") as log:
        cli = subprocess.Popen(
            [str(RSA_BIN), "ui", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, so the clean-up below reaches a leaked child
        )
    try:
        wait_until_healthy(cli, url, log_path)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url, timeout=120_000)
                page.get_by_test_id("stMainMenu").wait_for(timeout=ANSWER_TIMEOUT_MS)
                page.get_by_test_id("stSidebarNav").wait_for(timeout=ANSWER_TIMEOUT_MS)  # the app has run
                _shot(page, "08-ui-command-toolbar")
                assert page.get_by_test_id("stAppDeployButton").count() == 0
                assert page.get_by_role("button", name="Deploy").count() == 0
            finally:
                browser.close()

        cli.send_signal(signal.SIGTERM)
        code = cli.wait(timeout=60)
        for _ in range(60):  # a leaked child would keep serving; a stopped one frees the port at once
            if not _port_is_served(port) and not _streamlit_processes_on(port):
                break
            time.sleep(0.5)
        assert not _streamlit_processes_on(port), _streamlit_processes_on(port)
        assert not _port_is_served(port)
        assert code in (0, 128 + signal.SIGTERM, -signal.SIGTERM), code
    finally:
        try:
            os.killpg(cli.pid, signal.SIGKILL)  # whatever is left of its group, so no test leaks a server
        except (ProcessLookupError, PermissionError):
            pass
        cli.wait(timeout=30)
