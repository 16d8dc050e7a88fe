"""The built wheel works on its own: a fresh venv outside the checkout indexes, answers, evaluates and serves the UI.

Offline and quick: the wheel is built without build isolation, installed with --no-deps, and the fresh
venv sees the project venv's third-party packages through a .pth file (a plain path entry: the
checkout's editable-install hook is not run, so `assistant` can only come from the wheel).
Everything the installed package writes must land in the platformdirs user data folder.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.slow

_NOT_SOURCE = shutil.ignore_patterns(
    ".venv",
    ".git",
    "index",
    ".cache",
    "build",
    "dist",
    "test-artifacts",
    "reports",
    "feedback",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".hypothesis",
    "bench",
    "tests",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    shutil.copytree(REPO_ROOT, source, ignore=_NOT_SOURCE)  # a clean tree: no stale build/ leftovers
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(root / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheel = next((root / "dist").glob("msc_rsa_assistant-*.whl"))

    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    (site / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert pip.returncode == 0, pip.stderr[-3000:]

    home, work = root / "home", root / "work"
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("RSA_", "XDG_", "PYTHON"))}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_CONFIG_HOME=str(home / "config"),
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
    )
    env.pop("TIKTOKEN_CACHE_DIR", None)
    return {"venv": venv, "python": python, "env": env, "cwd": work, "data": home / "data" / "msc-rsa-assistant"}


def _run(installed, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(installed["venv"] / "bin" / "rsa-assistant"), *args],
        cwd=installed["cwd"],
        env=installed["env"],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_installed_package_runs_outside_the_checkout(installed):
    where = subprocess.check_output(
        [
            str(installed["python"]),
            "-c",
            "import assistant, assistant.paths as p; print(assistant.__file__); "
            "print(p.checkout_root()); print(p.bundled('ui/app.py'))",
        ],
        cwd=installed["cwd"],
        env=installed["env"],
        text=True,
    ).split("\n")
    assert str(installed["venv"]) in where[0] and where[1] == "None"
    assert Path(where[2]).is_file()  # the UI ships inside the wheel

    index = _run(installed, "index")
    assert index.returncode == 0, index.stderr[-3000:]
    data = installed["data"]
    assert (data / "index" / "CURRENT").is_file()
    assert (data / "corpus").is_dir()  # a user copy of the bundled corpus
    assert list((data / "cache" / "onnx").glob("*/export.json"))  # the query encoder was exported at index time

    ask = _run(installed, "ask", "--json", "How do MSCs act on decidual NK cells?")
    assert ask.returncode == 0, ask.stderr[-3000:]
    answer = json.loads(ask.stdout)
    assert answer["citations"] and not answer["refused"]

    evaluation = _run(installed, "eval", "--json", str(installed["cwd"] / "summary.json"))
    assert evaluation.returncode == 0, evaluation.stderr[-3000:]
    assert list((data / "reports").glob("*/report.json"))

    # nothing was written beside the installed package or in the working folder (but the asked-for file)
    package = Path(
        subprocess.check_output(
            [str(installed["python"]), "-c", "import assistant; print(assistant.__file__)"],
            cwd=installed["cwd"],
            env=installed["env"],
            text=True,
        ).strip()
    ).parent
    assert str(installed["venv"]) in str(package)
    assert sorted(p.name for p in (package / "_data").iterdir()) == ["corpus", "eval", "ui"]
    assert not (package / "_data" / "eval" / "reports").exists()
    assert sorted(p.name for p in installed["cwd"].iterdir()) == ["summary.json"]


def test_installed_ui_serves_the_packaged_app(installed):
    port = _free_port()
    server = subprocess.Popen(
        [str(installed["venv"] / "bin" / "rsa-assistant"), "ui", "--port", str(port)],
        cwd=installed["cwd"],
        env=installed["env"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, health = time.monotonic() + 120, ""
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as response:
                    health = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert health == "ok", f"UI did not come up (exit {server.poll()})"
    finally:
        server.terminate()
        server.wait(timeout=30)
    # the packaged script itself runs (Streamlit's own test runner, in the installed venv)
    script = (
        "from streamlit.testing.v1 import AppTest\n"
        "from assistant.paths import bundled\n"
        "at = AppTest.from_file(str(bundled('ui/app.py')), default_timeout=120).run()\n"
        "assert not at.exception, at.exception\n"
        "print('TITLE', at.title[0].value if at.title else '')\n"
    )
    result = subprocess.run(
        [str(installed["python"]), "-c", script],
        cwd=installed["cwd"],
        env=installed["env"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
