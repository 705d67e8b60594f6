"""At most a few page runs at once in one server process, shared fairly between clients.

Streamlit runs each session's script on its own thread, and the page code holds Python's GIL for
most of a run: forty sessions opening the same link at once (a meeting) made forty threads take
turns on two cores, each run slowed by the others' switching, and every viewer waited for the
slowest. Runs beyond the limit wait their turn (blocked, using no CPU) and then run at full speed:
measured with `asl-dashboard bench --meeting 40`, see the README's "Meeting load".

One client must not starve the others: forty sessions from one client, each asking a view no one
asked before, made another viewer's cached page wait behind all of them (29 s for a page of 1 s).
So waiting runs queue per client, a freed slot goes to the client with the fewest runs going, in
turns (round-robin), and one client's runs hold all slots but one: another client's run finds a
slot free at once. It would still share the cores with the busy client's run (about 2 x slower);
so a run of a client with more runs waiting pauses between its steps (queries, views, figures:
`pause_point`) while a run of a client with none waiting is going, at most PAUSE_SECONDS in all
(a client looping one heavy page cannot stop a busy client's runs). Measured with the meeting
benchmark's "another viewer". A client is the signed-in user, else the connection's address (see
`client_key` in dashboard/auth.py).

The limit is ASL_PAGE_RUNS (a whole number from 1 to 64), or the number of cores, at least 2
(read and validated in dashboard/settings.py).
Only the page's own run is limited; the sign-in gate and the host check run before it.
"""
from __future__ import annotations

import collections
import contextlib
import logging
import threading
import time
from collections.abc import Hashable

from dashboard import settings

log = logging.getLogger("asl_dashboard")
class _Ticket:
    """One waiting run (compared by identity)."""
    __slots__ = ("granted",)

    def __init__(self) -> None:
        self.granted = False


class FairSlots:
    """`slots` runs at once, shared fairly between clients; one client holds at most `per_client`.

    A run that finds a free slot (within its client's share) and no one waiting takes it. Otherwise it
    waits in its client's queue. When a slot is freed, it goes to the oldest waiting run of the client
    with the fewest runs going (not already at its share); among equals, to the client whose turn it
    is: a client that was just given a slot goes to the back of the line. So one client with forty
    waiting runs gets one slot in turn, however many it asks for."""

    def __init__(self, slots: int, per_client: int | None = None):
        if slots < 1:
            raise ValueError("at least one slot")
        self.slots = slots
        self.per_client = min(slots, per_client or slots)
        self._changed = threading.Condition()
        self._going: collections.Counter = collections.Counter()  # client -> runs holding a slot
        self._paused: collections.Counter = collections.Counter()  # client -> its runs giving way to others
        # client -> its waiting runs (one ticket each, oldest first); the dict's order is the turn order.
        self._waiting: dict[Hashable, collections.deque] = {}

    def acquire(self, client: Hashable) -> None:
        """Wait until this run may go (blocked, using no CPU)."""
        with self._changed:
            ticket = _Ticket()
            self._waiting.setdefault(client, collections.deque()).append(ticket)
            self._hand_out()
            try:
                self._changed.wait_for(lambda: ticket.granted)
            except BaseException:  # interrupted while waiting: give the place (or the slot) back
                if ticket.granted:
                    self._release(client)
                else:
                    self._withdraw(client, ticket)
                raise

    def release(self, client: Hashable) -> None:
        with self._changed:
            self._release(client)

    @contextlib.contextmanager
    def slot(self, client: Hashable):
        self.acquire(client)
        try:
            yield
        finally:
            self.release(client)

    def going(self) -> dict:
        """Runs holding a slot, by client (a copy)."""
        with self._changed:
            return dict(self._going)

    def waiting(self) -> dict:
        """Runs waiting, by client, in turn order (a copy)."""
        with self._changed:
            return {client: len(queue) for client, queue in self._waiting.items()}

    def _may_go(self, client: Hashable) -> bool:
        return sum(self._going.values()) < self.slots and self._going[client] < self.per_client

    def _release(self, client: Hashable) -> None:
        if self._going[client] <= 0:
            raise RuntimeError(f"release without a slot held by {client!r}")
        self._going[client] -= 1
        if not self._going[client]:
            del self._going[client]
        self._hand_out()

    def _withdraw(self, client: Hashable, ticket: _Ticket) -> None:
        queue = self._waiting.get(client)
        if queue is not None and ticket in queue:
            queue.remove(ticket)
            if not queue:
                del self._waiting[client]
        self._changed.notify_all()

    def pause_for_others(self, client: Hashable, longest: float) -> bool:
        """Called by a run of `client` that holds a slot, between two steps of its work: while this
        client has runs waiting (it is busy) and a run of a client with none waiting is going, wait,
        at most `longest` seconds. The other run then has the cores to itself instead of sharing
        them with the busy client's. A client with no run waiting never pauses, so two clients
        never wait for each other. Returns whether it paused."""
        with self._changed:
            if not self._gives_way(client):
                return False
            self._paused[client] += 1
            self._changed.notify_all()
            try:
                self._changed.wait_for(lambda: not self._gives_way(client), timeout=longest)
            finally:
                self._paused[client] -= 1
                if not self._paused[client]:
                    del self._paused[client]
            return True

    def paused(self) -> dict:
        """Runs pausing for other clients' runs, by client (a copy)."""
        with self._changed:
            return dict(self._paused)

    def _gives_way(self, client: Hashable) -> bool:
        return client in self._waiting and any(other != client and other not in self._waiting for other in self._going)

    def _hand_out(self) -> None:
        while True:
            ready = [client for client in self._waiting if self._may_go(client)]
            if not ready:
                break
            client = min(ready, key=lambda name: self._going[name])  # the first of the fewest going, in turn order
            queue = self._waiting.pop(client)
            queue.popleft().granted = True
            if queue:
                self._waiting[client] = queue  # to the back of the line
            self._going[client] += 1
        self._changed.notify_all()


def share(limit: int) -> int:
    """The slots one client's runs may hold at once: all but one, so that another client's run
    never waits for a busy client's runs to end (all of them when there is only one)."""
    return max(1, limit - 1)


LIMIT = settings.page_runs_limit()
_slots = FairSlots(LIMIT, per_client=share(LIMIT))


PAUSE_SECONDS = 10.0  # the longest a busy client's run pauses in all, so that it always ends
_running = threading.local()  # the client whose page run this thread is running, and its pause left


@contextlib.contextmanager
def slot(client: Hashable):
    """Hold one slot for the length of a page run of this client (released however the run ends:
    finished, st.stop, a rerun or an error)."""
    with _slots.slot(client):
        _running.client, _running.pause_left, _running.depth = client, PAUSE_SECONDS, 0
        try:
            yield
        finally:
            _running.client = None


def pause_point() -> bool:
    """Before a step of a page run (see `step`): a busy client's run gives way
    to another client's (FairSlots.pause_for_others), PAUSE_SECONDS at most in all. Nothing
    outside a page run (the CLI). Returns whether it paused."""
    client = getattr(_running, "client", None)
    if client is None or _running.pause_left <= 0:
        return False
    started = time.monotonic()
    if not _slots.pause_for_others(client, _running.pause_left):
        return False
    _running.pause_left -= time.monotonic() - started
    return True


@contextlib.contextmanager
def step():
    """One step of a page run (a cached query, view, figure or result): a busy client's run may
    pause before it, never inside one (where it may hold a cache entry's lock another run needs)."""
    outermost = not getattr(_running, "depth", 0)
    if outermost:
        pause_point()
    _running.depth = getattr(_running, "depth", 0) + 1
    try:
        yield
    finally:
        _running.depth -= 1
