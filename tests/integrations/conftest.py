from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from coatcheck.detect.engine import Detector

_DETECTOR: Detector | None = None


def fast_detector() -> Detector:
    global _DETECTOR
    if _DETECTOR is None:
        _DETECTOR = Detector("fast")
    return _DETECTOR


class CountingDetector:
    """The real fast detector, counting how many texts it was asked about."""

    def __init__(self) -> None:
        self.inner = fast_detector()
        self.texts = 0

    def detect_batch(self, texts):  # type: ignore[no-untyped-def]
        texts = list(texts)
        self.texts += len(texts)
        return self.inner.detect_batch(texts)


@contextmanager
def serve(app: Callable[..., Any], **config: Any) -> Iterator[str]:
    """Run an ASGI app with uvicorn on a free loopback port in a thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="off", **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
