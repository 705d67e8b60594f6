"""A deadline on this side for every exchange with the server: a stalled network or proxy gives
the ingest up instead of keeping it (and the store's lock) waiting for ever."""
from __future__ import annotations

import os
import socket
import threading
from contextlib import contextmanager


def _socket_fds() -> set[tuple[int, str]]:
    """This process's open sockets, as (descriptor, inode) pairs."""
    found = set()
    for entry in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{entry}")
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add((int(entry), target))
    return found


class Watchdog:
    """A deadline on this side for every exchange with the server.

    libpq waits for the server's answer without a limit of its own; TCP keepalives notice a peer that
    is gone, not a proxy that stays connected and stops forwarding. So the sockets of the source's
    connections are noted as each one connects, and when an exchange outlasts its deadline they are
    shut down: the waiting read then fails at once, the ingest says the connection stalled (exit 4),
    and the store's lock is released as for any failed read."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.stalled = False
        self._sockets: dict[str, socket.socket] = {}  # by inode: connections made at once see each other's
        self._lock = threading.Lock()

    def connect(self, open_connection):
        """open_connection(), noting the sockets that appeared meanwhile (this source's connections
        are opened in parallel, so one may note another's: all of them are shut together)."""
        before = _socket_fds()
        connection = open_connection()
        with self._lock:
            for fd, inode in _socket_fds() - before:
                if inode not in self._sockets:
                    try:
                        self._sockets[inode] = socket.socket(fileno=os.dup(fd))
                    except OSError:
                        pass
        return connection

    @contextmanager
    def exchange(self):
        timer = threading.Timer(self.seconds, self._give_up)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _give_up(self) -> None:
        with self._lock:
            self.stalled = True
            for sock in self._sockets.values():
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        with self._lock:
            for sock in self._sockets.values():
                sock.close()
            self._sockets = {}
