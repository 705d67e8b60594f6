"""`asl-dashboard serve`: start the dashboard (streamlit run) on the store."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from dashboard import settings
from dashboard import store as store_module
from dashboard.auth import audit_log_path, audit_log_problem, is_loopback, serve_allowed_hosts, sign_in_configured_in
from dashboard.cli.common import print_err, replica_count, store_option
from dashboard.ingest import ensure_store
from dashboard.proxy import ProxyError, find_nginx, listen_directive
from dashboard.replicas import serve_replicas
from dashboard.sqlfiles import REPO_ROOT

APP = REPO_ROOT / "dashboard" / "asgi.py"  # the pages of dashboard/app.py, warmed at start


def register(commands) -> None:
    parser = commands.add_parser("serve", help="start the dashboard (streamlit run) on the store")
    store_option(parser)
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--insecure-allow-anyone", action="store_true",
                        help="serve on a non-loopback address without sign-in (anyone who can reach it sees everything)")
    parser.add_argument("--single-user", action="store_true",
                        help="without sign-in, let the pages write reviews, recorded as the operating-system user "
                             "(os:<user>); only on a loopback address, for one person on this machine")
    parser.add_argument("--replicas", type=replica_count, metavar="N",
                        help="run N dashboard processes on free loopback ports behind nginx listening on "
                             "--address:--port (sessions stay on one process); needs nginx")
    parser.set_defaults(handler=run)


def run(args) -> int:
    settings.public_url_required()  # an invalid ASL_PUBLIC_URL is refused at start, in one line

    repo_root = REPO_ROOT  # Streamlit runs there, reading its .streamlit/
    secrets = [Path.home() / ".streamlit" / "secrets.toml", repo_root / ".streamlit" / "secrets.toml"]
    signed_in = sign_in_configured_in(secrets)
    if not is_loopback(args.address) and not signed_in and not args.insecure_allow_anyone:
        print_err(f"error: refusing to serve on {args.address} without sign-in: configure [auth] in "
                  ".streamlit/secrets.toml (see secrets.example.toml), or pass --insecure-allow-anyone")
        return 2
    if args.single_user and (signed_in or args.insecure_allow_anyone or not is_loopback(args.address)):
        why = ("sign-in is configured: reviews are recorded as the signed-in person" if signed_in else
               "anyone who can reach this server would write reviews as you")
        print_err(f"error: --single-user is for one person on this machine, without sign-in ({why})")
        return 2
    env = settings.child_environment()
    env.pop(settings.SINGLE_USER, None)  # writing reviews without sign-in: only when asked for here
    if env.get("ASL_AUDIT_LOG"):  # relative to where serve was started, not to repo_root
        env["ASL_AUDIT_LOG"] = str(Path(env["ASL_AUDIT_LOG"]).expanduser().resolve())
    audit_log = Path(env.get("ASL_AUDIT_LOG") or audit_log_path())
    problem = audit_log_problem(audit_log)
    if problem:  # a server started now would record no view
        print_err(f"error: the audit log {audit_log} cannot be written ({problem}): make its folder writable, "
                  "or point ASL_AUDIT_LOG at a writable file")
        return 2
    store = store_module.store_path(args.store)
    ensure_store(store, say=print_err)
    env["ASL_STORE"] = str(store)
    if args.insecure_allow_anyone:
        env["ASL_INSECURE_ALLOW_ANYONE"] = "1"
    if args.single_user:
        env[settings.SINGLE_USER] = "1"
    hosts = serve_allowed_hosts(args.address, secrets, open_mode=not signed_in and args.insecure_allow_anyone)

    def command(address: str, port: int) -> list[str]:
        argv = [sys.executable, "-m", "streamlit", "run", str(APP),
                "--server.address", address, "--server.port", str(port)]
        for host in hosts:
            argv += ["--server.allowedHosts", host]  # DNS rebinding: the websocket refuses any other Host
        return argv

    if args.replicas:
        try:
            find_nginx()
            listen_directive(args.address, args.port)
        except ProxyError as error:
            print_err(f"error: {error}")
            return 2
        return serve_replicas(count=args.replicas, address=args.address, port=args.port,
                              process_command=lambda port: command("127.0.0.1", port), env=env, cwd=repo_root,
                              say=print_err)
    # Become the server rather than wait for it: a signal sent to this process (SIGTERM from a
    # service manager, kill <pid>) then reaches Streamlit itself and no server outlives `serve`,
    # and its exit status is the command's.
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(repo_root)
    os.execve(sys.executable, command(args.address, args.port), env)
