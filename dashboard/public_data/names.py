"""How names are normalised for matching: Epoch names and models.dev listing ids folded to keys,
a listing's snapshot date set aside."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass


SNAPSHOT_DAYS = 31  # a dated listing fits an Epoch row published this close to its date
MATCH_RULE = ("vendor prefixes and trailing version tags dropped, a snapshot date set aside (it must fall within "
              f"{SNAPSHOT_DAYS} days of the Epoch row's month qualifier or publication date; latest/preview/exp "
              "aliases use their release_date; undated listings fit only undated Epoch names); letter and digit runs "
              "compared; base_model, then id, then name, then each as words in any order; then all again with "
              "-instruct/-chat/-it/-latest/-preview/-exp/quantisation dropped; a step that fits two Epoch rows decides "
              "nothing; an Epoch row without usable compute is not a model")



def fold(text) -> str:
    """Whitespace and newlines folded to single spaces, ends trimmed."""
    return " ".join(str(text if text is not None else "").split())


def _ascii(text) -> str:
    """Lowercase ASCII: accents dropped (NÜWA -> nuwa), other characters a space (DALL·E -> dall e),
    a closing '+' spelt out (Command R+ -> command r plus, as providers write it; A + B stays a join)."""
    decomposed = unicodedata.normalize("NFKD", fold(text))
    kept = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _CLOSING_PLUS.sub(" plus ", re.sub(r"[^\x00-\x7f]", " ", kept)).lower()


_CLOSING_PLUS = re.compile(r"(?<=[A-Za-z0-9+])\+(?![A-Za-z0-9])")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _ascii(text)).strip("-") or "model"


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


_EPOCH_QUALIFIER = re.compile(r"\s*\((?:" + "|".join(_MONTHS) + r")[a-z]*\.?\s+(?:19|20)\d{2}\)\s*$")


_NAME_PREFIX = re.compile(r"^[a-z][a-z0-9 ._-]*:\s+")


_PATH_PREFIX = re.compile(r"^(?:[a-z0-9][a-z0-9._-]*/)+(?=[a-z])")


_DOTTED_PREFIX = re.compile(r"^[a-z][a-z-]+\.(?=[a-z])")


_VENDOR_WORD = re.compile(r"^(?:meta|cohere|mistralai|microsoft|nvidia|ibm|amazon|anthropic|openai|google|xai|moonshot|"
                          r"moonshotai)[- ](?=[a-z])")


_VERSION_TAG = re.compile(r"(?:-v?\d+:\d+|@\d{3}|:free)$")


_FULL_DATE = re.compile(r"[-_@ ]\(?((?:19|20)\d{2})-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])\)?$")


_FOUR_DIGITS = re.compile(r"[-_@ ]\(?(\d{2})(\d{2})\)?$")


_ROLE_SUFFIX = re.compile(r"(?:[-_ :]|\s\()(?:instruct|chat|it|hf|latest|preview|exp|free|fp4|fp8|fp16|bf16|int4|int8|awq)\)?$")


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class ListingSnapshot:
    """A snapshot date carried by a listing id or name; year None for a month-day tag (-0528)."""
    year: int | None
    month: int
    day: int | None

    def fits(self, references: list[dt.date]) -> bool:
        """Within SNAPSHOT_DAYS of one of an Epoch row's dates (publication, month qualifier)."""
        for ref in references:
            years = [self.year] if self.year is not None else [ref.year - 1, ref.year, ref.year + 1]
            for year in years:
                when = _date_or_none(year, self.month, self.day or 15)
                if when is not None and abs((when - ref).days) <= SNAPSHOT_DAYS:
                    return True
        return False

    def __str__(self) -> str:
        return "-".join(part for part in (f"{self.year:04d}" if self.year else "", f"{self.month:02d}",
                                          f"{self.day:02d}" if self.day else "") if part)


def _strip_listing(text, loose: bool = False) -> tuple[str, ListingSnapshot | None]:
    """A listing string without vendor prefix and trailing tags, and the snapshot date it carries."""
    s = _ascii(text).replace("--", "/")
    previous = None
    while previous != s:
        previous = s
        for pattern in (_NAME_PREFIX, _PATH_PREFIX, _DOTTED_PREFIX, _VENDOR_WORD):
            s = pattern.sub("", s)
    snapshot, previous = None, None
    while previous != s:
        previous = s
        s = _VERSION_TAG.sub("", s).rstrip()
        if (found := _FULL_DATE.search(s)) and _date_or_none(*map(int, found.groups())):
            snapshot = snapshot or ListingSnapshot(*map(int, found.groups()))
            s = s[:found.start()]
        elif found := _FOUR_DIGITS.search(s):
            first, second = int(found.group(1)), int(found.group(2))
            if 18 <= first <= 39 and 1 <= second <= 12:  # -2507: July 2025
                snapshot, s = snapshot or ListingSnapshot(2000 + first, second, None), s[:found.start()]
            elif _date_or_none(2024, first, second):  # -0528: 28 May (leap year: 0229 allowed)
                snapshot, s = snapshot or ListingSnapshot(None, first, second), s[:found.start()]
        if loose:
            s = _ROLE_SUFFIX.sub("", s)
    return s.strip(" -_."), snapshot


def _key(text: str) -> str:
    """Letter and digit runs joined, '.' between two digit runs: 'claude-3-5-sonnet' -> claude3.5sonnet."""
    out, last_digit = [], False
    for token in re.findall(r"[a-z]+|\d+", text):
        digit = token.isdigit()
        if digit and last_digit:
            out.append(".")
        out.append(token)
        last_digit = digit
    return "".join(out)


def _words(text: str) -> str:
    return " ".join(sorted(re.findall(r"[a-z]+|\d+(?:\.\d+)*", text)))


def _epoch_base(name: str) -> tuple[str, dt.date | None]:
    """An Epoch name folded to ASCII lowercase without its month qualifier, and the qualifier's mid-month."""
    text = _ascii(name)
    found = _EPOCH_QUALIFIER.search(text)
    if not found:
        return text, None
    month_text, year_text = re.findall(r"[a-z]+|\d+", found.group(0))
    return text[:found.start()], dt.date(int(year_text), _MONTHS.index(month_text[:3]) + 1, 15)


def _epoch_loose(base: str) -> str:
    previous = None
    while previous != base:
        previous, base = base, _ROLE_SUFFIX.sub("", base).strip(" -_.")
    return base


def listing_key(text, loose: bool = False) -> str:
    return _key(_strip_listing(text, loose)[0])


def epoch_key(name: str) -> str:
    return _key(_epoch_base(name)[0])
