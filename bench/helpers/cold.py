"""Cold start (process start to printed answer) and peak memory of `ask` and of the Streamlit server."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_watched(command: list[str], env: dict) -> tuple[float, int, int]:
    """Wall seconds, peak RSS (bytes) of the process tree, and the exit code."""
    started = time.perf_counter()
    popen = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watched, peak = psutil.Process(popen.pid), 0
    while popen.poll() is None:
        peak = max(peak, _tree_rss(watched))
        time.sleep(0.01)
    return time.perf_counter() - started, peak, popen.returncode


def torch_imported_by_help(env: dict) -> bool:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "assistant.cli", "--help"],
                            env=env, capture_output=True, text=True)
    return any(line.rsplit("|", 1)[-1].strip().split(".")[0] == "torch" for line in result.stderr.splitlines())


def measure(settings, question: str, runs: int, *, skip_ui: bool) -> tuple[dict, dict]:
    env = {**os.environ, "RSA_INDEX_DIR": str(settings.index_dir), "RSA_CORPUS_DIR": str(settings.corpus_dir)}
    cli = str(BIN / "rsa-assistant")
    helps = [run_watched([cli, "--help"], env)[0] for _ in range(runs)]
    asks = [run_watched([cli, "ask", question], env) for _ in range(runs)]
    if any(code != 0 for _, _, code in asks):
        raise SystemExit("`rsa-assistant ask` failed during the cold-start benchmark")
    cold = {
        "help_median_s": round(statistics.median(helps), 3), "help_runs_s": [round(x, 3) for x in helps],
        "ask_median_s": round(statistics.median(a[0] for a in asks), 3), "ask_runs_s": [round(a[0], 3) for a in asks],
        "help_imports_torch": torch_imported_by_help(env),
    }
    memory = {"ask_peak_rss_mb": round(max(a[1] for a in asks) / 2**20, 1)}
    if not skip_ui:
        memory.update(streamlit_rss(env))
    return cold, memory


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def streamlit_rss(env: dict) -> dict:
    """Start the UI headless, GET health and the page, run the script once over its websocket, read RSS."""
    import httpx

    port = _free_port()
    popen = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "ui" / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        watched = psutil.Process(popen.pid)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/_stcore/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        page_status = httpx.get(base + "/", timeout=10).status_code
        idle_mb = _tree_rss(watched) / 2**20
        script_ran = _run_script_once(port)
        peak = 0
        for _ in range(300):  # the index and model load during the first script run; wait for it to settle
            now = _tree_rss(watched)
            peak = max(peak, now)
            time.sleep(0.2)
            if _ > 25 and abs(_tree_rss(watched) - now) < 2**20:
                break
        return {"ui_page_status": page_status, "ui_idle_rss_mb": round(idle_mb, 1), "ui_script_ran": script_ran,
                "ui_rss_mb": round(peak / 2**20, 1)}
    finally:
        os.killpg(popen.pid, 15)
        popen.wait(timeout=20)


def _run_script_once(port: int) -> bool:
    """Open a browser-like session: a websocket rerun request makes Streamlit run ui/app.py once."""
    try:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from tornado.ioloop import IOLoop
        from tornado.websocket import websocket_connect
    except ImportError:
        return False

    async def session() -> bool:
        ws = await websocket_connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"])
        message = BackMsg()
        message.rerun_script.query_string = ""
        message.rerun_script.page_script_hash = ""
        await ws.write_message(message.SerializeToString(), binary=True)
        deadline = time.monotonic() + 120
        received = 0
        while time.monotonic() < deadline:  # read until the script reports it finished
            frame = await ws.read_message()
            if frame is None:
                break
            received += 1
            from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

            forward = ForwardMsg()
            forward.ParseFromString(frame)
            if forward.WhichOneof("type") == "script_finished":
                ws.close()
                return True
        ws.close()
        return False

    try:
        return IOLoop.current().run_sync(session, timeout=180)
    except Exception:
        return False
