"""Cold start (process start to exit, after the printed answer) and peak memory of `ask` and of the Streamlit server.

Each run is a fresh `rsa-assistant` process on the already built bundled index, with the ONNX export
(and its mapped ONNX Runtime copy) cached by the build, as a user's second command would find it. Wall
time depends on what else the machine runs, so the CPU time (user + system, from the kernel's
accounting of the reaped child) is reported beside it: on a busy machine it is the steadier figure.
Absolute CPU time still drifts between machines and runs, so the targets are ratios: the CPU time of
`ask` and of `--help` over that of a process that only imports numpy and onnxruntime (the floor of any
query process), measured in the same run, interleaved with them (issue 22 item 15).
"""

from __future__ import annotations

import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
#: Packages an extractive `ask` must not import: torch and sentence-transformers (the query path runs on
#: onnxruntime), and langchain-core with langsmith (the chain runs its steps itself; ~0.6 s of CPU).
HEAVY_FOR_ASK = ("torch", "sentence_transformers", "transformers", "langchain_core", "langsmith")
BIN = Path(sys.executable).parent


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_watched(command: list[str], env: dict) -> tuple[float, int, int, float]:
    """Wall seconds, peak RSS (bytes) of the process tree, the exit code, and CPU seconds (user + system)."""
    cpu_before = _children_cpu()  # one child at a time: the difference is this command's (and its children's)
    started = time.perf_counter()
    popen = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watched, peak = psutil.Process(popen.pid), 0
    while popen.poll() is None:
        peak = max(peak, _tree_rss(watched))
        time.sleep(0.01)
    return time.perf_counter() - started, peak, popen.returncode, _children_cpu() - cpu_before


#: The floor of a query process: the interpreter, numpy and the ONNX runtime, nothing of the assistant.
BASELINE_IMPORT = [sys.executable, "-c", "import numpy, onnxruntime"]


def cpu_ratio(cpu_s: list[float], baseline_cpu_s: list[float]) -> float | None:
    """Median CPU seconds of a command over the median of the baseline import (None without a baseline)."""
    floor = statistics.median(baseline_cpu_s) if baseline_cpu_s else 0.0
    return round(statistics.median(cpu_s) / floor, 2) if floor > 0 and cpu_s else None


def torch_imported_by_help(env: dict) -> bool:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "assistant.cli", "--help"], env=env, capture_output=True, text=True
    )
    return any(line.rsplit("|", 1)[-1].strip().split(".")[0] == "torch" for line in result.stderr.splitlines())


def imports_of_ask(env: dict, question: str) -> tuple[list[str], list[str], list[tuple[str, float]]]:
    """From `python -X importtime` of an `ask`: the heavy packages it imports (`HEAVY_FOR_ASK`: it must
    import none), the store and lexical packages it imports, and the ten costliest top-level imports
    (name, cumulative ms)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "assistant.cli", "ask", question],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"`rsa-assistant ask` failed under -X importtime: {result.stderr[-500:]}")
    found, top = set(), []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        found.add(name.strip().split(".")[0])
        if not name[1:].startswith("  "):  # imported by the program itself, not by another import
            top.append((name.strip(), round(int(cumulative) / 1000, 1)))
    heavy = sorted(found & set(HEAVY_FOR_ASK))
    return heavy, loaded_parts(env, question), sorted(top, key=lambda item: -item[1])[:10]


_PROBE = """
import sys
sys.argv = ["rsa-assistant", "ask", sys.argv[1]]
try:
    from assistant.cli import main
    main()
except SystemExit:
    pass
loaded = {name.split(".")[0] for name, module in list(sys.modules.items()) if module is not None}
print("PARTS=" + ",".join(sorted(loaded & {"chromadb", "bm25s", "scipy", "onnxruntime", "langchain_core", "langsmith"})))
"""


def loaded_parts(env: dict, question: str) -> list[str]:
    """Which of the store, lexical, model and chain packages are loaded when an `ask` ends (importtime
    also lists imports that were tried and refused, so it cannot say)."""
    result = subprocess.run([sys.executable, "-c", _PROBE, question], env=env, capture_output=True, text=True)
    line = next((x for x in result.stdout.splitlines() if x.startswith("PARTS=")), "PARTS=")
    return [part for part in line[len("PARTS=") :].split(",") if part]


def measure(settings, question: str, runs: int, *, skip_ui: bool) -> tuple[dict, dict]:
    # the same cache folder as the build: that is where the ONNX query encoder was exported
    env = {
        **os.environ,
        "RSA_INDEX_DIR": str(settings.index_dir),
        "RSA_CORPUS_DIR": str(settings.corpus_dir),
        "RSA_CACHE_DIR": str(settings.cache_dir),
    }
    # Byte-code caches as an installed package has them: with PYTHONDONTWRITEBYTECODE set (as on this
    # project's machines), every module edited since its last .pyc was compiled again in every timed run
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cli = str(BIN / "rsa-assistant")
    run_watched([cli, "ask", question], env)  # untimed: writes those caches, as a user's first command would
    helps, asks, floors = [], [], []
    for _ in range(runs):  # interleaved, so a neighbour's burst of work weighs on all three alike
        floors.append(run_watched(BASELINE_IMPORT, env))
        helps.append(run_watched([cli, "--help"], env))
        asks.append(run_watched([cli, "ask", question], env))
    if any(code != 0 for _, _, code, _ in asks):
        raise SystemExit("`rsa-assistant ask` failed during the cold-start benchmark")
    heavy, parts, top = imports_of_ask(env, question)
    cold = {
        "help_median_s": round(statistics.median(h[0] for h in helps), 3),
        "help_runs_s": [round(h[0], 3) for h in helps],
        "help_cpu_median_s": round(statistics.median(h[3] for h in helps), 3),
        "ask_median_s": round(statistics.median(a[0] for a in asks), 3),
        "ask_runs_s": [round(a[0], 3) for a in asks],
        "ask_cpu_median_s": round(statistics.median(a[3] for a in asks), 3),
        "ask_cpu_runs_s": [round(a[3], 3) for a in asks],
        "baseline_import": "numpy + onnxruntime",
        "baseline_cpu_median_s": round(statistics.median(f[3] for f in floors), 3),
        "baseline_cpu_runs_s": [round(f[3], 3) for f in floors],
        "ask_cpu_ratio": cpu_ratio([a[3] for a in asks], [f[3] for f in floors]),
        "help_cpu_ratio": cpu_ratio([h[3] for h in helps], [f[3] for f in floors]),
        "loadavg_1min": round(os.getloadavg()[0], 2),  # other work on the machine while this ran
        "help_imports_torch": torch_imported_by_help(env),
        "ask_heavy_imports": heavy,
        "ask_imported_parts": parts,
        "ask_top_imports_ms": top,
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
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(REPO / "ui" / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
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
        return {
            "ui_page_status": page_status,
            "ui_idle_rss_mb": round(idle_mb, 1),
            "ui_script_ran": script_ran,
            "ui_rss_mb": round(peak / 2**20, 1),
        }
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
