"""A local fake of the Hub API on 127.0.0.1, for contract tests of the live path.

Each repo id maps to a behaviour: a JSON record (200), or one of "redirect:<new id>",
"401-gated", "401", "403", "404", "429", "500", "malformed", "slow"; a key "file:<id>/<name>" serves that repo file (a dict as JSON, or "slow"). Unknown ids get a 404
with X-Error-Code RepoNotFound, as the real Hub answers. `GET /api/models` filters the
records by `search`, `pipeline_tag` and `filter`, like the real list endpoint. `files`
({"org/name/file": bytes}) are served at `/{repo}/resolve/{revision}/{file}` (HEAD and GET),
with the headers hf_hub_download reads.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


class FakeHub:
    def __init__(self, behaviours: dict, slow_seconds: float = 3.0, files: dict[str, bytes] | None = None):
        self.behaviours = behaviours
        self.files = files or {}
        self.slow_seconds = slow_seconds
        self.requests: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _send(self, status, body=b"", headers=None, content_type="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _file(self, path, head):
                repo_file = path.lstrip("/").split("/resolve/", 1)
                name = repo_file[0] + "/" + repo_file[1].split("/", 1)[-1] if len(repo_file) == 2 else ""
                body = hub.files.get(name)
                if body is None and f"file:{name}" in hub.behaviours:  # behaviour "file:<id>/<name>": JSON or "slow"
                    b = hub.behaviours[f"file:{name}"]
                    if b == "slow":
                        time.sleep(hub.slow_seconds)
                        b = {}
                    body = json.dumps(b).encode() if isinstance(b, dict) else str(b).encode()
                if body is None:
                    return self._send(404, b'{"error":"Entry not found"}', {"X-Error-Code": "EntryNotFound"})
                import hashlib

                etag = '"' + hashlib.sha256(body).hexdigest() + '"'
                headers = {"X-Repo-Commit": "b" * 40, "ETag": etag}
                if head:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    return None
                return self._send(200, body, headers, "application/octet-stream")

            def do_HEAD(self):  # noqa: N802
                path = unquote(urlsplit(self.path).path)
                hub.requests.append("HEAD " + self.path)
                if "/resolve/" in path:
                    return self._file(path, head=True)
                return self._send(404)

            def do_GET(self):  # noqa: N802
                parts = urlsplit(self.path)
                path = unquote(parts.path)
                hub.requests.append(self.path)
                if "/resolve/" in path and not path.startswith("/api/"):
                    return self._file(path, head=False)
                if path == "/api/models":
                    return self._list(parse_qs(parts.query))
                if not path.startswith("/api/models/"):
                    return self._send(404, b'{"error":"not found"}')
                repo_id = path[len("/api/models/"):]
                for suffix in ("/revision/main",):
                    repo_id = repo_id.removesuffix(suffix)
                b = hub.behaviours.get(repo_id)
                if b is None:
                    return self._send(404, json.dumps({"error": "Repository not found"}).encode(),
                                      {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"})
                if isinstance(b, dict):
                    return self._send(200, json.dumps(b).encode())
                if b.startswith("redirect:"):
                    new = b.split(":", 1)[1]
                    return self._send(307, f"Temporary Redirect. Redirecting to /api/models/{new}".encode(),
                                      {"Location": f"/api/models/{new}"}, "text/plain")
                if b == "401-gated":
                    return self._send(401, b'{"error":"Access to model is restricted"}',
                                      {"X-Error-Code": "GatedRepo", "X-Error-Message": "Access restricted"})
                if b in ("401", "403", "404", "429", "500"):
                    return self._send(int(b), json.dumps({"error": f"status {b}"}).encode())
                if b == "malformed":
                    return self._send(200, b'{"id": "broken", "tags": [')
                if b == "slow":
                    time.sleep(hub.slow_seconds)
                    return self._send(200, json.dumps({"id": repo_id}).encode())
                raise AssertionError(f"unknown behaviour {b!r}")

            def _list(self, query):
                search = (query.get("search") or [""])[0].lower()
                task = (query.get("pipeline_tag") or [None])[0]
                tags = set(query.get("filter") or [])
                limit = int((query.get("limit") or ["1000"])[0])
                if hub.behaviours.get("__list__") in ("500", "429", "malformed", "slow"):
                    b = hub.behaviours["__list__"]
                    if b == "slow":
                        time.sleep(hub.slow_seconds)
                    if b == "malformed":
                        return self._send(200, b"[{")
                    return self._send(int(b) if b.isdigit() else 200, b'{"error":"x"}')
                items = [r for r in hub.behaviours.values() if isinstance(r, dict)]
                items = [r for r in items if search in r["id"].lower()]
                if task:
                    items = [r for r in items if r.get("pipeline_tag") == task]
                if tags:
                    items = [r for r in items if tags <= set(r.get("tags", []))]
                items.sort(key=lambda r: -(r.get("downloads") or 0))
                return self._send(200, json.dumps(items[:limit]).encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def record(repo_id: str, license: str = "apache-2.0", downloads: int = 1000, **extra) -> dict:
    """A Hub-API-shaped model record like GET /api/models/{id} returns."""
    rec = {"_id": "0" * 24, "id": repo_id, "modelId": repo_id, "author": repo_id.split("/")[0],
           "private": False, "gated": False, "downloads": downloads, "likes": 1,
           "pipeline_tag": "text-generation", "library_name": "transformers",
           "tags": ["transformers", "safetensors", "text-generation", f"license:{license}", "en", "region:us"],
           "lastModified": "2024-05-22T12:00:00.000Z", "sha": "a" * 40,
           "cardData": {"license": license, "language": ["en"]},
           "safetensors": {"parameters": {"BF16": 7_241_732_096}, "total": 7_241_732_096}}
    rec.update(extra)
    return rec
