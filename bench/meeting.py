"""`asl-dashboard bench --meeting N`: N people open the same deep link at once while a snapshot is
published, measured with raw websocket clients speaking Streamlit's own protocol (no browser: forty
Chromium tabs would measure the 2-core machine's browser, not the server).

A session is what the browser does when a link is opened: connect to /_stcore/stream, send a
BackMsg rerun_script with the link's page and query string, and read ForwardMsgs until the script
run finishes. It counts as an error when the run does not finish successfully, or shows an exception
or an error message. The server's CPU time comes from /proc/<pid>/stat of the `streamlit run`
process (utime + stime), taken before and after each phase.

Each of the N sessions comes from a loopback address of its own (`meeting_address`), as the people
of a meeting do from their own computers: the server shares its page-run slots by client.

Also used by the tests as a raw client (forged Host and Origin headers, Streamlit's clear-cache
message).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import math
import os
import statistics
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

TARGETS = {"errors": 0, "p95_s": 8.0, "cpu_ratio": 1.5}  # at N = 40, scale m, on the 2-core machine
FAIR_RATIO = 2.0  # a viewer's cached page while another client loads the server, against the same page unloaded
VIEWER_ADDRESS, LOADING_ADDRESS = "127.0.0.1", "127.0.0.2"  # two clients, as the server sees them


def meeting_address(index: int) -> str:
    """The loopback address of the meeting's person number `index` (0, 1, ...): 127.1.0.1, 127.1.0.2,
    ... Each person opens the link from a computer of their own, so the server counts each as a
    client of their own (the page-run slots are shared by client: forty sessions from one address
    would be one client's runs, one at a time)."""
    if not 0 <= index < 250 * 256:
        raise ValueError(f"no meeting address for person {index}")
    return f"127.1.{index // 250}.{index % 250 + 1}"


@dataclass
class RawView:
    """What one websocket session received for one link."""
    seconds: float = float("nan")
    finished: bool = False  # the script run finished successfully
    refused: bool = False  # the server closed the websocket before any run (Host or Origin refused)
    element_types: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # bodies of markdown, headings, alerts, captions, code
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # st.error bodies
    raw_bytes: int = 0
    problem: str = ""
    page_seconds: float = 0.0  # with page_first: the page's own request (included in seconds)
    ended: float = float("nan")  # time.perf_counter() when the session ended (to order sessions)

    @property
    def ok(self) -> bool:
        return self.finished and not self.exceptions and not self.errors and not self.problem

    def text(self) -> str:
        return "\n".join(self.texts)


def _element_text(element, view: RawView) -> None:
    kind = element.WhichOneof("type")
    view.element_types.append(kind or "")
    if kind == "exception":
        view.exceptions.append(element.exception.message)
    elif kind == "alert":
        view.texts.append(element.alert.body)
        if element.alert.format == element.alert.ERROR:
            view.errors.append(element.alert.body)
    elif kind in ("markdown", "heading", "text"):
        view.texts.append(getattr(element, kind).body)
    elif kind == "code":
        view.texts.append(element.code.code_text)
    elif kind == "metric":
        view.texts.append(f"{element.metric.label}: {element.metric.body}")


def _ws_url(base_url: str) -> str:
    parts = urllib.parse.urlsplit(base_url)
    return urllib.parse.urlunsplit(("ws" if parts.scheme == "http" else "wss", parts.netloc,
                                    parts.path.rstrip("/") + "/_stcore/stream", "", ""))


async def _page_cookies(base_url: str, link: str, source_address: str | None, timeout: float) -> str:
    """GET the link's page as a browser does first, to its end; the cookies it sets, as a Cookie header
    value ("" when none). Behind the proxy this is where a browser gets its route cookie."""
    real = urllib.parse.urlsplit(base_url)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(
        real.hostname, real.port, local_addr=(source_address, 0) if source_address else None), timeout)
    try:
        writer.write(f"GET {link} HTTP/1.1\r\nHost: {real.netloc}\r\nConnection: close\r\n\r\n".encode("ascii"))
        answer = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head = answer.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    if not head[0].startswith("HTTP/1.1 200"):
        raise OSError(f"the page answered {head[0][:80]!r}")
    cookies = [line.split(":", 1)[1].strip().split(";", 1)[0] for line in head[1:] if line.lower().startswith("set-cookie:")]
    return "; ".join(cookies)


async def open_link(base_url: str, link: str, *, headers: dict | None = None, clear_cache: bool = False,
                    timeout: float = 120.0, source_address: str | None = None, page_first: bool = False) -> RawView:
    """Open `link` ("/reclassify?model=x&asl=3") as a new session; return what came back.

    headers: extra request headers for the websocket handshake (Host, Origin, Cookie, ...).
    clear_cache: send Streamlit's clear-cache BackMsg before (instead of) running a page.
    source_address: connect from this local address ("127.0.0.2": another client to a loopback server).
    page_first: GET the link's page first and send the cookies it sets with the websocket, as a browser
    does (behind the proxy: the route cookie that keeps the session on one process); timed with it."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    path, _, query = link.partition("?")
    view = RawView()
    started = time.perf_counter()
    extra = dict(headers or {})
    if page_first:
        try:
            cookies = await _page_cookies(base_url, link, source_address, timeout)
        except (OSError, asyncio.TimeoutError) as error:
            view.problem = f"page: {type(error).__name__}: {error}"
            view.ended = time.perf_counter()
            view.seconds = view.ended - started
            return view
        view.page_seconds = time.perf_counter() - started
        if cookies:
            extra["Cookie"] = cookies
    host = extra.pop("Host", None)
    origin = extra.pop("Origin", None)
    url, connection = _ws_url(base_url), {}
    if host:  # a forged Host header: the URL names that host, the socket goes to the real server
        url = urllib.parse.urlunsplit(("ws", host, "/_stcore/stream", "", ""))
    try:
        if host or source_address:
            import socket as sockets

            real = urllib.parse.urlsplit(base_url)
            connection["sock"] = sockets.create_connection(
                (real.hostname, real.port), timeout=timeout, source_address=(source_address, 0) if source_address else None)
        async with websockets.connect(url, subprotocols=["streamlit"], additional_headers=extra or None,
                                      origin=origin, max_size=None, open_timeout=timeout, **connection) as socket:
            if clear_cache:
                message = BackMsg()
                message.clear_cache = True
                await socket.send(message.SerializeToString())
            message = BackMsg()
            state = message.rerun_script
            state.query_string = query
            state.page_name = path.strip("/")
            state.page_script_hash = ""
            state.context_info.timezone = "UTC"
            state.context_info.locale = "en-US"
            state.context_info.url = base_url.rstrip("/") + link
            await socket.send(message.SerializeToString())
            while True:
                data = await asyncio.wait_for(socket.recv(), timeout=timeout)
                view.raw_bytes += len(data)
                forward = ForwardMsg()
                forward.ParseFromString(data)
                kind = forward.WhichOneof("type")
                if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                    _element_text(forward.delta.new_element, view)
                elif kind == "script_finished":
                    if forward.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                        view.finished = True
                        break
                    if forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        view.problem = f"script finished with {forward.script_finished}"
                        break
                elif kind == "page_not_found":
                    view.problem = "page not found"
    except websockets.exceptions.InvalidStatus as error:
        view.refused = True
        view.problem = f"handshake refused: {error}"
    except websockets.exceptions.ConnectionClosed as error:
        view.refused = not view.element_types
        view.problem = f"connection closed: {error}"
    except (OSError, asyncio.TimeoutError) as error:
        view.problem = f"{type(error).__name__}: {error}"
    view.ended = time.perf_counter()
    view.seconds = view.ended - started
    return view


def _run_on_own_thread(make_coroutine):
    """asyncio.run(make_coroutine()) on a new thread: the caller may be running an event loop (as
    Playwright's sync API does), where asyncio.run is refused."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(make_coroutine())
        except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def open_link_sync(base_url: str, link: str, **options) -> RawView:
    """open_link from synchronous code."""
    return _run_on_own_thread(lambda: open_link(base_url, link, **options))


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (fields 14 and 15 of /proc/<pid>/stat), in seconds."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "; field 3 is fields[0]
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


def _default_link(store: Path) -> str:
    """The reclassify link of the model with the most descendants (the heaviest at-risk view)."""
    from bench.run import _most_descendants
    from dashboard.store import snapshot

    snap = snapshot(store)
    models = snap.query("models")
    target = _most_descendants(models)
    level = int(models.set_index("model_id").loc[target, "asl_level"]) + 1
    as_of = snap.query("snapshot_info").iloc[0]["snapshot_date"]
    return "/reclassify?" + urllib.parse.urlencode({"model": target, "asl": level, "domain": "cbrn",
                                                    "as_of": as_of.isoformat()})


def fairness(server_url: str, store: Path, sessions: int, *, samples: int = 7, load_timeout: float = 900.0,
             say=print) -> dict:
    """One client (LOADING_ADDRESS) keeps `sessions` sessions open, each asking the overview as of a
    date no one asked before (nothing cached); meanwhile another viewer (VIEWER_ADDRESS) opens the
    overview as of the snapshot's date, which it opened before (cached). The viewer's time to a
    finished run, median of `samples` one after another, unloaded and then under that load.
    errors: the viewer's sessions that failed; load_errors: the loading client's (its sessions
    wait their turn, up to load_timeout seconds, and are closed once the viewer is done)."""
    from dashboard.store import snapshot

    snapshot_date = snapshot(store).query("snapshot_info").iloc[0]["snapshot_date"]
    viewer_link = "/"
    warm = open_link_sync(server_url, viewer_link, source_address=VIEWER_ADDRESS)
    if not warm.ok:
        raise RuntimeError(f"the overview does not open cleanly: {warm.problem or warm.errors or warm.exceptions}")
    unloaded = [open_link_sync(server_url, viewer_link, source_address=VIEWER_ADDRESS) for _ in range(samples)]
    say(f"{sessions} sessions from {LOADING_ADDRESS} asking uncached as-of dates, "
        f"while a viewer at {VIEWER_ADDRESS} opens the cached overview ...")
    fresh_dates = (snapshot_date - dt.timedelta(days=days) for days in itertools.count(1))

    async def under_load() -> tuple[list[RawView], list[RawView]]:
        stop, first_load_run_done = asyncio.Event(), asyncio.Event()
        load_views: list[RawView] = []

        async def loading_session() -> None:
            while not stop.is_set():  # one session after another, so `sessions` stay open all along
                view = await open_link(server_url, f"/?as_of={next(fresh_dates).isoformat()}",
                                       source_address=LOADING_ADDRESS, timeout=load_timeout)
                load_views.append(view)
                first_load_run_done.set()
                if not view.ok:
                    return

        load = [asyncio.create_task(loading_session()) for _ in range(sessions)]
        # By the time one run of the load has finished, every other session of it is waiting for a slot.
        load_on = asyncio.create_task(first_load_run_done.wait())
        await asyncio.wait([load_on, *load], return_when=asyncio.FIRST_COMPLETED)
        load_on.cancel()
        viewer_views = []
        for _ in range(samples):
            viewer_views.append(await open_link(server_url, viewer_link, source_address=VIEWER_ADDRESS))
        stop.set()
        for task in load:  # the load's runs still waiting are of no interest: their sessions are closed
            task.cancel()
        await asyncio.gather(*load, return_exceptions=True)
        return viewer_views, load_views

    loaded, load_views = _run_on_own_thread(under_load)

    def problems(views: list[RawView]) -> list[str]:
        return [view.problem or "; ".join(view.errors + view.exceptions) for view in views if not view.ok]

    viewer_problems, load_problems = problems([warm, *unloaded, *loaded]), problems(load_views)
    unloaded_s = statistics.median(view.seconds for view in unloaded)
    loaded_s = statistics.median(view.seconds for view in loaded)
    return {"sessions": sessions, "samples": samples, "viewer_link": viewer_link,
            "unloaded_s": round(unloaded_s, 3), "loaded_s": round(loaded_s, 3),
            "ratio": round(loaded_s / unloaded_s, 2) if unloaded_s > 0 else None,
            "load_runs_finished": sum(view.ok for view in load_views), "load_errors": len(load_problems),
            "errors": len(viewer_problems), "error_examples": (viewer_problems + load_problems)[:3]}


def run(sessions: int, *, scale: str = "m", folder: Path | None = None, link: str | None = None,
        singles: int = 10, say=print) -> dict:
    """Single sessions one after another, then `sessions` at once while a snapshot is published."""
    from dashboard.ingest import ingest
    from bench.server import StreamlitServer
    from bench.snapshots import lab_variant

    if folder is None:
        from bench.run import ensure_synth

        folder = ensure_synth(scale, say=say)
    with tempfile.TemporaryDirectory(prefix="asl-meeting-") as scratch:
        store = Path(scratch) / "meeting.duckdb"
        say(f"publishing {folder} ...")
        ingest(folder, store, progress=lambda _: None, dataset=f"meeting-{scale}")
        link = link or _default_link(store)
        results: dict = {"sessions": sessions, "scale": scale, "link": link}
        with StreamlitServer(store, log_path=Path(scratch) / "streamlit.log") as server:
            pid = server.process.pid
            say(f"warming up: {link}")
            warm = open_link_sync(server.url, link)
            if not warm.ok:
                raise RuntimeError(f"the link does not open cleanly: {warm.problem or warm.errors or warm.exceptions}")
            single_seconds = []
            # The kernel counts CPU time in clock ticks (10 ms, a tenth of a session): the single-session
            # CPU figure is the total over all single sessions divided by their number.
            singles_before = process_cpu_seconds(pid)
            for _ in range(singles):
                view = open_link_sync(server.url, link)
                single_seconds.append(view.seconds)
                if not view.ok:
                    raise RuntimeError(f"a single session failed: {view.problem or view.errors or view.exceptions}")
            single_cpu_s = (process_cpu_seconds(pid) - singles_before) / singles
            say(f"{sessions} sessions at once while a snapshot is published ...")
            published = threading.Event()
            publish_done: list[float] = []

            # A variant of the lab (one policy renamed): the same folder again would publish nothing
            # (an unchanged ingest adds no snapshot), and the point is a swap under the sessions.
            variant = lab_variant(folder, Path(scratch) / "variant")

            def publish() -> None:
                ingest(variant, store, progress=lambda _: None, dataset=f"meeting-{scale}")
                publish_done.append(time.perf_counter() - started)
                published.set()

            async def meeting() -> list[RawView]:
                return await asyncio.gather(*[open_link(server.url, link, source_address=meeting_address(index))
                                              for index in range(sessions)])

            publisher = threading.Thread(target=publish, daemon=True)
            before = process_cpu_seconds(pid)
            started = time.perf_counter()
            publisher.start()
            views = _run_on_own_thread(meeting)
            wall = time.perf_counter() - started
            meeting_cpu = process_cpu_seconds(pid) - before
            publisher.join()
            results["fairness"] = fairness(server.url, store, sessions, samples=singles, say=say)
    errors = [view.problem or "; ".join(view.errors + view.exceptions) for view in views if not view.ok]
    times = [view.seconds for view in views if view.ok]
    single = statistics.median(single_seconds)
    results.update({
        "errors": len(errors), "error_examples": errors[:3], "snapshot_published": published.is_set(),
        "publish_s": round(publish_done[0], 3) if publish_done else None,
        "single_s": round(single, 3), "single_cpu_s": round(single_cpu_s, 3),
        "p50_s": round(_percentile(times, 0.5), 3), "p95_s": round(_percentile(times, 0.95), 3),
        "wall_s": round(wall, 3), "sessions_per_s": round(sessions / wall, 2),
        "cpu_per_session_s": round(meeting_cpu / sessions, 3),
        "cpu_ratio": round((meeting_cpu / sessions) / single_cpu_s, 2) if single_cpu_s > 0 else None,
        "cores": os.cpu_count(),
    })
    return results


def verdicts(results: dict) -> list[tuple[str, str, bool]]:
    fair = results["fairness"]
    return [
        ("errors", f"{results['errors']} (target {TARGETS['errors']})", results["errors"] <= TARGETS["errors"]),
        ("p95", f"{results['p95_s']:.2f} s <= {TARGETS['p95_s']:g} s (p50 {results['p50_s']:.2f} s; "
                f"single session {results['single_s']:.2f} s)", results["p95_s"] <= TARGETS["p95_s"]),
        ("CPU per session", f"{results['cpu_per_session_s']:.3f} s = {results['cpu_ratio']} x single "
                            f"{results['single_cpu_s']:.3f} s (<= {TARGETS['cpu_ratio']:g} x)",
         results["cpu_ratio"] is not None and results["cpu_ratio"] <= TARGETS["cpu_ratio"]),
        ("another viewer", f"{fair['loaded_s']:.2f} s = {fair['ratio']} x unloaded {fair['unloaded_s']:.2f} s "
                           f"(<= {FAIR_RATIO:g} x; {fair['errors']} errors)",
         fair["ratio"] is not None and fair["ratio"] <= FAIR_RATIO and fair["errors"] == 0),
    ]


def report(results: dict) -> str:
    if "configurations" in results:
        return replicas_report(results)
    judged = results["sessions"] >= 40 and results["scale"] == "m"
    lines = [f"Meeting: {results['sessions']} sessions open {results['link']} at once while a snapshot is published "
             f"(scale {results['scale']}, {results['cores']} cores)",
             f"  sessions per second {results['sessions_per_s']} (all done in {results['wall_s']:.2f} s); "
             + (f"the new snapshot was published {results['publish_s']:.2f} s after the sessions opened"
                if results["snapshot_published"] else "the snapshot was NOT published")]
    fair = results["fairness"]
    lines.append(f"  another viewer: the cached overview from {VIEWER_ADDRESS}, median of {fair['samples']}, alone "
                 f"{fair['unloaded_s']:.2f} s, and {fair['loaded_s']:.2f} s while {fair['sessions']} sessions from "
                 f"{LOADING_ADDRESS} ask as-of dates no one asked before ({fair['load_runs_finished']} of their runs "
                 f"finished meanwhile, {fair['load_errors']} failed)")
    if not judged:
        lines.append("  The targets apply at N = 40 on scale m; here they are shown for reference.")
    for name, text, met in verdicts(results):
        lines.append(f"  {name:<16} {text}  {'ok' if met else ('MISSED' if judged else '(not met)')}")
    for example in results["error_examples"] + fair["error_examples"]:
        lines.append(f"  error: {example}")
    return "\n".join(lines)


def json_line(results: dict) -> str:
    return json.dumps(results)


# --- The same meeting through nginx, with R processes and with 1 (bench --meeting N --replicas R) ---

REPLICA_TARGETS = {"errors": 0, "p95_s": 8.0}  # at N = 80, R = 2, scale m, on the 2-core machine
LOGGED_WAIT_S = 60.0  # nginx logs a websocket when it closes: how long to wait for the meeting's lines
SERVE_START_S = 300.0  # N processes starting on a busy machine


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages, as /proc/loadavg gives them."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def tree_cpu_seconds(pid: int) -> float | None:
    """CPU seconds of a process and its children (nginx: the master and its workers); None where the
    kernel does not list a process's children (/proc/PID/task/TID/children)."""
    total = process_cpu_seconds(pid)
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:
            return None
        for child in children:
            try:
                total += process_cpu_seconds(int(child))
            except FileNotFoundError:  # a child that exited since
                pass
    return total


def session_spread(requests: list[dict], process_ports: dict[str, int]) -> dict:
    """From nginx's log lines of a meeting (bench.server.proxied_requests): how many sessions (websockets,
    /_stcore/stream) each process served, the websockets that reached no known process, and the route
    cookies whose requests reached more than one process (a session split: 0 when the sticky rule holds);
    routes: how many route cookies there were (one per session when each sent the cookie its page set)."""
    names = {f"127.0.0.1:{port}": name for name, port in process_ports.items()}
    sessions = {name: 0 for name in process_ports}
    unattributed = 0
    upstreams_of_route: dict[str, set] = {}
    for row in requests:
        upstream = row["upstream"].split(",")[-1].strip()  # after a retry, the last one tried answered
        upstreams_of_route.setdefault(row["route"], set()).add(upstream)
        if row["path"].split("?")[0] == "/_stcore/stream":
            if upstream in names:
                sessions[names[upstream]] += 1
            else:
                unattributed += 1
    return {"sessions": sessions, "unattributed": unattributed,
            "split_routes": sum(len(upstreams) > 1 for upstreams in upstreams_of_route.values()),
            "routes": len(upstreams_of_route)}


def spread_is_even(counts: list[int]) -> bool:
    """Whether sessions spread as evenly as random routes would: every process within two standard
    deviations of an equal share (a binomial count: sqrt(n p (1 - p)) with p = 1 / processes)."""
    total, share = sum(counts), 1 / len(counts)
    deviation = math.sqrt(total * share * (1 - share))
    return all(abs(count - total * share) <= 2 * deviation for count in counts)


def _sessions_at_once(server_url: str, link: str, sessions: int, pids: dict) -> tuple[list[RawView], float, dict, float]:
    """`sessions` people open `link` at once through the proxy, each from an address of their own: what
    each got, the wall time, each process's CPU time meanwhile, and the clients' own CPU time (they
    share this machine's cores with the server)."""
    client_cpu: list[float] = []

    async def meeting() -> list[RawView]:
        client_started = time.thread_time()
        views = await asyncio.gather(*[open_link(server_url, link, source_address=meeting_address(index),
                                                 page_first=True) for index in range(sessions)])
        client_cpu.append(time.thread_time() - client_started)
        return views

    cpu_before = {name: process_cpu_seconds(pid) for name, pid in pids.items()}
    started = time.perf_counter()
    views = _run_on_own_thread(meeting)
    wall = time.perf_counter() - started
    cpu = {name: process_cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
    return views, wall, cpu, client_cpu[0]


def _meeting_figures(views: list[RawView], wall: float, cpu_seconds: float) -> dict:
    """Errors (with up to three examples), p50 and p95 of the finished sessions, wall time and CPU per session."""
    errors = [view.problem or "; ".join(view.errors + view.exceptions) for view in views if not view.ok]
    times = [view.seconds for view in views if view.ok]
    return {"errors": len(errors), "error_examples": errors[:3],
            "p50_s": round(_percentile(times, 0.5), 3), "p95_s": round(_percentile(times, 0.95), 3),
            "wall_s": round(wall, 3), "cpu_per_session_s": round(cpu_seconds / len(views), 3)}


def _proxied_meeting(store: Path, replicas: int, sessions: int, link: str, variant: Path, scale: str,
                     log_path: Path, say, next_variant: Path | None = None) -> dict:
    """`sessions` open `link` through nginx in front of `replicas` processes while `variant` is published;
    then, with next_variant, the same just after next_variant was published (no process has drawn the
    link on that snapshot yet: every view is made anew, in each process)."""
    from bench.server import ReplicatedServer
    from dashboard.ingest import ingest

    load_before = loadavg()
    with ReplicatedServer(store, replicas, log_path, start_timeout=SERVE_START_S) as server:
        processes = server.processes()
        ports = {f"process {number} 127.0.0.1:{port}": port for number, (port, _pid) in sorted(processes.items())}
        pids = {f"process {number} 127.0.0.1:{port}": pid for number, (port, pid) in sorted(processes.items())}
        for name, port in ports.items():  # every process warmed alike, on its own port
            warm = open_link_sync(f"http://127.0.0.1:{port}", link)
            if not warm.ok:
                raise RuntimeError(f"the link does not open cleanly on {name}: "
                                   f"{warm.problem or warm.errors or warm.exceptions}")
        nginx_pid = server.nginx_pid()
        logged_before = len(server.requests())
        say(f"{sessions} sessions through nginx to {replicas} process(es) while a snapshot is published ...")
        published = threading.Event()
        publish_done: list[float] = []

        def publish() -> None:
            ingest(variant, store, progress=lambda _: None, dataset=f"meeting-{scale}")
            publish_done.append(time.perf_counter() - started)
            published.set()

        publisher = threading.Thread(target=publish, daemon=True)
        nginx_before = tree_cpu_seconds(nginx_pid) if nginx_pid else None
        started = time.perf_counter()
        publisher.start()
        views, wall, cpu, client_cpu = _sessions_at_once(server.url, link, sessions, pids)
        nginx_after = tree_cpu_seconds(nginx_pid) if nginx_before is not None else None
        nginx_cpu = nginx_after - nginx_before if nginx_after is not None else None
        publisher.join()
        restarted = server.processes() != processes
        reached_websocket = sum(not view.problem.startswith("page:") for view in views)
        deadline = time.monotonic() + LOGGED_WAIT_S
        while True:
            rows = server.requests()[logged_before:]
            if sum(row["path"] == "/_stcore/stream" for row in rows) >= reached_websocket or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        after_snapshot = None
        if next_variant is not None:
            say(f"{sessions} sessions through nginx to {replicas} process(es) just after a new snapshot ...")
            began = time.perf_counter()
            ingest(next_variant, store, progress=lambda _: None, dataset=f"meeting-{scale}")
            publish_seconds = time.perf_counter() - began
            after_views, after_wall, after_cpu, _ = _sessions_at_once(server.url, link, sessions, pids)
            after_snapshot = {**_meeting_figures(after_views, after_wall, sum(after_cpu.values())),
                              "publish_s": round(publish_seconds, 3)}
            restarted = restarted or server.processes() != processes
    spread = session_spread(rows, ports)
    total_cpu = sum(cpu.values())
    return {
        "replicas": replicas, **_meeting_figures(views, wall, total_cpu),
        "page_p95_s": round(_percentile([view.page_seconds for view in views if view.ok], 0.95), 3),
        "sessions_per_s": round(sessions / wall, 2), "cpu_s": round(total_cpu, 2),
        "cores_used": round(total_cpu / wall, 2), "client_cpu_s": round(client_cpu, 2),
        "process_cpu_s": {name: round(seconds, 2) for name, seconds in cpu.items()},
        "nginx_cpu_s": round(nginx_cpu, 2) if nginx_cpu is not None else None,
        "spread": spread["sessions"], "unattributed": spread["unattributed"], "split_routes": spread["split_routes"],
        "routes": spread["routes"], "requests_logged": len(rows),
        "spread_even": spread_is_even(list(spread["sessions"].values())),
        "clients": len({row["client"] for row in rows}), "restarted": restarted,
        "snapshot_published": published.is_set(), "publish_s": round(publish_done[0], 3) if publish_done else None,
        "loadavg_before": load_before, "loadavg_after": loadavg(), "after_snapshot": after_snapshot,
    }


def run_replicas(sessions: int, replicas: int, *, scale: str = "m", folder: Path | None = None,
                 link: str | None = None, say=print) -> dict:
    """The meeting through nginx (serve --replicas) with `replicas` processes, then the same through
    nginx with 1 process, each on a store of its own published from the same folder."""
    from bench.snapshots import lab_variant
    from dashboard.ingest import ingest
    from dashboard.proxy import find_nginx

    find_nginx()  # ProxyError (one line) before anything is built
    if folder is None:
        from bench.run import ensure_synth

        folder = ensure_synth(scale, say=say)
    configurations = []
    with tempfile.TemporaryDirectory(prefix="asl-meeting-") as scratch:
        variant = lab_variant(folder, Path(scratch) / "variant")
        next_variant = lab_variant(variant, Path(scratch) / "next-variant")  # new content after the variant
        for count in dict.fromkeys((replicas, 1)):
            store = Path(scratch) / f"replicas-{count}" / "meeting.duckdb"
            store.parent.mkdir()
            say(f"publishing {folder} ...")
            ingest(folder, store, progress=lambda _: None, dataset=f"meeting-{scale}")
            link = link or _default_link(store)
            configurations.append(_proxied_meeting(store, count, sessions, link, variant, scale,
                                                   Path(scratch) / f"serve-{count}.log", say, next_variant))
    results = {"sessions": sessions, "scale": scale, "link": link, "replicas": replicas, "cores": os.cpu_count(),
               "configurations": configurations}
    if len(configurations) == 2:
        many, one = configurations
        results["ratios"] = {key: round(many[key] / one[key], 2) if one[key] else None
                             for key in ("p50_s", "p95_s", "sessions_per_s", "cpu_per_session_s")}
    return results


def replicas_verdicts(results: dict) -> list[tuple[str, str, bool]]:
    """The R processes judged, in the meeting during a publish and, when measured, just after one."""
    measured = results["configurations"][0]
    rows = [
        ("errors", f"{measured['errors']} (target {REPLICA_TARGETS['errors']})",
         measured["errors"] <= REPLICA_TARGETS["errors"]),
        ("p95", f"{measured['p95_s']:.2f} s <= {REPLICA_TARGETS['p95_s']:g} s (p50 {measured['p50_s']:.2f} s)",
         measured["p95_s"] <= REPLICA_TARGETS["p95_s"]),
    ]
    after = measured.get("after_snapshot")
    if after:
        rows += [
            ("errors after", f"{after['errors']} just after a new snapshot (target {REPLICA_TARGETS['errors']})",
             after["errors"] <= REPLICA_TARGETS["errors"]),
            ("p95 after", f"{after['p95_s']:.2f} s <= {REPLICA_TARGETS['p95_s']:g} s just after a new snapshot "
                          f"(p50 {after['p50_s']:.2f} s)", after["p95_s"] <= REPLICA_TARGETS["p95_s"]),
        ]
    return rows


def _configuration_lines(configuration: dict, sessions: int, cores: int) -> list[str]:
    count = configuration["replicas"]
    spread = configuration["spread"]
    per_process = ", ".join(f"{name.rsplit(' ', 1)[0]}: {spread[name]} ({configuration['process_cpu_s'][name]:.2f} s CPU)"
                            for name in spread)
    nginx = f"; nginx {configuration['nginx_cpu_s']:.2f} s" if configuration["nginx_cpu_s"] is not None else ""
    lines = [f"  {count} process{'es' if count > 1 else ''}: {configuration['errors']} errors; p50 "
             f"{configuration['p50_s']:.2f} s, p95 {configuration['p95_s']:.2f} s (the page's own request p95 "
             f"{configuration['page_p95_s']:.2f} s); all {sessions} done in {configuration['wall_s']:.2f} s "
             f"({configuration['sessions_per_s']} per second)",
             f"    server CPU {configuration['cpu_s']:.2f} s = {configuration['cpu_per_session_s']:.3f} s per session "
             f"(summed over the processes{nginx}): {configuration['cores_used']:.2f} of the {cores} cores on average; "
             f"the clients themselves {configuration['client_cpu_s']:.2f} s",
             f"    sessions per process (nginx's log: upstream of each websocket): {per_process}; "
             + ("even" if configuration["spread_even"] else "NOT even")
             + f" (as random routes would spread: each within 2 standard deviations of {sessions / count:g})",
             f"    {configuration['routes']} route cookies in {configuration['requests_logged']} requests, "
             f"{configuration['split_routes']} of them split across processes, "
             f"{configuration['unattributed']} websockets unattributed, {configuration['clients']} client addresses "
             f"seen by nginx; " + ("a process was RESTARTED during the run; " if configuration["restarted"] else "")
             + (f"the new snapshot was published {configuration['publish_s']:.2f} s after the sessions opened"
                if configuration["snapshot_published"] else "the snapshot was NOT published"),
             f"    load average (1, 5, 15 min) {configuration['loadavg_before']} before, {configuration['loadavg_after']} after"]
    after = configuration.get("after_snapshot")
    if after:
        lines.append(f"    just after a new snapshot (published in {after['publish_s']:.2f} s before the sessions opened, "
                     f"drawn by no process yet): {after['errors']} errors; p50 {after['p50_s']:.2f} s, p95 "
                     f"{after['p95_s']:.2f} s; all {sessions} done in {after['wall_s']:.2f} s; server CPU "
                     f"{after['cpu_per_session_s']:.3f} s per session")
    return lines


def replicas_report(results: dict) -> str:
    sessions, replicas = results["sessions"], results["replicas"]
    judged = sessions >= 80 and results["scale"] == "m" and replicas >= 2
    lines = [f"Meeting through nginx: {sessions} sessions open {results['link']} at once while a snapshot is "
             f"published (scale {results['scale']}, {results['cores']} cores); each session asks for the page "
             f"(the proxy's route cookie), then opens its websocket with it, timed together"]
    for configuration in results["configurations"]:
        lines += _configuration_lines(configuration, sessions, results["cores"])
    ratios = results.get("ratios")
    if ratios:
        lines.append(f"  {replicas} processes against 1 (both through nginx, same run): p50 {ratios['p50_s']} x, "
                     f"p95 {ratios['p95_s']} x, sessions per second {ratios['sessions_per_s']} x, "
                     f"CPU per session {ratios['cpu_per_session_s']} x")
    if not judged:
        lines.append("  The targets apply at N = 80 with 2 or more processes on scale m; here they are shown for reference.")
    for name, text, met in replicas_verdicts(results):
        lines.append(f"  {name:<16} {text}  {'ok' if met else ('MISSED' if judged else '(not met)')}")
    for configuration in results["configurations"]:
        after = configuration.get("after_snapshot") or {"error_examples": []}
        for example in configuration["error_examples"] + after["error_examples"]:
            lines.append(f"  error ({configuration['replicas']} process(es)): {example}")
    return "\n".join(lines)
