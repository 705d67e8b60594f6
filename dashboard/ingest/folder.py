"""Finding the input files of a folder: one CSV or Parquet file per table of the contract, read only
when it is a regular file inside the folder, and the optional ATTRIBUTION.md."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from dashboard.ingest.problems import Problem
from dashboard.tables import TABLES, TableSpec


@dataclass
class SourceFile:
    spec: TableSpec
    path: Path
    kind: str  # "csv" or "parquet"
    rows: int | None = None  # data rows counted without DuckDB's reader (the CSV scan, the Parquet footer)

    @property
    def label(self) -> str:
        return self.path.name

    @property
    def row_label(self) -> str:
        return "line" if self.kind == "csv" else "row"


def not_a_regular_file(src: Path, path: Path) -> str | None:
    """Why ingest will not read path (an entry of the folder src), or None for a regular file in src.

    Ingest reads only regular files inside the input folder: a symbolic link leading out of it could
    put any file of the machine (a secret, /proc/self/environ) into the snapshot, and a FIFO or a
    device could block or never end.
    """
    try:
        info = os.lstat(path)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(path))
        if not target.is_relative_to(src):
            return (f"is a symbolic link leading outside the input folder (to {target}): ingest reads only "
                    "regular files inside the folder; copy the file into it instead")
        try:
            info = os.stat(path)
        except OSError as error:
            return f"is a symbolic link to {target}, which cannot be read ({error.strerror})"
    kinds = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")]
    for test, kind in kinds:
        if test(info.st_mode):
            return f"is {kind}, not a regular file: ingest reads only regular files"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file: ingest reads only regular files"
    return None


def find_sources(src: Path) -> tuple[list[SourceFile], list[Problem]]:
    sources, problems = [], []
    for spec in TABLES:
        csv_path, parquet_path = src / f"{spec.name}.csv", src / f"{spec.name}.parquet"
        found = [p for p in (csv_path, parquet_path) if os.path.lexists(p)]
        if len(found) == 2:
            problems.append(Problem(csv_path.name, None,
                                    f"both {csv_path.name} and {parquet_path.name} exist; keep only one"))
        elif found:
            refusal = not_a_regular_file(src, found[0])
            if refusal:
                problems.append(Problem(found[0].name, None, refusal))
            else:
                sources.append(SourceFile(spec, found[0], "csv" if found[0].suffix == ".csv" else "parquet"))
        elif spec.required:
            problems.append(Problem(csv_path.name, None,
                                    f"required file is missing (expected {csv_path.name} or {parquet_path.name} in {src})"))
    return sources, problems


def attribution(src: Path) -> tuple[str | None, Problem | None]:
    """An optional ATTRIBUTION.md in the folder (sources, licences, caveats) travels with the snapshot.
    Like the data files, it is read only when it is a regular file inside the folder (a link to a
    secret would show the secret to every viewer), and only its first 20,000 characters."""
    path = src / "ATTRIBUTION.md"
    if not os.path.lexists(path):
        return None, None
    refusal = not_a_regular_file(src, path)
    if refusal:
        return None, Problem(path.name, None, refusal)
    with open(path, "rb") as handle:
        return handle.read(80_000).decode("utf-8", errors="replace")[:20000], None
