"""A real `chroma run` server on 127.0.0.1 for the server-mode tests, started and killed by the fixtures.

`chroma_server` lives for the whole session (one server, indexes share it); `disposable_chroma_server`
is a second server per test that the test may stop, to see what the assistant does when it goes away.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMA_BIN = Path(sys.executable).with_name("chroma")
STARTUP_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ChromaServer:
    url: str
    path: Path
    process: subprocess.Popen

    def stop(self) -> None:
        """Stop the server and wait for it, so its port refuses connections afterwards."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)


def start_chroma(path: Path) -> ChromaServer:
    if not CHROMA_BIN.exists():
        pytest.skip(f"the `chroma` executable is not installed next to {sys.executable}")
    port = free_port()
    log = open(path.parent / f"chroma-{port}.log", "wb")
    process = subprocess.Popen(
        [str(CHROMA_BIN), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # own group: teardown kills it all
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    server = ChromaServer(url=f"http://127.0.0.1:{port}", path=path, process=process)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"`chroma run` exited with {process.returncode}; see {log.name}")
        try:
            if httpx.get(f"{server.url}/api/v2/heartbeat", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"`chroma run` did not answer {server.url}/api/v2/heartbeat within {STARTUP_TIMEOUT_S}s")


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    server = start_chroma(tmp_path_factory.mktemp("chroma-server") / "data")
    yield server
    server.stop()
    shutil.rmtree(server.path, ignore_errors=True)


@pytest.fixture()
def disposable_chroma_server(tmp_path):
    server = start_chroma(tmp_path / "chroma-data")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def server_settings(tmp_path_factory, corpus_copy, chroma_server):
    """Settings like the session's embedded `settings`, but with the store on the Chroma server."""
    from assistant.settings import load_settings

    root = tmp_path_factory.mktemp("server-index")
    return load_settings(
        corpus_dir=corpus_copy,
        index_dir=root / "index",
        feedback_dir=root / "feedback",
        reports_dir=root / "reports",
        cache_dir=root / "cache",
        chroma_url=chroma_server.url,
    )


@pytest.fixture(scope="session")
def server_built_index(server_settings):
    from assistant.indexing.build import build_index

    return build_index(server_settings)
