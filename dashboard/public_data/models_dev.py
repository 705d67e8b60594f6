"""The models.dev provider catalogue: reading provider and listing TOML files, and turning matched
listings into customers and deployments."""
from __future__ import annotations

import tomllib
from pathlib import Path

from dashboard.public_data.epoch import EpochRow, parse_date
from dashboard.public_data.matching import NO_START, WITHOUT_COMPUTE, _EpochIndex, match_listing
from dashboard.public_data.names import fold
from dashboard.public_data.report import ImportReport


MODELS_DEV_URL = "https://models.dev"


UNMATCHED_COLUMNS = ("provider", "listing_id", "name", "base_model", "reason")



class _ListingError(Exception):
    pass


def _read_toml(path: Path, root: Path, report: ImportReport | None, depth: int = 0) -> dict:
    """A listing's TOML; a file holding only a relative path to another .toml is followed."""
    if depth > 8:
        raise _ListingError("link loop")
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise _ListingError(f"unreadable file: {error.strerror or error}") from None
    stripped = text.strip()
    if stripped.endswith(".toml") and "\n" not in stripped and "=" not in stripped:
        if report is not None and depth == 0:
            report.link_files += 1
        target = (path.parent / stripped).resolve()
        if not target.is_relative_to(root.resolve()) or not target.is_file():
            raise _ListingError(f"link to a missing file: {stripped}")
        return _read_toml(target, root, None, depth + 1)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _ListingError(f"unreadable TOML: {error}") from None


def _with_base(listing: dict, root: Path, report: ImportReport, depth: int = 0) -> dict:
    """The listing with the fields of its base_model listing filled in, as models.dev does."""
    base = listing.get("base_model")
    if not isinstance(base, str) or "/" not in base or depth > 8:
        return listing
    provider, _, model = base.partition("/")
    path = root / provider / "models" / f"{model}.toml"
    if not path.resolve().is_relative_to(root.resolve()) or not path.is_file():
        return listing
    try:
        inherited = _with_base(_read_toml(path, root, None), root, report, depth + 1)
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


def _providers(root: Path, rows: list[EpochRow], models: dict, report: ImportReport):
    index = _EpochIndex.build(rows)
    published = {row.public_id: row.published for row in rows}
    customers, deployments, unmatched = [], [], []
    for provider_dir in sorted(path for path in root.iterdir() if path.is_dir()):
        provider = {}
        if (provider_dir / "provider.toml").is_file():
            try:
                provider = _read_toml(provider_dir / "provider.toml", root, None)
            except _ListingError:
                provider = {}
        report.providers += 1
        customers.append({"customer_id": provider_dir.name, "name": fold(provider.get("name")) or provider_dir.name,
                          "segment": "provider", "sector": "ai-platform", "region": "", "business_critical": "false"})
        models_dir = provider_dir / "models"
        if not models_dir.is_dir():
            continue
        for listing_file in sorted(models_dir.rglob("*.toml"), key=lambda p: p.relative_to(models_dir).as_posix()):
            if not listing_file.is_file():
                continue
            listing_id = listing_file.relative_to(models_dir).with_suffix("").as_posix()
            report.listings_total += 1
            try:
                listing = _with_base(_read_toml(listing_file, root, report), root, report)
            except _ListingError as error:
                reason = str(error).splitlines()[0]
                report.unmatched_reasons[reason.split(":")[0]] += 1
                unmatched.append((provider_dir.name, listing_id, "", "", reason))
                continue
            name = fold(listing.get("name")) if isinstance(listing.get("name"), str) else ""
            base = fold(listing.get("base_model")) if isinstance(listing.get("base_model"), str) else ""
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
            family = listing.get("family")
            deployments.append({"deployment_id": f"{provider_dir.name}:{listing_id}", "model_id": row.public_id,
                                "customer_id": provider_dir.name, "surface": "api",
                                "use_case": fold(family) if isinstance(family, str) else "", "risk_domains": "",
                                "status": "ended" if deprecated else "active", "started_at": started,
                                "ended_at": ended, "monthly_requests": ""})
            if not deprecated:
                models[row.public_id]["status"] = "deployed"
    deployments.sort(key=lambda d: d["deployment_id"])
    return customers, deployments, sorted(unmatched)


def _models_dev_root(models_dev_dir: Path) -> Path:
    """The providers/ folder, given it or the models.dev checkout that holds it."""
    return models_dev_dir / "providers" if (models_dev_dir / "providers").is_dir() else models_dev_dir


def _licence_text(models_dev_dir: Path | None) -> str | None:
    if models_dev_dir is None:
        return None
    for folder in (models_dev_dir, models_dev_dir.parent, models_dev_dir.parent.parent):
        if (folder / "LICENSE").is_file():
            return (folder / "LICENSE").read_text(encoding="utf-8", errors="replace").strip()
    return None
