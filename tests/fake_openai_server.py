"""A small, real OpenAI-compatible HTTP server for tests: /v1/chat/completions, plain and streamed (SSE).

Stdlib only (http.server in a daemon thread on 127.0.0.1, a free port). Each test scripts what the
"model" replies, so the assistant's real client code (langchain-openai -> openai -> httpx) is
exercised over real sockets:

    from fake_openai_server import FakeOpenAIServer, Reply   # tests/ is on sys.path under pytest

    with FakeOpenAIServer(script=[Reply.text("MSCs lowered it to 6.31% [1].")]) as server:
        settings = load_settings(llm_base_url=server.url, llm_timeout_s=2)
        ...
        server.requests[-1].prompt   # what the assistant sent

`script` is a list of `Reply`s used in order (the last one repeats), or a function of the
`Request` returning a `Reply` (to answer condense and answer calls differently: see `by_purpose`).
A `Reply` can be a cited answer, a slow one (`delay_s`), an HTTP error (`status`), or malformed
JSON/SSE (`malformed=True`). `stop()` closes the port, for "endpoint unreachable" tests.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the fake model answers to one request."""

    content: str = ""
    status: int = 200
    delay_s: float = 0.0  # before anything is sent (past the client's timeout = a "slow" model)
    chunk_delay_s: float = 0.0  # between streamed chunks
    malformed: bool = False  # broken JSON body, or broken SSE data lines when streaming
    words_per_chunk: int = 3

    @classmethod
    def text(cls, content: str, **kwargs: Any) -> Reply:
        return cls(content=content, **kwargs)

    @classmethod
    def slow(cls, content: str, delay_s: float) -> Reply:
        return cls(content=content, delay_s=delay_s)

    @classmethod
    def error(cls, status: int = 500) -> Reply:
        return cls(status=status)

    @classmethod
    def garbage(cls) -> Reply:
        return cls(malformed=True)


@dataclass
class Request:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def prompt(self) -> str:
        """All message contents joined (what the model was shown)."""
        return "\n".join(str(m.get("content", "")) for m in self.messages)

    @property
    def is_condense(self) -> bool:
        """True for a question-rewriting request (the assistant's condense step)."""
        return "standalone" in self.prompt.lower() and "Sources:" not in self.prompt


Script = Sequence[Reply] | Callable[[Request], Reply]


def by_purpose(answer: Reply | Sequence[Reply], condense: Reply | str = "") -> Callable[[Request], Reply]:
    """A script that answers condense requests with `condense` and answer requests from `answer`."""
    answers = [answer] if isinstance(answer, Reply) else list(answer)
    state = {"i": 0}

    def script(request: Request) -> Reply:
        if request.is_condense:
            return condense if isinstance(condense, Reply) else Reply.text(condense)
        reply = answers[min(state["i"], len(answers) - 1)]
        state["i"] += 1
        return reply

    return script


class FakeOpenAIServer:
    """Context manager running the fake endpoint; `.url` is the base URL (ends in /v1)."""

    def __init__(self, script: Script = (), *, model: str = "fake-model") -> None:
        self.model = model
        self.requests: list[Request] = []
        self._script: Script = script or [Reply.text("")]
        self._served = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> FakeOpenAIServer:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the port; later requests are refused (connection refused)."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def set_script(self, script: Script) -> None:
        with self._lock:
            self._script = script
            self._served = 0

    # -- scripting ------------------------------------------------------------------------------------
    def _next_reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            script = self._script
            if callable(script):
                return script(request)
            reply = script[min(self._served, len(script) - 1)]
            self._served += 1
            return reply

    def _sleep(self, seconds: float) -> bool:
        """Sleeps unless the server stops first; False when it stopped."""
        return not self._stopping.wait(seconds) if seconds > 0 else not self._stopping.is_set()


def source_number(prompt: str, needle: str) -> int:
    """The number [n] of the prompt's source block containing `needle` (0 when none does).

    Lets a script cite the right source whatever order retrieval packed them in.
    """
    import re

    blocks = re.split(r"(?m)^\[(\d+)\] ", prompt)
    for number, text in zip(blocks[1::2], blocks[2::2]):
        if needle.lower() in text.lower():
            return int(number)
    return 0


def free_port() -> int:
    """A port nothing listens on right now (for 'endpoint unreachable' settings)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _handler_for(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one response per connection: SSE ends when the socket closes

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
            return

        def do_GET(self) -> None:  # noqa: N802
            if self.path.rstrip("/").endswith("/models"):
                self._json(200, {"object": "list", "data": [{"id": server.model, "object": "model"}]})
            else:
                self._json(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._json(404, {"error": {"message": f"no route {self.path}"}})
                return
            reply = server._next_reply(request)
            if not server._sleep(reply.delay_s):
                return
            try:
                if reply.status != 200:
                    self._json(reply.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                elif request.stream:
                    self._sse(reply)
                else:
                    self._completion(reply)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout): fine
                pass

        # -- responses --------------------------------------------------------------------------------
        def _json(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _completion(self, reply: Reply) -> None:
            if reply.malformed:
                data = b'{"id": "chatcmpl-fake", "choices": [{"message": {"content": "trunc'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            self._json(
                200,
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": server.model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply.content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
            )

        def _sse(self, reply: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            if reply.malformed:
                self._event('{"id": "chatcmpl-fake", "choices": [{"delta": {"content": "Half')
                self._event("this is not json at all")
                return
            words = reply.content.split(" ")
            step = max(reply.words_per_chunk, 1)
            pieces = [
                " ".join(words[i : i + step]) + (" " if i + step < len(words) else "")
                for i in range(0, len(words), step)
            ]
            self._event(json.dumps(_chunk({"role": "assistant", "content": ""})))
            for piece in pieces:
                if not server._sleep(reply.chunk_delay_s):
                    return
                self._event(json.dumps(_chunk({"content": piece})))
            self._event(json.dumps(_chunk({}, finish="stop")))
            self._event("[DONE]")

        def _event(self, data: str) -> None:
            self.wfile.write(f"data: {data}\n\n".encode())
            self.wfile.flush()

    def _chunk(delta: dict, finish: str | None = None) -> dict:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": server.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    return Handler
