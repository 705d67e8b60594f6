"""The page-run slots shared fairly between clients (dashboard/page_runs.py): hand-made scenarios
whose order of runs is worked out by hand, and one real server where one client's many sessions
must not make another viewer wait behind them."""
from __future__ import annotations

import asyncio
import threading

import pytest

from bench.meeting import LOADING_ADDRESS, VIEWER_ADDRESS, _run_on_own_thread, open_link, open_link_sync
from dashboard.page_runs import FairSlots, share
from waits import WAIT_S

WAIT = WAIT_S  # before a condition that should hold long before is declared never met


class Runs:
    """Page runs on their own threads: each takes a slot, says so, and holds it until told to end."""

    def __init__(self, slots: FairSlots):
        self.slots = slots
        self.started: list[str] = []  # names, in the order their runs got a slot
        self._ends: dict[str, threading.Event] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._seen = threading.Condition()

    def ask(self, name: str, client: str) -> None:
        """Start a run of `client`; return once it holds a slot (and has said so) or waits in its queue."""
        going, waiting = self.slots.going().get(client, 0), self.slots.waiting().get(client, 0)
        self._ends[name] = threading.Event()

        def run() -> None:
            with self.slots.slot(client):
                with self._seen:
                    self.started.append(name)
                    self._seen.notify_all()
                self._ends[name].wait(WAIT)

        self._threads[name] = threading.Thread(target=run, daemon=True)
        self._threads[name].start()
        self.until(lambda: self.slots.going().get(client, 0) > going or self.slots.waiting().get(client, 0) > waiting)
        if self.slots.going().get(client, 0) > going:
            self._started(lambda: name in self.started)

    def until(self, condition) -> None:
        with self.slots._changed:  # noqa: SLF001 - notified on every change of the slots' state
            assert self.slots._changed.wait_for(condition, WAIT), "the slots never reached the expected state"

    def _started(self, condition) -> None:
        with self._seen:
            assert self._seen.wait_for(condition, WAIT), "a run given a slot never started"

    def end(self, name: str) -> str:
        """End one run; return the name of the run that got its slot ("" when none did)."""
        count, waiting = len(self.started), sum(self.slots.waiting().values())
        self._ends[name].set()
        self._threads[name].join(WAIT)  # its slot is released, and handed on, before its thread ends
        if sum(self.slots.waiting().values()) == waiting:
            return ""
        self._started(lambda: len(self.started) > count)
        return self.started[count]

    def finish(self) -> None:
        for event in self._ends.values():
            event.set()
        for thread in self._threads.values():
            thread.join(WAIT)


@pytest.fixture()
def runs_of():
    made: list[Runs] = []

    def make(slots: FairSlots) -> Runs:
        made.append(Runs(slots))
        return made[-1]

    yield make
    for runs in made:
        runs.finish()


def test_a_freed_slot_goes_to_the_other_client_not_to_the_one_with_many_waiting(runs_of):
    """Two slots, both held by client A, five more of A's runs waiting, then one of B's. On a plain
    semaphore B's run came last; here it gets the first slot freed, then A's runs go in order."""
    runs = runs_of(FairSlots(2))
    runs.ask("a1", "A")
    runs.ask("a2", "A")
    for index in range(3, 8):
        runs.ask(f"a{index}", "A")
    runs.ask("b1", "B")
    assert runs.started == ["a1", "a2"] and runs.slots.waiting() == {"A": 5, "B": 1}
    assert runs.end("a1") == "b1"  # A has one run going, B none: B's turn
    assert runs.end("a2") == "a3"
    assert runs.end("b1") == "a4"
    assert runs.end("a3") == "a5"


def test_clients_with_waiting_runs_take_turns(runs_of):
    """One slot; A asks three runs, B two, C one, in that order, while X holds the slot. Each freed
    slot goes to the next client in turn, and a client just served goes to the back of the line:
    a1 b1 c1 a2 b2 a3 (a plain semaphore: a1 a2 a3 b1 b2 c1)."""
    runs = runs_of(FairSlots(1))
    runs.ask("x", "X")
    for name, client in [("a1", "A"), ("a2", "A"), ("a3", "A"), ("b1", "B"), ("b2", "B"), ("c1", "C")]:
        runs.ask(name, client)
    order, current = [], "x"
    while True:
        current = runs.end(current)
        if not current:
            break
        order.append(current)
    assert order == ["a1", "b1", "c1", "a2", "b2", "a3"]
    assert runs.slots.going() == {} and runs.slots.waiting() == {}


def test_one_client_holds_all_slots_but_one(runs_of):
    """Three slots, two per client: A's third run waits although a slot is free, and B's run takes
    that slot at once. When B's run ends the slot stays free (A is at its share); when one of A's
    ends, A's waiting run goes."""
    runs = runs_of(FairSlots(3, per_client=2))
    for name in ("a1", "a2", "a3"):
        runs.ask(name, "A")
    assert runs.started == ["a1", "a2"] and runs.slots.waiting() == {"A": 1}
    runs.ask("b1", "B")
    assert runs.started == ["a1", "a2", "b1"] and runs.slots.going() == {"A": 2, "B": 1}
    assert runs.end("b1") == ""  # nothing may take it: A's waiting run stays waiting
    assert runs.slots.going() == {"A": 2} and runs.slots.waiting() == {"A": 1}
    assert runs.end("a1") == "a3"


def test_on_two_cores_a_busy_client_runs_one_at_a_time_and_another_goes_at_once(runs_of):
    """The server's own sharing on 2 cores (limit 2, one client's share 1): forty runs of A, one at
    a time; B's run takes the other slot at once, and A's next run goes when A's first ends."""
    runs = runs_of(FairSlots(2, per_client=share(2)))
    for index in range(1, 41):
        runs.ask(f"a{index}", "A")
    assert runs.started == ["a1"] and runs.slots.waiting() == {"A": 39}
    runs.ask("b1", "B")
    assert runs.started == ["a1", "b1"]
    assert runs.end("a1") == "a2"
    assert runs.end("b1") == ""  # A is at its share: the slot stays free for the next other client
    runs.ask("c1", "C")
    assert runs.started[-1] == "c1" and runs.slots.going() == {"A": 1, "C": 1}


def test_a_busy_clients_run_gives_way_while_another_clients_run_goes():
    """2 slots, 1 per client. A's run holds a slot and another of A's waits (A is busy); B's run takes
    the other slot. Between two steps A's run pauses until B's run has ended; B, with nothing
    waiting, never pauses, nor does A once nothing of A's waits."""
    slots = FairSlots(2, per_client=1)
    slots.acquire("A")
    waiting = threading.Thread(target=slots.acquire, args=("A",), daemon=True)  # A's second run
    waiting.start()
    runs = Runs(slots)
    runs.until(lambda: slots.waiting() == {"A": 1})
    slots.acquire("B")
    assert slots.pause_for_others("B", WAIT) is False
    paused: list[bool] = []
    pausing = threading.Thread(target=lambda: paused.append(slots.pause_for_others("A", WAIT)), daemon=True)
    pausing.start()
    runs.until(lambda: slots.paused() == {"A": 1})
    slots.release("B")  # B's run ends: A's run goes on (and A's waiting run stays waiting: A is at its share)
    pausing.join(WAIT)
    assert paused == [True] and slots.paused() == {} and slots.going() == {"A": 1}
    slots.release("A")  # A's waiting run takes the slot; nothing of A's waits any more
    waiting.join(WAIT)
    slots.acquire("B")
    assert slots.pause_for_others("A", WAIT) is False
    slots.release("B")
    slots.release("A")
    assert slots.going() == {} and slots.waiting() == {}


def test_a_busy_clients_run_pauses_at_most_its_budget_in_all(monkeypatch):
    """The server's pause points: A's run (A busy) gives way to B's for its whole budget, here 0.2 s
    as B's run never ends, then goes on without pausing again; outside a page run nothing pauses."""
    from dashboard import page_runs

    slots = FairSlots(2, per_client=1)
    monkeypatch.setattr(page_runs, "_slots", slots)
    monkeypatch.setattr(page_runs, "PAUSE_SECONDS", 0.2)
    waiting = threading.Thread(target=slots.acquire, args=("A",), daemon=True)  # A's second run
    with page_runs.slot("A"):
        waiting.start()
        Runs(slots).until(lambda: slots.waiting() == {"A": 1})
        slots.acquire("B")
        assert page_runs.pause_point() is True
        assert page_runs.pause_point() is False  # its 0.2 s are spent: B is still going
        slots.release("B")
    assert page_runs.pause_point() is False
    waiting.join(WAIT)
    slots.release("A")
    assert slots.going() == {} and slots.waiting() == {}


def test_a_run_pauses_before_a_step_never_inside_one(monkeypatch):
    """Inside a cached step the run may hold the entry's lock another client's run waits for: a
    pause there would keep that run waiting. Only the outermost step pauses first."""
    from dashboard import page_runs

    pauses: list[str] = []
    monkeypatch.setattr(page_runs, "pause_point", lambda: pauses.append("pause") or False)
    with page_runs.step():
        with page_runs.step():
            pass
        with page_runs.step():
            pass
    with page_runs.step():
        pass
    assert pauses == ["pause", "pause"]


def test_a_run_that_fails_gives_its_slot_back():
    slots = FairSlots(1)
    with pytest.raises(RuntimeError):
        with slots.slot("A"):
            raise RuntimeError("the run stopped")  # as st.stop and reruns raise
    assert slots.going() == {}
    with slots.slot("B"):
        assert slots.going() == {"B": 1}
    with pytest.raises(RuntimeError):
        slots.release("B")  # more releases than runs would hand out slots that do not exist


@pytest.mark.parametrize(("limit", "per_client"), [(1, 1), (2, 1), (3, 2), (17, 16)])
def test_one_clients_share_is_all_slots_but_one(limit, per_client):
    assert share(limit) == per_client


def test_another_viewer_is_not_kept_waiting_behind_one_clients_sessions(demo_server):
    """A real server (demo store, its page-run limit from the cores): eight sessions from one address
    each open the overview as of a date no one asked before; once the first has finished, the others
    wait for a slot, and a viewer from another address opens the overview it opened before. On one
    shared queue the viewer's run waited for all of them; now it finishes before half of them."""
    warm = open_link_sync(demo_server.url, "/", source_address=VIEWER_ADDRESS)
    assert warm.ok, warm.problem or warm.errors or warm.exceptions
    load_links = [f"/?as_of=2025-01-{day:02d}" for day in range(1, 9)]

    async def scenario():
        load = [asyncio.create_task(open_link(demo_server.url, link, source_address=LOADING_ADDRESS))
                for link in load_links]
        done, _ = await asyncio.wait(load, return_when=asyncio.FIRST_COMPLETED)
        viewer = await open_link(demo_server.url, "/", source_address=VIEWER_ADDRESS)
        return viewer, await asyncio.gather(*load)

    viewer, load_views = _run_on_own_thread(scenario)
    assert viewer.ok, viewer.problem or viewer.errors or viewer.exceptions
    assert all(view.ok for view in load_views), [view.problem for view in load_views if not view.ok]
    finished_before_viewer = sum(view.ended < viewer.ended for view in load_views)
    assert finished_before_viewer <= len(load_views) // 2, (
        f"{finished_before_viewer} of {len(load_views)} runs of the other client finished before the viewer's")


def test_a_signed_in_viewer_is_a_client_by_identity_not_address():
    """Signed in, each user is their own client (two people behind one proxy are two clients); without
    sign-in, the address decides (the real-server test above: 127.0.0.1 and 127.0.0.2 are two)."""
    from dashboard.auth import Viewer, client_key

    assert client_key(Viewer(email="ada@lab.example", local=False)) == "user:ada@lab.example"
    assert client_key(Viewer(email="ada@lab.example", local=False)) != client_key(Viewer(email="bo@lab.example",
                                                                                         local=False))
