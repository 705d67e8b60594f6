"""The command line run in-process (`dashboard.cli.main`), as a person's shell would see it: exit
status, standard output and standard error. Tests where a separate process is the point (a killed
ingest, two ingests at once, the console script itself) start one instead."""
from __future__ import annotations

import io
import subprocess
from contextlib import redirect_stderr, redirect_stdout

import pytest

from dashboard import cli


def run_cli(*args: str, env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """`asl-dashboard ARGS` with the environment changed by env for the run (None unsets a variable)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
        for name, value in (env or {}).items():
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        try:
            code = cli.main([str(arg) for arg in args])
        except SystemExit as exit:  # argparse's usage errors
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    return subprocess.CompletedProcess(["asl-dashboard", *map(str, args)], code, out.getvalue(), err.getvalue())
