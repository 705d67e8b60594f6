"""The models.dev provider catalogue: reading provider and listing TOML files, and turning matched
listings into customers and deployments."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

from dashboard.ingest.folder import not_a_regular_file
from dashboard.public_data.epoch import EpochRow, parse_date
from dashboard.public_data.limits import MAX_RECORD_BYTES, is_utf8, over_limit, path_text, shown, too_long
from dashboard.public_data.matching import NO_START, WITHOUT_COMPUTE, _EpochIndex, match_listing
from dashboard.public_data.names import fold
from dashboard.public_data.report import ImportReport


MODELS_DEV_URL = "https://models.dev"


UNMATCHED_COLUMNS = ("provider", "listing_id", "name", "base_model", "reason")



class _ListingError(Exception):
    pass


NOT_READ = "not read"  # the reason's first words for a file that is not a regular file inside the folder


def _refusal(folder: Path, path: Path, is_folder: bool = False) -> str | None:
    """Why path is not read: as ingest reads an input folder, only a regular file (or a folder)
    inside the given folder is (a link leading out of it could put /proc/self/environ or a secret
    into the output, a FIFO could block)."""
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(folder):
        return (f"leads outside the models.dev folder (to {path_text(real)}): only files inside it are read; "
                "copy the file into it instead")
    return None if is_folder else not_a_regular_file(folder, path)


def _read_text(path: Path, folder: Path) -> str:
    """The file's text, when it is a regular file inside the folder and within ingest's row limit."""
    refusal = _refusal(folder, path)
    if refusal:
        raise _ListingError(f"{NOT_READ}: {refusal}")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_RECORD_BYTES + 1)
    except OSError as error:
        raise _ListingError(f"unreadable file: {error.strerror or error}") from None
    if len(data) > MAX_RECORD_BYTES:
        raise _ListingError(f"file larger than {MAX_RECORD_BYTES:,} bytes, the ingest's limit for one row")
    return data.decode("utf-8", errors="replace")


def _read_toml(path: Path, root: Path, report: ImportReport | None, depth: int = 0, folder: Path | None = None) -> dict:
    """A listing's TOML; a file holding only a relative path to another .toml is followed."""
    folder = folder or root.resolve()
    if depth > 8:
        raise _ListingError("link loop")
    text = _read_text(path, folder)
    stripped = text.strip()
    if stripped.endswith(".toml") and "\n" not in stripped and "=" not in stripped:
        if report is not None and depth == 0:
            report.link_files += 1
        target = Path(os.path.realpath(path.parent / stripped))
        if not target.is_relative_to(root.resolve()) or not target.is_file():
            raise _ListingError(f"link to a missing file: {shown(stripped)}")
        return _read_toml(target, root, None, depth + 1, folder)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _ListingError(f"unreadable TOML: {error}") from None
    except RecursionError:
        raise _ListingError("unreadable TOML: nested too deeply") from None


def _with_base(listing: dict, root: Path, report: ImportReport, depth: int = 0, folder: Path | None = None) -> dict:
    """The listing with the fields of its base_model listing filled in, as models.dev does."""
    base = listing.get("base_model")
    if not isinstance(base, str) or "/" not in base or depth > 8:
        return listing
    provider, _, model = base.partition("/")
    path = root / provider / "models" / f"{model}.toml"
    if not path.resolve().is_relative_to(root.resolve()) or not path.is_file():
        return listing
    try:
        inherited = _with_base(_read_toml(path, root, None, folder=folder), root, report, depth + 1, folder)
    except _ListingError:
        return listing
    omit = listing.get("base_model_omit")
    # Only whole top-level fields matter here ("limit.input" and the like are nested).
    omitted = {item for item in omit if isinstance(item, str) and "." not in item} if isinstance(omit, list) else set()
    merged = {key: value for key, value in inherited.items() if key not in omitted and key != "base_model"}
    merged.update(listing)
    if depth == 0:
        report.inherited_from_base += 1
    return merged


def _folders(root: Path, folder: Path, report: ImportReport) -> list[Path]:
    """The provider folders: folders inside the models.dev folder whose names are UTF-8 (the others
    are reported with their path and skipped)."""
    found = []
    for path in sorted(root.iterdir()):
        if not path.is_dir():
            continue
        if not is_utf8(path.name):
            report.skip(f"{path_text(path)}: the folder name is not valid UTF-8, so it cannot be a customer_id "
                        "(rename the folder)")
        elif refusal := _refusal(folder, path, is_folder=True):
            report.skip(f"{path_text(path)}: {refusal}")
        else:
            found.append(path)
    return found


def _string(listing: dict, key: str) -> str:
    return fold(listing.get(key)) if isinstance(listing.get(key), str) else ""


def _providers(root: Path, rows: list[EpochRow], models: dict, report: ImportReport, folder: Path | None = None):
    folder = folder or root.resolve()
    index = _EpochIndex.build(rows)
    published = {row.public_id: row.published for row in rows}
    customers, deployments, unmatched = [], [], []
    for provider_dir in _folders(root, folder, report):
        provider = {}
        if os.path.lexists(provider_dir / "provider.toml"):
            try:
                provider = _read_toml(provider_dir / "provider.toml", root, None, folder=folder)
            except _ListingError as error:
                report.skip(f"{path_text(provider_dir / 'provider.toml')}: {str(error).splitlines()[0]}")
        name = _string(provider, "name")
        if too_long(name):
            report.skip(f"{path_text(provider_dir / 'provider.toml')}: name {over_limit(name)}: the folder name is used")
            name = ""
        report.providers += 1
        customers.append({"customer_id": provider_dir.name, "name": name or provider_dir.name,
                          "segment": "provider", "sector": "ai-platform", "region": "", "business_critical": "false"})
        models_dir = provider_dir / "models"
        if not models_dir.is_dir() or _refusal(folder, models_dir, is_folder=True):
            continue
        for listing_file in sorted(models_dir.rglob("*.toml"), key=lambda p: p.relative_to(models_dir).as_posix()):
            if not os.path.lexists(listing_file) or listing_file.is_dir():
                continue
            listing_id = listing_file.relative_to(models_dir).with_suffix("").as_posix()
            report.listings_total += 1
            try:
                if not is_utf8(listing_id):
                    listing_id = path_text(listing_id)
                    raise _ListingError("file name not valid UTF-8 (rename the file)")
                listing = _with_base(_read_toml(listing_file, root, report, folder=folder), root, report, folder=folder)
                name, base, family = _string(listing, "name"), _string(listing, "base_model"), _string(listing, "family")
                oversized = next((key for key, value in (("name", name), ("base_model", base), ("family", family))
                                  if too_long(value)), None)
                if oversized:
                    raise _ListingError(f"value over the ingest's limits: {oversized} "
                                        f"{over_limit(_string(listing, oversized))}")
            except _ListingError as error:
                reason = str(error).splitlines()[0]
                report.unmatched_reasons[reason.split(":")[0]] += 1
                unmatched.append((provider_dir.name, listing_id, "", "", reason))
                continue
            row, rule = match_listing(listing_id, listing, index)
            if row is not None and row.public_id not in models:
                row, rule = None, f"{WITHOUT_COMPUTE}: {row.name} (Epoch line {row.line}) is not a model"
            if row is None:
                report.unmatched_reasons[rule.split(":")[0]] += 1
                unmatched.append((provider_dir.name, listing_id, name, base, rule))
                continue
            started = (parse_date(listing.get("release_date")) or parse_date(listing.get("last_updated"))
                       or published.get(row.public_id))
            if not started:
                report.unmatched_reasons[NO_START] += 1
                unmatched.append((provider_dir.name, listing_id, name, base, f"{NO_START} (matched {row.name})"))
                continue
            report.listings_matched += 1
            report.match_by[rule] += 1
            deprecated = fold(listing.get("status")).lower() == "deprecated"
            ended = ""
            if deprecated:
                report.deployments_ended += 1
                ended = parse_date(listing.get("last_updated")) or parse_date(listing.get("release_date")) or started
                if ended < started:
                    report.ended_before_start += 1
                    ended = started
            deployments.append({"deployment_id": f"{provider_dir.name}:{listing_id}", "model_id": row.public_id,
                                "customer_id": provider_dir.name, "surface": "api", "use_case": family, "risk_domains": "",
                                "status": "ended" if deprecated else "active", "started_at": started,
                                "ended_at": ended, "monthly_requests": ""})
            if not deprecated:
                models[row.public_id]["status"] = "deployed"
    deployments.sort(key=lambda d: d["deployment_id"])
    return customers, deployments, sorted(unmatched)


def _models_dev_root(models_dev_dir: Path) -> Path:
    """The providers/ folder, given it or the models.dev checkout that holds it."""
    providers = models_dev_dir / "providers"
    return providers if providers.is_dir() and not providers.is_symlink() else models_dev_dir


def _licence_text(models_dev_dir: Path | None, report: ImportReport) -> str | None:
    """models.dev's LICENSE, read only from the given folder (the checkout), as a regular file inside
    it, at most as much of it as ingest shows of ATTRIBUTION.md."""
    if models_dev_dir is None:
        return None
    folder = Path(os.path.realpath(models_dev_dir))
    path = models_dev_dir / "LICENSE"
    if not os.path.lexists(path):
        return None
    refusal = _refusal(folder, path)
    if refusal:
        report.skip(f"{path_text(path)}: {refusal}")
        return None
    with open(path, "rb") as handle:
        return handle.read(LICENCE_BYTES).decode("utf-8", errors="replace")[:LICENCE_CHARS].strip()


LICENCE_BYTES, LICENCE_CHARS = 80_000, 20_000  # ingest keeps the first 20,000 characters of ATTRIBUTION.md
