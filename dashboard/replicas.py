"""N dashboard processes and nginx in front of them, started and stopped as one (serve --replicas).

Each process is a `streamlit run` on a free loopback port; nginx listens where serve was asked to and
keeps each browser's session on one process (deploy/nginx/). Every line a process or nginx prints is
passed on with the name of who printed it, so the log says which process served what. A process that
exits is started again on its port (its viewers reconnect to another process meanwhile); when serve is
stopped (Ctrl-C, SIGTERM, SIGHUP) every process and nginx are stopped, and their folder removed.
"""
from __future__ import annotations

import ctypes
import grp
import os
import pwd
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.proxy import ProxyError, find_nginx, nginx_config, prepare_work_dir

START_TIMEOUT_S = 120.0  # a process that has not answered its health check by then: serve gives up
STOP_TIMEOUT_S = 10.0  # after SIGTERM, how long a process gets before SIGKILL
RESTART_PAUSE_S = 2.0  # between a process's exit and its restart (no busy loop on a crash at start)
_PR_SET_PDEATHSIG = 1


def free_loopback_ports(count: int) -> list[int]:
    """count distinct ports free on 127.0.0.1 now (the sockets are held until all are chosen)."""
    sockets = []
    try:
        for _ in range(count):
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            sockets.append(probe)
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def _die_with_parent() -> None:
    # Runs in the child before exec: if serve itself is killed (SIGKILL), the kernel stops the child.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def _relay(stream, name: str, out) -> None:
    for raw in iter(stream.readline, b""):
        text = raw.decode("utf-8", "replace").rstrip()
        if not text:
            continue
        out.write(f"[{name}] {text}\n")
        out.flush()
    stream.close()


@dataclass
class Child:
    name: str
    command: list[str]
    env: dict
    cwd: Path
    out: object
    say: object
    process: subprocess.Popen | None = None
    exited_at: float | None = None
    relays: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                                        preexec_fn=_die_with_parent)
        relay = threading.Thread(target=_relay, args=(self.process.stdout, self.name, self.out), daemon=True)
        relay.start()
        self.relays.append(relay)
        self.exited_at = None
        self.say(f"{self.name} started (pid {self.process.pid})")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, number: int) -> None:
        if self.alive():
            try:
                os.killpg(self.process.pid, number)
            except ProcessLookupError:
                pass


def stop_all(children: list[Child], timeout_s: float = STOP_TIMEOUT_S) -> None:
    for child in children:
        child.signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for child in children:
        if child.process is None:
            continue
        try:
            child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.signal(signal.SIGKILL)
            child.process.wait()
    for child in children:
        for relay in child.relays:
            relay.join(timeout=1.0)


def healthy(port: int) -> bool:
    """Whether the dashboard process on 127.0.0.1:port answers its health check."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def _wait_until(condition, children: list[Child], what: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        dead = [child for child in children if not child.alive()]
        if dead:
            raise ProxyError(f"{dead[0].name} exited (status {dead[0].process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise ProxyError(f"{what} did not happen within {timeout_s:.0f} s")
        time.sleep(0.2)


def _worker_user() -> tuple[str | None, int | None]:
    """nginx run as root hands its workers to an unprivileged user; otherwise they run as we do."""
    if os.geteuid() != 0:
        return None, None
    account = pwd.getpwnam("nobody")
    return f"nobody {grp.getgrgid(account.pw_gid).gr_name}", account.pw_uid


class _Stop(Exception):
    pass


def serve_replicas(*, count: int, address: str, port: int, process_command, env: dict, cwd: Path,
                   say=print, out=sys.stdout) -> int:
    """Run count processes (process_command(port) -> argv) and nginx on address:port until stopped."""
    nginx = find_nginx()
    ports = free_loopback_ports(count)
    work_dir = Path(tempfile.mkdtemp(prefix="asl-proxy-"))
    user, uid = _worker_user()
    if uid is not None:
        os.chmod(work_dir, 0o755)
    prepare_work_dir(work_dir, uid)
    config = work_dir / "nginx.conf"
    config.write_text(nginx_config(address=address, port=port, process_ports=ports, work_dir=work_dir,
                                   worker_user=user), encoding="utf-8")
    processes = [Child(f"process {index + 1} 127.0.0.1:{process_port}", process_command(process_port), env, cwd, out, say)
                 for index, process_port in enumerate(ports)]
    proxy = Child(f"nginx {address}:{port}", [nginx, "-c", str(config), "-p", str(work_dir)], env, cwd, out, say)
    children = processes + [proxy]
    stopping = threading.Event()

    def stop(signum, frame):
        stopping.set()
        raise _Stop()

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        checked = subprocess.run([nginx, "-t", "-q", "-c", str(config), "-p", str(work_dir)],
                                 capture_output=True, text=True, timeout=30)
        if checked.returncode != 0:
            lines = checked.stderr.strip().splitlines() or ["(no message)"]
            raise ProxyError("nginx refused its configuration: " + next((line for line in lines if "[emerg]" in line), lines[0]))
        for child in processes:
            child.start()
        for child, process_port in zip(processes, ports):
            _wait_until(lambda: healthy(process_port), processes, f"{child.name} answered", START_TIMEOUT_S)
        proxy.start()
        _wait_until(lambda: _listening_on(address, port), children, "nginx listened", START_TIMEOUT_S)
        say(f"Serving on http://{_url_host(address)}:{port}/ : {count} dashboard processes "
            f"(127.0.0.1:{', '.join(map(str, ports))}) behind nginx. Ctrl-C stops all of them.")
        return _supervise(processes, proxy, stopping, say)
    except _Stop:
        return 0
    except ProxyError as error:
        say(f"error: {error}")
        return 1
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        stop_all(children)
        for path in sorted(work_dir.rglob("*"), reverse=True):
            (path.rmdir if path.is_dir() else path.unlink)()
        work_dir.rmdir()


def _supervise(processes: list[Child], proxy: Child, stopping: threading.Event, say) -> int:
    while not stopping.is_set():
        if not proxy.alive():
            say(f"error: nginx exited (status {proxy.process.returncode}): stopping the dashboard processes")
            return 1
        now = time.monotonic()
        for child in processes:
            if child.alive():
                continue
            if child.exited_at is None:
                child.exited_at = now
                say(f"{child.name} exited (status {child.process.returncode}): its viewers reconnect to another "
                    f"process; starting it again")
            elif now - child.exited_at >= RESTART_PAUSE_S:
                child.start()
        time.sleep(0.2)
    return 0


def _url_host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def _listening_on(address: str, port: int) -> bool:
    host = "127.0.0.1" if address in ("0.0.0.0", "localhost") else ("::1" if address == "::" else address.strip("[]"))
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False
