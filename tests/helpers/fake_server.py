"""A fake HTTP API (Rasa, Telegram's Bot API...) on a free loopback port, served from a thread."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def serving[Fake](make_fake: Callable[[int], Fake],
            make_handler: Callable[[Fake], type[BaseHTTPRequestHandler]],
            name: str) -> Iterator[Fake]:
    """`make_fake(port)`, answered by `make_handler(fake)`'s requests until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)  # type: ignore[arg-type]
    server.daemon_threads = True
    fake = make_fake(server.server_address[1])
    server.RequestHandlerClass = make_handler(fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name=name)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
