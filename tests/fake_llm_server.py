"""A local OpenAI-compatible server on 127.0.0.1 with controlled delays, for the timing harness tests.

Besides well-behaved streams it can replay a recorded stream (``replay=bytes``) and produce the
faults a real server does not produce on demand: a choices item that is not an object, a stream
that stalls midway, a body that is not a stream, a server that never answers or trickles bytes,
and a server that rejects ``stream_options``.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeLLM:
    def __init__(self, mode: str = "stream", first_delay: float = 0.3, token_delay: float = 0.05, tokens: int = 11,
                 replay: bytes = b"", hold: float = 30.0):
        self.mode, self.first_delay, self.token_delay, self.tokens = mode, first_delay, token_delay, tokens
        self.replay, self.hold = replay, hold
        self.bodies: list[dict] = []
        self._stop = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _json(self, status, doc):
                msg = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(msg)))
                self.end_headers()
                self.wfile.write(msg)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.bodies.append(body)
                if fake.mode == "404":
                    return self._json(404, {"error": f"model '{body.get('model')}' not found"})
                if fake.mode == "reject_stream_options" and "stream_options" in body:
                    return self._json(400, {"error": "Unrecognized request argument supplied: stream_options"})
                if fake.mode == "silent":  # accepts the request, never answers
                    fake._stop.wait(fake.hold)
                    return
                time.sleep(fake.first_delay)
                if fake.mode == "not_stream":
                    msg = b"<html><body>Welcome to nginx!</body></html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(msg)))
                    self.end_headers()
                    self.wfile.write(msg)
                    return
                if fake.mode == "plain":
                    text = " ".join(f"w{i}" for i in range(fake.tokens))
                    return self._json(200, {"choices": [{"message": {"role": "assistant", "content": text}}]})
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    self._stream()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading (e.g. after a malformed chunk)
                self.close_connection = True

            def _stream(self):
                if fake.mode == "replay":
                    for event in fake.replay.split(b"\n\n"):
                        if event.strip():
                            self.wfile.write(event + b"\n\n")
                            self.wfile.flush()
                            time.sleep(fake.token_delay)
                    return
                if fake.mode == "trickle":  # one byte at a time, never a whole event
                    while not fake._stop.wait(0.2):
                        self.wfile.write(b":")
                        self.wfile.flush()
                    return
                if fake.mode == "multi":  # several tokens per chunk, no usage, cut at max_tokens
                    for i in range(fake.tokens):
                        if i:
                            time.sleep(fake.token_delay)
                        chunk = {"choices": [{"index": 0, "delta": {"content": f"a{i} b{i} c{i} d{i} e{i} "},
                                              "finish_reason": "length" if i == fake.tokens - 1 else None}]}
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")
                    return
                for i in range(fake.tokens):
                    if i:
                        time.sleep(fake.token_delay)
                    if fake.mode == "malformed" and i == 3:
                        self.wfile.write(b"data: {not json\n\n")
                    elif fake.mode == "choices_not_object" and i == 3:
                        self.wfile.write(b'data: {"choices": ["t3"]}\n\n')
                    elif fake.mode == "stall" and i == 3:
                        self.wfile.flush()
                        fake._stop.wait(fake.hold)
                        return
                    else:
                        chunk = {"choices": [{"index": 0, "delta": {"content": f"t{i} "}}]}
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
