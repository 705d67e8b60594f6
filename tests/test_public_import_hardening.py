"""import-public under hostile inputs: it must not launder into an input folder what ingest refuses.

Each test reproduces what today's main let through or answered with a traceback: links in the
models.dev folder read as data (a LICENSE linked to a secret shown under "About this data"), a
base-model chain that took cubic time, a field over ingest's limits written out, TOML nested 200,000
levels deep, an --out that is a file, a link, holds the input or fails half-way, and a provider
folder whose name is not UTF-8. Refusals are one line and a non-zero exit; skipped rows and files
are reported with their line or path, never with an oversized value in full.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.csvscan import MAX_FIELD_BYTES, MAX_RECORD_BYTES
from dashboard.ingest import ingest
from dashboard.public_import import import_public
from clirun import run_cli
from test_ingest import sha256
from test_ingest_hardening import one_line_error, small_disk  # noqa: F401 (fixture)
from test_public_import import CHECKOUT, EPOCH, QUIET, read

REPO = Path(__file__).resolve().parent.parent
MB = 1 << 20
HEADER = "Model,Organization,Publication date,Training compute (FLOP),Base model\n"


def quiet(_line: str) -> None:
    pass


def checkout_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "models-dev"
    shutil.copytree(CHECKOUT, copy, symlinks=True)
    return copy


def no_traceback(completed: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in completed.stderr, completed.stderr


# --- links in the models.dev folder ------------------------------------------------------------------


def test_models_dev_files_are_read_only_as_regular_files_inside_the_folder(tmp_path):
    # On main: LICENSE -> a secret was copied into ATTRIBUTION.md (and so onto every page), a
    # provider.toml or listing linked outside the folder was read as data, a provider folder linked
    # outside was walked, and LICENSE was looked for in the folder's parent and grandparent.
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=hunter2-very-secret\n")
    outside = tmp_path / "elsewhere"
    (outside / "models").mkdir(parents=True)
    (outside / "provider.toml").write_text('name = "Leaked Provider Name"\n')
    (outside / "models" / "gpt-4o.toml").write_text('name = "GPT-4o"\nrelease_date = "2024-05-13"\n')
    checkout = checkout_copy(tmp_path)
    providers = checkout / "providers"
    (checkout / "LICENSE").unlink()
    (checkout / "LICENSE").symlink_to(secret)
    (providers / "anthropic" / "provider.toml").unlink()
    (providers / "anthropic" / "provider.toml").symlink_to(outside / "provider.toml")
    (providers / "openrouter" / "models" / "leak.toml").symlink_to(outside / "models" / "gpt-4o.toml")
    (providers / "outsider").symlink_to(outside)
    lines = []
    report = import_public(EPOCH, checkout, tmp_path / "out", progress=lines.append)
    attribution = (tmp_path / "out" / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "hunter2" not in attribution and "MIT licence (the LICENSE file was not in the folder given" in attribution
    customers = read(tmp_path / "out", "customers").set_index("customer_id")["name"].to_dict()
    assert customers["anthropic"] == "anthropic" and "outsider" not in customers
    assert "Leaked Provider Name" not in customers.values()
    unmatched = read(tmp_path / "out", "unmatched_listings").set_index("listing_id")["reason"]
    assert unmatched["leak"].startswith("not read: leads outside the models.dev folder")
    assert "openrouter:leak" not in set(read(tmp_path / "out", "deployments")["deployment_id"])
    skipped = [line for line in lines if line.startswith("  skipped ")]
    assert any("LICENSE: leads outside the models.dev folder" in line for line in skipped), lines
    assert any("outsider: leads outside" in line for line in skipped) and report.providers == 4

    # A /proc/self/environ link: the importer's environment never reaches the output.
    (checkout / "LICENSE").unlink()
    (checkout / "LICENSE").symlink_to("/proc/self/environ")
    import_public(EPOCH, checkout, tmp_path / "environ", progress=quiet)
    text = "".join(path.read_text(encoding="utf-8") for path in (tmp_path / "environ").iterdir())
    assert "PATH=" not in text and os.environ["PATH"] not in text

    # LICENSE beside the providers folder given is not read: only files inside the folder given are.
    (checkout / "LICENSE").unlink()
    shutil.copy(CHECKOUT / "LICENSE", checkout / "LICENSE")
    import_public(EPOCH, providers, tmp_path / "given-providers", progress=lines.append)
    assert "Permission is hereby granted" not in (tmp_path / "given-providers" / "ATTRIBUTION.md").read_text()
    assert any(line.startswith("note: no LICENSE in") for line in lines)
    import_public(EPOCH, checkout, tmp_path / "given-checkout", progress=quiet)
    assert "Permission is hereby granted" in (tmp_path / "given-checkout" / "ATTRIBUTION.md").read_text()


def test_a_provider_folder_name_that_is_not_utf8_is_skipped_and_named(tmp_path):
    # On main: "error: 'utf-8' codec can't encode character '\udce9' ...: surrogates not allowed", no path.
    checkout = checkout_copy(tmp_path)
    os.mkdir(os.fsencode(checkout / "providers") + b"/caf\xe9")
    completed = run_cli("import-public", "--epoch", EPOCH, "--models-dev", checkout, "--out", tmp_path / "out")
    no_traceback(completed)
    assert completed.returncode == 0, completed.stderr
    line = next(line for line in completed.stderr.splitlines() if "not valid UTF-8" in line)
    assert "providers/caf\\xe9" in line and str(checkout) in line
    assert len(read(tmp_path / "out", "customers")) == 4
    ingest(tmp_path / "out", tmp_path / "public.duckdb", progress=quiet)


# --- time: a base-model chain --------------------------------------------------------------------------


def test_a_long_base_model_chain_is_read_in_linear_time(tmp_path):
    # On main a chain of n Base model references took cubic time (3,000 rows: 74 s; 20,000 would run
    # for hours). Measured figures are in the notes; here, correctness on a long chain with a loop.
    rows = 20_000
    epoch = tmp_path / "chain.csv"
    with open(epoch, "w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for number in range(rows):
            base = f"M{number - 1}" if number else f"M{rows - 1}"  # M0's base closes the loop at the end
            handle.write(f"M{number},Lab,2024-01-01,1e24,{base}\n")
    report = import_public(epoch, None, tmp_path / "out", **QUIET)
    models = read(tmp_path / "out", "models").set_index("model_id")
    assert report.parents_linked == rows - 1  # one link closes the loop and is cut where it closes:
    assert models.loc["m1", ["parent_model_id", "derivation"]].tolist() == ["", "pretrain"]  # m0 -> m19999 ... m1
    assert models.loc["m0", "parent_model_id"] == "m19999" and models.loc["m19999", "parent_model_id"] == "m19998"
    assert models.loc["m2", "parent_model_id"] == "m1"


# --- size: ingest's limits while importing -------------------------------------------------------------


def test_an_oversized_field_or_row_is_skipped_reported_and_never_echoed(tmp_path):
    # On main a 30 MB field was written out (exit 0, "publish it with ingest") and ingest then refused
    # the whole folder. Here the row is left out and reported by line, the folder is accepted by ingest.
    epoch = tmp_path / "big.csv"
    huge_name = "N" * (MAX_FIELD_BYTES + 10)
    with open(epoch, "w", encoding="utf-8") as handle:
        handle.write(HEADER)
        handle.write("Fine,Lab,2024-01-01,1e24,\n")
        handle.write(f"{huge_name},Lab,2024-01-02,2e24,\n")  # line 3: a field over 1 MB
        handle.write('Quoted,Lab,2024-01-03,3e24,"' + '""' * (MAX_FIELD_BYTES // 2 + 1) + '"\n')  # quotes doubled
        handle.write('Row,Lab,2024-01-04,4e24,"' + ("x" * 999 + "\n") * (MAX_RECORD_BYTES // 1000 + 1) + '"\n')  # 16 MB+
        handle.write("After,Lab,2024-01-05,5e24,Fine\n")
    completed = run_cli("import-public", "--epoch", epoch, "--out", tmp_path / "out")
    no_traceback(completed)
    assert completed.returncode == 0, completed.stderr
    assert "N" * 200 not in completed.stderr and '""' * 100 not in completed.stderr  # no value echoed in full
    assert "line 3: model column longer than 1,048,576 bytes, the ingest's limit for one field" in completed.stderr
    assert "line 4: base_model column longer than 1,048,576 bytes" in completed.stderr
    assert "line 5: row longer than 16,777,216 bytes, the ingest's limit for one row" in completed.stderr
    models = read(tmp_path / "out", "models").set_index("model_id")
    assert sorted(models.index) == ["after", "fine"] and models.loc["after", "parent_model_id"] == "fine"
    assert "rows skipped as models: 3" in completed.stderr
    assert ingest(tmp_path / "out", tmp_path / "public.duckdb", progress=quiet).row_counts["models"] == 2


def test_oversized_models_dev_values_are_skipped(tmp_path):
    checkout = checkout_copy(tmp_path)
    models = checkout / "providers" / "anthropic" / "models"
    (models / "big-family.toml").write_text(f'name = "Claude Opus 4"\nfamily = "{"f" * (MAX_FIELD_BYTES + 1)}"\n')
    (checkout / "providers" / "anthropic" / "provider.toml").write_text(f'name = "{"A" * (MAX_FIELD_BYTES + 1)}"\n')
    with open(models / "huge-file.toml", "w") as handle:
        handle.write('name = "Claude Opus 4"\n# ' + "c" * (MAX_RECORD_BYTES + 1) + "\n")
    lines = []
    import_public(EPOCH, checkout, tmp_path / "out", progress=lines.append)
    unmatched = read(tmp_path / "out", "unmatched_listings").set_index("listing_id")["reason"]
    assert unmatched["big-family"].startswith("value over the ingest's limits: family longer than 1,048,576 bytes")
    assert unmatched["huge-file"] == "file larger than 16,777,216 bytes, the ingest's limit for one row"
    assert read(tmp_path / "out", "customers").set_index("customer_id").loc["anthropic", "name"] == "anthropic"
    assert "f" * 200 not in "".join(lines) and "A" * 200 not in "".join(lines)
    ingest(tmp_path / "out", tmp_path / "public.duckdb", progress=quiet)


# VmHWM, not ru_maxrss: the latter keeps the peak of the forked test process across exec.
PEAK_PROBE = """
import sys
from dashboard.cli import main
code = main(sys.argv[1:])
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM")][0].split()[1]
print(int(peak) // 1024)
sys.exit(code)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to read the peak memory")
def test_peak_memory_stays_bounded_on_an_export_with_a_100_MB_field(tmp_path):
    # On main the export was read whole, decoded and copied (a 315 MB export peaked at 3.26 GB).
    epoch = tmp_path / "huge.csv"
    with open(epoch, "w", encoding="utf-8") as handle:
        handle.write(HEADER + "Fine,Lab,2024-01-01,1e24,\n")
        handle.write('Huge,Lab,2024-01-02,2e24,"')
        chunk = "y" * MB
        for _ in range(100):
            handle.write(chunk)
        handle.write('"\nAfter,Lab,2024-01-03,3e24,\n')
    child = subprocess.run([sys.executable, "-c", PEAK_PROBE, "import-public", "--epoch", str(epoch), "--out",
                            str(tmp_path / "out")], capture_output=True, text=True, cwd=REPO, timeout=300,
                           env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert child.returncode == 0, child.stderr
    peak_mb = int(child.stdout.split()[-1])
    assert peak_mb < 300, f"peak {peak_mb} MB"
    assert "line 3: row longer than 16,777,216 bytes" in child.stderr
    assert sorted(read(tmp_path / "out", "models")["model_id"]) == ["after", "fine"]


# --- TOML nested without bound -------------------------------------------------------------------------


def test_deeply_nested_toml_is_an_unreadable_listing_not_a_traceback(tmp_path):
    # On main: RecursionError (a traceback) from tomllib.
    checkout = checkout_copy(tmp_path)
    nested = "a = " + "[" * 200_000 + "]" * 200_000 + "\n"
    (checkout / "providers" / "anthropic" / "models" / "deep.toml").write_text(nested)
    (checkout / "providers" / "vercel" / "provider.toml").write_text("x = " + "{y = " * 200_000 + "1" + "}" * 200_000)
    completed = run_cli("import-public", "--epoch", EPOCH, "--models-dev", checkout, "--out", tmp_path / "out")
    no_traceback(completed)
    assert completed.returncode == 0, completed.stderr
    unmatched = read(tmp_path / "out", "unmatched_listings").set_index("listing_id")["reason"]
    assert unmatched["deep"] == "unreadable TOML: nested too deeply"
    assert "vercel/provider.toml: unreadable TOML: nested too deeply" in completed.stderr
    assert read(tmp_path / "out", "customers").set_index("customer_id").loc["vercel", "name"] == "vercel"


# --- --out ----------------------------------------------------------------------------------------------


def test_an_out_that_is_a_file_or_a_link_is_refused_in_one_line(tmp_path):
    # On main: FileExistsError tracebacks.
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    one_line_error(run_cli("import-public", "--epoch", EPOCH, "--out", notes), str(notes), "is not a folder")
    assert notes.read_text() == "mine\n"
    link = tmp_path / "mem"
    link.symlink_to("/proc/self/mem")
    one_line_error(run_cli("import-public", "--epoch", EPOCH, "--out", link), str(link), "is a symbolic link")
    completed = run_cli("import-public", "--epoch", EPOCH, "--out", "/proc/self/public")
    one_line_error(completed, "/proc/self/public", "was not written")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mem", "notes.txt"]


def test_an_out_that_holds_the_input_or_other_files_is_refused(tmp_path):
    # On main: --epoch out/public_models.csv --out out silently overwrote the input.
    out = tmp_path / "out"
    import_public(EPOCH, None, out, **QUIET)
    epoch = out / "public_models.csv"
    shutil.copy(EPOCH, epoch)
    before = sha256(epoch)
    completed = run_cli("import-public", "--epoch", epoch, "--out", out)
    one_line_error(completed, "holds the --epoch input", str(epoch))
    assert sha256(epoch) == before
    checkout = checkout_copy(out.parent)
    completed = run_cli("import-public", "--epoch", EPOCH, "--models-dev", checkout / "providers", "--out", tmp_path)
    one_line_error(completed, "holds the --models-dev input")
    (out / "my-notes.md").write_text("keep me\n")
    completed = run_cli("import-public", "--epoch", EPOCH, "--out", out)
    one_line_error(completed, str(out), "holds files import-public does not write (my-notes.md)")
    assert (out / "my-notes.md").read_text() == "keep me\n" and sha256(epoch) == before


def limited_writes(max_bytes: int):
    """In the child: writes past max_bytes in one file fail with EFBIG ("File too large"), as a full
    disk fails a write half-way; SIGXFSZ ignored so the write returns the error."""
    def limit():
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
    return limit


def test_a_write_that_fails_half_way_leaves_the_old_folder_as_it_was(tmp_path):
    # On main: an OSError traceback and a folder mixing new and old files (a new models.csv beside the
    # old deployments.csv). Here the new folder is written beside the old one and swapped in whole.
    out = tmp_path / "out"
    import_public(EPOCH, CHECKOUT, out, **QUIET)
    before = {path.name: sha256(path) for path in out.iterdir()}
    completed = subprocess.run([sys.executable, "-m", "dashboard", "import-public", "--epoch", str(EPOCH),
                                "--out", str(out)], capture_output=True, text=True, cwd=REPO, timeout=120,
                               env=dict(os.environ, PYTHONPATH=str(REPO)), preexec_fn=limited_writes(4096))
    line = one_line_error(completed, str(out), "was not written: File too large", "it is as it was")
    assert "public_models.csv)" in line  # the first file over 4 KB
    assert {path.name: sha256(path) for path in out.iterdir()} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]  # nothing left beside it
    import_public(EPOCH, None, out, **QUIET)  # a run that succeeds replaces the folder as a whole
    assert read(out, "deployments").empty and len(read(out, "models")) == 27


def test_a_full_disk_is_one_line_and_leaves_nothing_behind(small_disk):
    filler = small_disk / "filler"  # the 1 MB disk filled to 16 KB short: the excerpt's folder needs ~40 KB
    filler.write_bytes(b"\0" * (MB - 16 * 1024))
    out = small_disk / "public"
    completed = run_cli("import-public", "--epoch", EPOCH, "--models-dev", CHECKOUT, "--out", out)
    one_line_error(completed, str(out), "No space left on device", "it is as it was")
    assert [path.name for path in small_disk.iterdir()] == ["filler"]


def test_a_folder_left_by_a_dead_run_is_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = tmp_path / f".out.import-{dead.stdout.strip()}"
    leftover.mkdir()
    (leftover / "models.csv").write_text("half\n")
    import_public(EPOCH, None, tmp_path / "out", **QUIET)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]
