"""An "LLM server" misbehaving below HTTP's level, which the scripted LLM (a proper HTTP app) cannot do: it
closes the connection without a word, answers bytes that are not HTTP, or a 200 page that is not JSON.
`mode = "ok"` answers one good chat completion, so the same endpoint can show the system recovering."""

from __future__ import annotations

import json
import socket
import socketserver
import struct
import threading
import time
from typing import Any

from tests.support.scripted_llm import MODEL_ID, answer
from tests.support.scripts import PRODUCT_COUNT_SQL

MODES = ("close", "not-http", "html", "ok")


def _completion() -> bytes:
    content = json.dumps(answer(PRODUCT_COUNT_SQL, explanation="Counts the products.")["content"])
    body: dict[str, Any] = {
        "id": "chatcmpl-raw",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    return json.dumps(body).encode()


def _http(status: str, content_type: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def _read_request(sock: socket.socket) -> None:
    """Read headers and the declared body (bounded), so the client is never cut off mid-send."""
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 1_000_000:
        chunk = sock.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    while len(body) < min(length, 10_000_000):
        chunk = sock.recv(65536)
        if not chunk:
            return
        body += chunk


class _Handler(socketserver.BaseRequestHandler):
    server: RawLLMServer._Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        _read_request(sock)
        mode = self.server.owner.mode
        self.server.owner.requests += 1
        if mode == "close":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
            return
        if mode == "not-http":
            sock.sendall(b"\x00\xffthis is not HTTP at all\r\n\r\n")
        elif mode == "html":
            sock.sendall(_http("200 OK", "text/html", b"<html><body>502 Bad Gateway (nginx)</body></html>"))
        else:
            sock.sendall(_http("200 OK", "application/json", _completion()))


class RawLLMServer:
    """A threading TCP server on a free loopback port; switch `mode` between requests."""

    class _Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True
        owner: RawLLMServer

    def __init__(self, mode: str = "close") -> None:
        self.mode = mode
        self.requests = 0
        self._server = self._Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> RawLLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
