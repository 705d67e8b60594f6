"""Matching a models.dev listing to an Epoch row: the date-aware, conservative rule (MATCH_RULE)."""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from dashboard.public_data.epoch import EpochRow, parse_date
from dashboard.public_data.names import (ListingSnapshot, _ascii, _epoch_base, _epoch_loose, _key, _strip_listing, _words,
                                         fold)






@dataclass
class _EpochIndex:
    strict: dict[str, list[EpochRow]]
    words: dict[str, list[EpochRow]]
    loose: dict[str, list[EpochRow]]
    loose_words: dict[str, list[EpochRow]]
    dates: dict[str, list[dt.date]]  # per public id: its month qualifier, else its publication date
    qualified: set[str]

    @classmethod
    def build(cls, rows: list[EpochRow]) -> "_EpochIndex":
        strict, words, loose, loose_words = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
        dates, qualified = {}, set()
        for row in rows:
            base, qualifier = _epoch_base(row.name)
            # The month qualifier names the version (Epoch dates "GPT-4 (Jun 2023)" 2023-03-15).
            dates[row.public_id] = ([qualifier] if qualifier is not None else
                                    [dt.date.fromisoformat(row.published)] if row.published else [])
            if qualifier is not None:
                qualified.add(row.public_id)
            names = [base]
            organization = _ascii(row.organization.split(",")[0])
            if organization and " " not in organization and base.startswith(organization + " "):
                names.append(base[len(organization) + 1:])  # "Amazon Nova Pro" by Amazon is also "Nova Pro"
            for table, keys in ((strict, {_key(name) for name in names}),
                                (words, {_words(name) for name in names}),
                                (loose, {_key(_epoch_loose(name)) for name in names}),
                                (loose_words, {_words(_epoch_loose(name)) for name in names})):
                for key in keys:
                    table[key].append(row)
        return cls(strict, words, loose, loose_words, dates, qualified)

    def candidates(self, table: str, key: str, snapshot: ListingSnapshot | None) -> tuple[list[EpochRow], list[EpochRow]]:
        """(the rows that fit, the rows with this key that the snapshot rule set aside)."""
        rows = getattr(self, table).get(key, []) if key else []
        if snapshot is None:
            fit = [row for row in rows if row.public_id not in self.qualified]
        else:
            fit = [row for row in rows if snapshot.fits(self.dates[row.public_id])]
        return fit, [row for row in rows if row not in fit]


AMBIGUOUS = "ambiguous"


SET_ASIDE = "snapshot date does not fit"


NOT_FOUND = "no Epoch model with this name"


WITHOUT_COMPUTE = "Epoch row without usable compute"


NO_RELEASE = "a moving alias (latest, preview, exp) without a release_date"


DISTILLED = "a distillation, not the model it was distilled from"


_ALIAS = re.compile(r"(?<![a-z])(?:latest|preview|exp|experimental)(?![a-z])")


NO_START = "no release date, last_updated or publication date to start the deployment"


def match_listing(listing_id: str, listing: dict, index: _EpochIndex) -> tuple[EpochRow | None, str]:
    """(the Epoch row, the rule that found it) or (None, why not: one of the kinds above, then details)."""
    sources = [("base_model", listing.get("base_model")), ("id", listing_id), ("name", listing.get("name"))]
    sources = [(label, fold(value)) for label, value in sources if isinstance(value, str) and fold(value)]
    snapshot = next((snap for _label, value in sources if (snap := _strip_listing(value, loose=True)[1])), None)
    if snapshot is None and any(_ALIAS.search(_ascii(value)) for _label, value in sources):
        released = parse_date(listing.get("release_date"))
        if not released:
            return None, f"{NO_RELEASE}: {_ALIAS.search(' '.join(_ascii(v) for _l, v in sources)).group(0)}"
        snapshot = ListingSnapshot(*map(int, released.split("-")))
    distilled = any("distill" in _ascii(value) for _label, value in sources)
    steps = [(label, "strict", _key(_strip_listing(value)[0])) for label, value in sources]
    steps += [(f"{label} (word order)", "words", _words(_strip_listing(value)[0])) for label, value in sources]
    steps += [(f"{label} (suffix dropped)", "loose", _key(_strip_listing(value, loose=True)[0]))
              for label, value in sources]
    steps += [(f"{label} (suffix dropped, word order)", "loose_words", _words(_strip_listing(value, loose=True)[0]))
              for label, value in sources]
    ambiguous, set_aside = [], []
    for rule, table, key in steps:
        if table.startswith("loose") and set_aside:
            break  # Epoch has this very name, in another version: relaxing the key would find the wrong one
        fit, aside = index.candidates(table, key, snapshot)
        if distilled and fit and all("distill" not in row.name.lower() for row in fit):
            return None, f"{DISTILLED}: {'; '.join(sorted(row.name for row in fit))}"
        if len(fit) == 1:
            return fit[0], rule
        if len(fit) > 1:
            ambiguous.append(fit)
        set_aside += aside
    if set_aside:
        shown = "; ".join(sorted({f"{row.name} ({row.published or 'no date'})" for row in set_aside}))
        if snapshot is None:
            return None, f"{SET_ASIDE}: the listing has no snapshot date and Epoch has only dated versions: {shown}"
        return None, f"{SET_ASIDE}: snapshot {snapshot} is not Epoch's {shown}"
    if ambiguous:
        names = sorted({row.name for row in ambiguous[0]})
        return None, f"{AMBIGUOUS}: fits {len(names)} Epoch rows: {'; '.join(names)}"
    return None, NOT_FOUND
