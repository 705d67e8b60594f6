"""Start and stop a real `streamlit run` server (tests, screenshots, benchmarks)."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from dashboard.sqlfiles import REPO_ROOT

APP = REPO_ROOT / "dashboard" / "asgi.py"  # the pages of dashboard/app.py, warmed at start


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until a `streamlit run` server at url answers its health check; RuntimeError if the
    process exits first or the timeout passes."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"streamlit did not become healthy within {timeout:g} s")
        time.sleep(0.3)


class StreamlitServer:
    """`streamlit run dashboard/asgi.py` (or another entry script) on a free loopback port, with ASL_STORE set."""

    def __init__(self, store: Path, port: int | None = None, extra_env: dict | None = None, log_path: Path | None = None,
                 cwd: Path | None = None, host: str = "127.0.0.1", app: Path = APP, start_timeout: float = 60):
        self.store = Path(store)
        self.app = Path(app)
        self.port = port or free_port()
        self.url = f"http://{host}:{self.port}"
        self.cwd = cwd or REPO_ROOT  # Streamlit reads .streamlit/ (config, secrets) from here
        self.extra_env = extra_env or {}
        self.log_path = log_path
        self.start_timeout = start_timeout  # seconds to become healthy
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "StreamlitServer":
        env = dict(os.environ, ASL_STORE=str(self.store), **self.extra_env)
        log = open(self.log_path, "w") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(self.app), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=self.cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_healthy(self.url, self.process, self.start_timeout)
        except RuntimeError:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def chromium_path(*, headless_shell: bool = False) -> str | None:
    """Debian's Chromium ($CHROMIUM first). headless_shell: Debian's chromium-headless-shell where it is
    installed, the headless-only build of the same Chromium that Playwright itself runs headless tests
    on; it costs the test suite about a fifth less of Chromium's CPU. The benchmarks and screenshots
    keep the full browser, so their figures compare with earlier ones."""
    shell = ["/usr/bin/chromium-headless-shell"] if headless_shell else []
    for candidate in (os.environ.get("CHROMIUM"), *shell, "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def wait_for_app(page, timeout_ms: float | None = None) -> None:
    """Wait like Streamlit's own e2e harness: the app is connected and the script has finished.
    timeout_ms None: the page's default timeout (Playwright's 30 s unless its context sets another)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)
    # Elements whose code is still loading are drawn as skeletons: wait until every one is drawn.
    page.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton]')", timeout=timeout_ms)


_STARTED = re.compile(r"^(process (\d+) 127\.0\.0\.1:(\d+)) started \(pid (\d+)\)$")
_NGINX_STARTED = re.compile(r"^nginx \S+ started \(pid (\d+)\)$")
_PROXIED = re.compile(r"^\[nginx [^\]]+\] \S+ (\S+) \"(\S+) (\S+) [^\"]*\" (\d+) \d+ upstream=(.+?) route=(\S+) ")


class ReplicatedServer:
    """`asl-dashboard serve --replicas N`: N dashboard processes behind nginx on a free loopback port.

    Its output (every process's and nginx's lines, and serve's own) goes to log_path, which this reads
    for the processes' ports and pids and for which process served each request."""

    def __init__(self, store: Path, replicas: int, log_path: Path, port: int | None = None,
                 extra_env: dict | None = None, host: str = "127.0.0.1", start_timeout: float = 120):
        self.store = Path(store)
        self.replicas = replicas
        self.log_path = Path(log_path)
        self.port = port or free_port()
        self.url = f"http://{host}:{self.port}"
        self.extra_env = extra_env or {}
        self.start_timeout = start_timeout
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "ReplicatedServer":
        env = dict(os.environ, **self.extra_env)
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "dashboard", "serve", "--store", str(self.store), "--port", str(self.port),
                 "--replicas", str(self.replicas)], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.start_timeout
        while "Serving on" not in self.log():
            if self.process.poll() is not None:
                raise RuntimeError(f"serve --replicas exited with {self.process.returncode}: {self.log()[-2000:]}")
            if time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"serve --replicas did not start within {self.start_timeout:g} s")
            time.sleep(0.3)
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def processes(self) -> dict[int, tuple[int, int]]:
        """process number -> (port, pid of its latest start)."""
        found = {}
        for line in self.log().splitlines():
            match = _STARTED.match(line)
            if match:
                found[int(match.group(2))] = (int(match.group(3)), int(match.group(4)))
        return found

    def requests(self) -> list[dict]:
        """Every request nginx logged so far (proxied_requests)."""
        return proxied_requests(self.log())

    def nginx_pid(self) -> int | None:
        """The pid of nginx's master process (its workers are its children)."""
        found = [int(match.group(1)) for match in map(_NGINX_STARTED.match, self.log().splitlines()) if match]
        return found[-1] if found else None


def proxied_requests(log_text: str) -> list[dict]:
    """Every request in serve --replicas's output that nginx logged: client address, method, path, status, upstream
    (ip:port of the process that answered; after a retry nginx lists every one it tried, the last
    answered), route cookie."""
    rows = []
    for line in log_text.splitlines():
        match = _PROXIED.match(line)
        if match:
            client, method, path, status, upstream, route = match.groups()
            rows.append({"client": client, "method": method, "path": path, "status": int(status), "upstream": upstream, "route": route})
    return rows
