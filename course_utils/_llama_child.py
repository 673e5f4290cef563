"""Child process that holds llama.cpp's server (xllamacpp) for :mod:`course_utils.engine`.

Protocol: one JSON line of settings on stdin; one JSON line on stdout, ``{"url": ...}`` when the
server listens or ``{"error": ...}``; then the server runs until stdin closes (the parent
stopped, or died: either way no orphan), and the process exits.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import sys


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    conf = json.loads(sys.stdin.readline() or "{}")
    # the reply goes through a private copy of stdout; anything the engine prints goes to the log
    reply = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)

    def say(doc: dict) -> None:
        reply.write(json.dumps(doc) + "\n")
        reply.flush()

    try:
        import xllamacpp
    except ImportError as exc:
        say({"error": f"xllamacpp is not importable ({exc})"})
        return 1
    server, last = None, ""
    for _attempt in range(3):  # a port can be taken between choosing and binding it
        p = xllamacpp.CommonParams()
        p.model.path = conf["model"]
        p.n_ctx = int(conf.get("n_ctx", 2048))
        p.n_parallel = 1
        p.cpuparams.n_threads = int(conf.get("threads", -1))
        p.warmup = True
        kv_name = conf.get("kv_type", "F16")
        if kv_name != "F16":  # llama.cpp's default otherwise
            kv = getattr(getattr(xllamacpp, "ggml_type", None), f"GGML_TYPE_{kv_name}", None)
            if kv is None:
                say({"error": f"this xllamacpp cannot set a {kv_name} KV cache"})
                return 1
            p.cache_type_k, p.cache_type_v = kv, kv
        if conf.get("verbose"):
            p.verbosity = 10  # llama.cpp's info and debug lines (KV cache sizes, layer types) go to the log
        p.port = _free_port()
        try:
            server = xllamacpp.Server(p)
            break
        except Exception as exc:  # noqa: BLE001 - reported to the parent as text
            last = f"{type(exc).__name__}: {exc}"
    if server is None:
        say({"error": last})
        return 1
    say({"url": server.listening_address, "threads": p.cpuparams.n_threads,
         "version": getattr(xllamacpp, "__version__", "")})
    sys.stdin.read()  # blocks until the parent closes the pipe or dies
    del server  # ~Server stops the HTTP server and joins its threads
    return 0


if __name__ == "__main__":
    sys.exit(main())
