"""A local OpenAI-compatible server on 127.0.0.1 with controlled delays, for the timing harness tests."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeLLM:
    def __init__(self, mode: str = "stream", first_delay: float = 0.3, token_delay: float = 0.05, tokens: int = 11):
        self.mode, self.first_delay, self.token_delay, self.tokens = mode, first_delay, token_delay, tokens
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
                if fake.mode == "404":
                    return self._json(404, {"error": f"model '{body.get('model')}' not found"})
                time.sleep(fake.first_delay)
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
                for i in range(fake.tokens):
                    if i:
                        time.sleep(fake.token_delay)
                    if fake.mode == "malformed" and i == 3:
                        self.wfile.write(b"data: {not json\n\n")
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
        self.server.shutdown()
        self.server.server_close()
