"""A real HTTP server on 127.0.0.1 and a free port, in a thread, for the tests of clients (the
webhook of `changes --post`): started by `with`, stopped and closed after."""
from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer


class LocalServer:
    """ThreadingHTTPServer running handler_class; self.base is its http://127.0.0.1:PORT. The server
    object carries seen (a list) and events (a dict) for handlers to record what happened."""

    def __init__(self, handler_class):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
        self.server.daemon_threads = True
        self.server.seen = []
        self.server.events = {}
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
