"""CSV output shared by the command line and the download buttons (DESIGN section 6)."""
from __future__ import annotations

import pandas as pd

# Cells a spreadsheet would run as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Booleans as true/false, whole numbers without a trailing .0, dates as YYYY-MM-DD."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_bool_dtype(series):
            out[column] = series.map({True: "true", False: "false"})
        elif pd.api.types.is_datetime64_any_dtype(series):
            out[column] = series.dt.strftime("%Y-%m-%d")
    return out


def to_csv(frame: pd.DataFrame) -> str:
    """Exact CSV: header row, ',' separator, numbers unformatted (what the CLI prints)."""
    return _plain(frame).to_csv(index=False, lineterminator="\n")


def to_download_csv(frame: pd.DataFrame) -> str:
    """CSV for spreadsheets: like to_csv, but text cells that a spreadsheet would run as a formula
    get a leading apostrophe. Numbers are left alone (a negative number is not a formula)."""
    out = _plain(frame)
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[column] = series.map(_neutralise)
    return out.to_csv(index=False, lineterminator="\n")


def _neutralise(value):
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
