"""nginx in front of several dashboard processes, on one machine (`asl-dashboard serve --replicas N`).

The proxying rules themselves live once, in deploy/nginx/ (the files a lab installs in Debian's
nginx): this module writes only the parts that differ per run (where nginx listens, the processes'
ports, its own working folder) around `include`s of those files.
"""
from __future__ import annotations

import ipaddress
import os
import re
import shutil
from pathlib import Path

from dashboard.sqlfiles import REPO_ROOT

NGINX_RULES = REPO_ROOT / "deploy" / "nginx"
ROUTING_RULES = NGINX_RULES / "asl-dashboard-routing.conf"
LOCATION_RULES = NGINX_RULES / "asl-dashboard-location.conf"
_NGINX_PLACES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
# A path written into nginx's configuration: no quote, backslash, $ (a variable), ; or braces.
_SAFE_PATH = re.compile(r"[^\"'\\$;{}\x00-\x1f]+")
_TEMP_FOLDERS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


class ProxyError(RuntimeError):
    """nginx cannot be used as asked; the message is one line for people."""


def find_nginx() -> str:
    """nginx's path (on PATH, or where Debian puts it: /usr/sbin is not on every user's PATH)."""
    found = shutil.which("nginx") or next((place for place in _NGINX_PLACES if os.access(place, os.X_OK)), None)
    if not found:
        raise ProxyError("nginx is not installed: --replicas runs the processes behind nginx "
                         "(Debian: apt-get install nginx-light, or nginx)")
    return found


def listen_directive(address: str, port: int) -> str:
    """nginx's `listen` value for the address serve was given (an IP address or localhost)."""
    if address == "localhost":
        return f"localhost:{port}"
    try:
        parsed = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        raise ProxyError(f"--address must be an IP address or localhost with --replicas, not {address[:100]!r}") from None
    return f"[{parsed}]:{port}" if parsed.version == 6 else f"{parsed}:{port}"


def _quoted(path: Path) -> str:
    text = str(path)
    if not _SAFE_PATH.fullmatch(text):
        raise ProxyError(f"nginx cannot be given the path {text[:200]!r}: it holds a quote, $, ; or a brace")
    return f'"{text}"'


def nginx_config(*, address: str, port: int, process_ports: list[int], work_dir: Path, worker_user: str | None) -> str:
    """A whole nginx.conf: listen on address:port, spread sessions over the processes on 127.0.0.1."""
    if not process_ports:
        raise ProxyError("no dashboard process to put behind nginx")
    temp = "\n".join(f"    {name}_temp_path {_quoted(work_dir / name)};" for name in _TEMP_FOLDERS)
    servers = "\n".join(f"        server 127.0.0.1:{int(process_port)} max_fails=1 fail_timeout=10s;"
                        for process_port in process_ports)
    user = f"user {worker_user};\n" if worker_user else ""
    return f"""# Written by asl-dashboard serve --replicas; the rules are in {NGINX_RULES}.
{user}worker_processes 1;
daemon off;
pid {_quoted(work_dir / "nginx.pid")};
error_log stderr warn;
events {{
    worker_connections 4096;
}}
http {{
{temp}
    include {_quoted(ROUTING_RULES)};
    access_log /dev/stdout asl_dashboard;
    upstream asl_dashboard {{
        hash $asl_route consistent;
{servers}
    }}
    server {{
        listen {listen_directive(address, port)};
        location / {{
            include {_quoted(LOCATION_RULES)};
        }}
    }}
}}
"""


def prepare_work_dir(work_dir: Path, worker_uid: int | None) -> None:
    """nginx's temporary folders, writable by its worker processes (another user when run as root)."""
    for name in _TEMP_FOLDERS:
        folder = work_dir / name
        folder.mkdir(mode=0o700, exist_ok=True)
        if worker_uid is not None:
            os.chown(folder, worker_uid, -1)
