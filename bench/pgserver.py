"""A throwaway PostgreSQL server for the tests and the postgres benchmark (never part of the product).

It runs Debian's PostgreSQL binaries (`initdb`, `pg_ctl`; scripts/test.sh installs the `postgresql`
package where they are missing) on a data folder in a fresh temporary directory, listening on
127.0.0.1 only, on a free port, without a Unix socket. PostgreSQL refuses to run as root: when the
tests run as root the server runs as the unprivileged user `nobody` (via `runuser`), and the
temporary directory belongs to that user. Connections over TCP need a password (scram-sha-256).

    with PostgresServer() as server:
        server.execute("CREATE SCHEMA lab")
        server.load_folder(Path("data/demo"), "lab")
        url = server.url(schema="lab")   # postgresql://postgres@127.0.0.1:PORT/postgres?schema=lab
        # the password is server.password (give it through PGPASSWORD)
"""
from __future__ import annotations

import csv
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHEMA_SQL = HERE / "pg_lab_schema.sql"
RUN_AS = "nobody"


def find_bin(name: str) -> str | None:
    """A PostgreSQL server program on PATH, or in Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda path: int(Path(path).parent.parent.name) if Path(path).parent.parent.name.isdigit() else 0)
    return candidates[-1] if candidates else None


def available() -> bool:
    return find_bin("initdb") is not None and find_bin("pg_ctl") is not None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    superuser = "postgres"
    database = "postgres"

    def __init__(self, settings: dict[str, str] | None = None):
        self.password = "pw-" + secrets.token_hex(8)
        self.port = free_port()
        self.settings = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
                         "TimeZone": "UTC", "max_connections": "20", **(settings or {})}
        self.root: Path | None = None
        self._started = False

    # -- running programs as the server's user ------------------------------------------------

    def _as_user(self, command: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return command
        return ["runuser", "-u", RUN_AS, "--", *command]

    def _run(self, command: list[str]) -> None:
        result = subprocess.run(self._as_user(command), capture_output=True, text=True, cwd=self.root)
        if result.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")

    def start(self) -> "PostgresServer":
        initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        if initdb is None or pg_ctl is None:
            raise RuntimeError("PostgreSQL's initdb/pg_ctl not found (apt-get install postgresql)")
        self.root = Path(tempfile.mkdtemp(prefix="asl-pg-", dir="/tmp"))
        if os.geteuid() == 0:
            user = pwd.getpwnam(RUN_AS)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        password_file = self.root / "pwfile"
        password_file.write_text(self.password + "\n")
        if os.geteuid() == 0:
            os.chown(password_file, pwd.getpwnam(RUN_AS).pw_uid, -1)
        self._run([initdb, "-D", str(self.root / "data"), "-U", self.superuser, "--pwfile", str(password_file),
                   "--auth-host=scram-sha-256", "--auth-local=trust", "--encoding=UTF8", "--locale=C.UTF-8",
                   "--no-sync"])
        password_file.unlink()
        options = " ".join(["-p", str(self.port), "-h", "127.0.0.1", "-k", "''"]
                           + [f"-c {name}={value}" for name, value in self.settings.items()])
        self._run([pg_ctl, "-D", str(self.root / "data"), "-l", str(self.root / "server.log"), "-o", options,
                   "-w", "-t", "60", "start"])
        self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            self._started = False
            try:
                self._run([find_bin("pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop"])
            except RuntimeError:
                pass
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def log(self) -> str:
        path = self.root / "server.log" if self.root else None
        return path.read_text(errors="replace") if path and path.exists() else ""

    # -- connecting -----------------------------------------------------------------------------

    def url(self, schema: str | None = None, user: str | None = None, password: str | None = None,
            port: int | None = None) -> str:
        who = user or self.superuser
        if password:
            who += ":" + password
        query = f"?schema={schema}" if schema else ""
        return f"postgresql://{who}@127.0.0.1:{port or self.port}/{self.database}{query}"

    def shown_url(self, schema: str | None = None, port: int | None = None) -> str:
        """The URL as the ingest prints and records it: without user-info."""
        query = f"?schema={schema}" if schema else ""
        return f"postgresql://127.0.0.1:{port or self.port}/{self.database}{query}"

    def connect(self, autocommit: bool = True):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.superuser, password=self.password,
                               dbname=self.database, autocommit=autocommit)

    def execute(self, sql: str, params=None) -> None:
        with self.connect() as con:
            con.execute(sql, params)

    # -- loading an input folder ------------------------------------------------------------------

    def load_folder(self, folder: Path, schema: str, *, typed: bool = True) -> dict[str, int]:
        """Create the contract's tables in schema and COPY each CSV (or Parquet) file of folder into them.

        typed: columns get PostgreSQL types as a lab's database would have them (dates, timestamps with
        zone, double precision, bigint, boolean), from bench/pg_lab_schema.sql; otherwise every
        column is text, as in the files (so broken values can be stored and refused by the ingest).
        """
        from psycopg import sql

        from dashboard.tables import TABLES

        counts = {}
        with self.connect() as con:
            con.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            con.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
            if typed:
                con.execute(SCHEMA_SQL.read_text())
            for spec in TABLES:
                csv_path, parquet_path = folder / f"{spec.name}.csv", folder / f"{spec.name}.parquet"
                if not typed:
                    con.execute(sql.SQL("CREATE TABLE {} ({})").format(
                        sql.Identifier(spec.name),
                        sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in spec.columns)))
                if not csv_path.exists() and not parquet_path.exists():
                    if typed or not spec.required:
                        continue
                    raise FileNotFoundError(csv_path)
                # An optional column the file leaves out (policies' required_domains) stays NULL.
                present = spec.present_in(_file_columns(csv_path if csv_path.exists() else parquet_path)).columns
                columns = sql.SQL(", ").join(sql.Identifier(c) for c in present)
                # FORCE_NULL: an empty field is NULL, quoted ("") or not, as the contract reads it.
                copy = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, HEADER true, FORCE_NULL ({}))").format(
                    sql.Identifier(spec.name), columns, columns)
                with con.cursor() as cursor, cursor.copy(copy) as sink:
                    for chunk in _csv_chunks(csv_path if csv_path.exists() else parquet_path, present):
                        sink.write(chunk)
                counts[spec.name] = con.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(spec.name))).fetchone()[0]
            con.execute(sql.SQL("ANALYZE"))
        return counts


def _file_columns(path: Path) -> list[str]:
    """The column names of a CSV file's header or a Parquet file's schema."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [name.strip() for name in next(csv.reader(handle), [])]
    import duckdb

    con = duckdb.connect()
    try:
        return list(con.read_parquet(str(path)).columns)
    finally:
        con.close()


def _csv_chunks(path: Path, columns: tuple[str, ...]):
    """The file as CSV text with exactly the contract's columns, in chunks (Parquet through DuckDB)."""
    if path.suffix == ".csv":
        header = path.open(encoding="utf-8-sig").readline().strip().split(",")
        if list(header) == list(columns):
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    yield chunk
            return
    import duckdb

    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "table.csv"
        con = duckdb.connect()
        reader = (con.read_parquet(str(path)) if path.suffix == ".parquet"
                  else con.read_csv(str(path), header=True, all_varchar=True))
        reader.select(*[duckdb.ColumnExpression(c) for c in columns]).write_csv(str(out), header=True)
        con.close()
        with open(out, "rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk
