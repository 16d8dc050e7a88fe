"""Server mode: the same store code against a real `chroma run` server (RSA_CHROMA_URL / --chroma-url)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import StoreUnavailableError

pytestmark = pytest.mark.server

QUESTIONS = [
    "How do MSCs act on decidual NK cells?",
    "Which MSC source lowered the abortion rate in mice?",
    "Do mesenchymal stem cells raise regulatory T cells?",
    "What is recurrent spontaneous abortion?",
    "Which cytokines do MSCs secrete at the maternal-fetal interface?",
]
RSA_BIN = Path(sys.executable).with_name("rsa-assistant")


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RSA_")}
    return subprocess.run([str(RSA_BIN), *args], capture_output=True, text=True, timeout=300, env={**clean, **env})


def test_server_store_is_an_http_client(server_settings, server_built_index, chroma_server):
    from assistant.indexing.index import load_index

    index = load_index(server_settings)
    assert type(index.store.client).__name__ == "Client"  # chromadb.HttpClient returns an HTTP-backed Client
    assert index.manifest["store"] == chroma_server.url
    assert index.store.count() == server_built_index.chunks > 0
    # the collection lives on the server, not under the build folder
    assert not (index.folder / "chroma").exists() or not any((index.folder / "chroma").iterdir())


def test_embedded_and_server_return_the_same_passages(assistant, server_settings, server_built_index):
    from assistant.api import Assistant

    remote = Assistant(server_settings)
    for question in QUESTIONS:
        local_ids = [p.chunk.id for p in assistant.retrieve(question, k=6)]
        remote_ids = [p.chunk.id for p in remote.retrieve(question, k=6)]
        assert local_ids, question
        assert remote_ids == local_ids, question


def test_server_stopped_mid_session_raises_store_unavailable(make_settings, disposable_chroma_server):
    from assistant.api import Assistant
    from assistant.indexing.build import build_index

    settings = make_settings(chroma_url=disposable_chroma_server.url)
    build_index(settings)
    assistant = Assistant(settings)
    assert assistant.retrieve(QUESTIONS[0], k=3)
    disposable_chroma_server.stop()
    with pytest.raises(StoreUnavailableError) as caught:
        assistant.retrieve(QUESTIONS[1], k=3)
    assert disposable_chroma_server.url in str(caught.value)

    # a new process finds the server down too: one line naming the URL, no traceback
    result = _cli(
        "ask", QUESTIONS[0], "--index-dir", str(settings.index_dir), "--chroma-url", disposable_chroma_server.url
    )
    assert result.returncode == StoreUnavailableError.exit_code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and disposable_chroma_server.url in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_index_against_unreachable_server_is_one_line(tmp_path, corpus_copy):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"  # nothing listens there
    result = _cli("index", "--corpus-dir", str(corpus_copy), "--index-dir", str(tmp_path / "index"), RSA_CHROMA_URL=url)
    assert result.returncode == StoreUnavailableError.exit_code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and url in lines[0], result.stderr
    assert "Traceback" not in result.stderr
