"""One fast pass over a CSV file before DuckDB reads it: count its records, bound its fields.

Ingest compares the record count found here with the rows DuckDB's reader returns, so a row the
reader drops (it did drop the last row of a file whose last field was 33 MB) cannot go unnoticed.
The pass also refuses a field longer than MAX_FIELD_BYTES before anything holds it in memory, and a
quote inside an unquoted field (the count below depends on RFC 4180 quoting).

The file is read in chunks of CHUNK_BYTES. A chunk without quotes, blank lines or lone CRs (nearly
every chunk of a real file) costs a few bytes.count/find calls at memory speed; any other chunk gets
the exact pass with NumPy over the positions of quotes, commas and line breaks. Memory stays a small
multiple of the chunk size whatever the file holds.

Records end at a line break outside quotes: LF, CRLF or a lone CR (DuckDB reads all three). A record
that is empty (or only a CR) is a blank line: DuckDB skips it and it is not counted. Lines are
numbered as an editor counts them: the header is line 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_FIELD_BYTES = 1 << 20  # 1 MB: the longest field (as bytes in the file, quotes included) ingest accepts
MAX_RECORD_BYTES = 16 << 20  # 16 MB: the longest row (all its fields and line breaks)
CHUNK_BYTES = 1 << 22

_LF, _CR, _QUOTE, _COMMA = 10, 13, 34, 44


@dataclass(frozen=True)
class Oversized:
    line: int  # the line where the field's record starts
    column: int  # 0-based position of the field in its record
    size: int  # bytes of the field seen when it passed the limit (at least)


@dataclass(frozen=True)
class LongRecord:
    line: int  # the line where the record starts
    size: int


@dataclass(frozen=True)
class StrayQuote:
    line: int


@dataclass(frozen=True)
class CsvScan:
    records: int  # non-blank records, the header included
    lines: int  # line breaks in the file (LF, CRLF or lone CR)
    commas: int  # commas outside quotes: (width - 1) per record when no row is ragged
    problem: Oversized | LongRecord | StrayQuote | None = None


class _Stop(Exception):
    def __init__(self, problem):
        self.problem = problem


class _Scanner:
    def __init__(self, limit: int, record_limit: int):
        self.limit = limit
        self.record_limit = record_limit
        self.pos = 0  # offset in the file of the current chunk's first byte
        self.inside = False  # inside a quoted field at the chunk's start
        self.lines = 0  # line breaks before the chunk
        self.records = 0
        self.commas = 0
        self.record_start = 0  # offset of the current record's first byte
        self.record_line = 1
        self.field_start = 0
        self.column = 0
        self.prev = _LF  # the byte before the chunk (the file starts as if after a line break)
        self.bom = 0

    # -- the cheap path: no quotes, no blank lines, no lone CR, no long line -------------------
    def fast(self, chunk: bytes) -> bool:
        if self.inside or b'"' in chunk or self.pos < self.bom:
            return False
        newlines = chunk.count(b"\n")
        if newlines == 0 or b"\n\n" in chunk or b"\n\r\n" in chunk:
            return False
        if self.record_start == self.pos and chunk.startswith((b"\n", b"\r\n")):
            return False  # a blank record across the chunk boundary
        if b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n"):
            return False
        first, last = chunk.find(b"\n"), chunk.rfind(b"\n")
        if self.pos + first - self.field_start > self.limit:
            return False
        half = self.limit // 2
        # Every step of half the limit holds a line break, so no line is longer than the limit.
        for start in range(first, last, half):
            if chunk.find(b"\n", start + 1, start + half + 1) == -1:
                return False
        tail = chunk[last + 1:]
        if len(tail) > self.limit or self.pos + first - self.record_start > self.record_limit:
            return False
        self.records += newlines
        self.lines += newlines
        self.commas += chunk.count(b",")
        self.record_start = self.pos + last + 1
        self.record_line = self.lines + 1
        self.column = tail.count(b",")
        self.field_start = self.record_start + tail.rfind(b",") + 1
        return True

    # -- the exact path ---------------------------------------------------------------------------
    def exact(self, chunk: bytes, at_end: bool) -> None:
        data = np.frombuffer(chunk, np.uint8)
        size = len(data)
        quotes = np.flatnonzero(data == _QUOTE)
        start_inside = 1 if self.inside else 0

        def outside(positions: np.ndarray) -> np.ndarray:
            if not len(quotes):
                return np.full(len(positions), not self.inside)
            return ((np.searchsorted(quotes, positions) + start_inside) & 1) == 0

        if len(quotes):
            self._check_quotes(data, quotes, start_inside, at_end)
        feeds = np.flatnonzero(data == _LF)
        returns = np.flatnonzero(data == _CR)
        if len(returns):
            following = returns + 1
            lone = np.ones(len(returns), bool)
            inside_chunk = following < size
            lone[inside_chunk] = data[following[inside_chunk]] != _LF
            if lone.any():
                mask = data == _LF
                mask[returns[lone]] = True
                breaks = np.flatnonzero(mask)
            else:
                breaks = feeds
        else:
            breaks = feeds
        ends = breaks[outside(breaks)] if len(breaks) else breaks
        commas = np.flatnonzero(data == _COMMA)
        commas = commas[outside(commas)] if len(commas) else commas
        end_mask = np.zeros(size, bool)
        end_mask[ends] = True
        self.commas += len(commas)
        if len(commas):
            separator_mask = end_mask.copy()
            separator_mask[commas] = True
            separators = np.flatnonzero(separator_mask)
        else:
            separators = ends

        # Field lengths, the open field at the chunk's end included.
        starts = np.concatenate(([self.field_start - self.pos], separators + 1))
        stops = np.concatenate((separators, [size]))
        lengths = stops - starts
        over = np.flatnonzero(lengths > self.limit)
        if len(over):
            index = int(over[0])
            is_end = end_mask[separators[:index]]
            record_ends = np.flatnonzero(is_end)
            if len(record_ends):
                last_end = int(separators[record_ends[-1]])
                column = index - int(record_ends[-1]) - 1
                line = self.lines + int(np.searchsorted(breaks, last_end, side="right")) + 1
            else:
                column, line = self.column + index, self.record_line
            raise _Stop(Oversized(line, column, int(lengths[index])))

        record_starts = np.concatenate(([self.record_start - self.pos], ends + 1))
        spans = np.concatenate((ends, [size])) - record_starts
        long = np.flatnonzero(spans > self.record_limit)
        if len(long):
            index = int(long[0])
            line = (self.record_line if index == 0 else
                    self.lines + int(np.searchsorted(breaks, int(ends[index - 1]), side="right")) + 1)
            raise _Stop(LongRecord(line, int(spans[index])))
        if len(ends):
            record_starts, spans = record_starts[:-1], spans[:-1]
            before = ends - 1
            previous = np.where(before >= 0, data[np.maximum(before, 0)], self.prev)
            blank = (spans == 0) | ((spans == 1) & (previous == _CR))
            self.records += int(len(ends) - blank.sum())
            last_end = int(ends[-1])
            self.record_start = self.pos + last_end + 1
            self.record_line = self.lines + int(np.searchsorted(breaks, last_end, side="right")) + 1
        if len(separators):
            last_separator = int(separators[-1])
            self.field_start = self.pos + last_separator + 1
            if len(ends) and last_separator == int(ends[-1]):
                self.column = 0
            elif len(ends):
                self.column = int((commas > ends[-1]).sum())
            else:
                self.column += len(separators)
        self.lines += len(breaks)
        self.inside = bool((len(quotes) + start_inside) & 1)

    def _check_quotes(self, data: np.ndarray, quotes: np.ndarray, start_inside: int, at_end: bool) -> None:
        """An opening quote must begin a field; a closing one must end it (or be doubled)."""
        after = (np.arange(1, len(quotes) + 1) + start_inside) & 1  # 1: inside after this quote
        before_bytes = np.where(quotes > 0, data[np.maximum(quotes - 1, 0)], self.prev)
        opening_ok = np.isin(before_bytes, (_COMMA, _LF, _CR, _QUOTE)) | (quotes + self.pos == self.bom)
        following = quotes + 1
        last = len(data) - 1
        after_bytes = np.where(following <= last, data[np.minimum(following, last)], _LF if at_end else _QUOTE)
        closing_ok = np.isin(after_bytes, (_COMMA, _LF, _CR, _QUOTE))
        bad = np.flatnonzero(np.where(after == 1, ~opening_ok, ~closing_ok))
        if len(bad):
            where = int(quotes[bad[0]])
            line = self.lines + int(np.count_nonzero(data[:where] == _LF)) + 1
            raise _Stop(StrayQuote(line))

    def feed(self, chunk: bytes, at_end: bool) -> None:
        if not self.fast(chunk):
            self.exact(chunk, at_end)
        self.prev = chunk[-1]
        self.pos += len(chunk)

    def finish(self) -> CsvScan:
        span = self.pos - self.record_start
        if span > 0 and not (span == 1 and self.prev == _CR):
            self.records += 1
        return CsvScan(self.records, self.lines, self.commas)


def scan_csv(path: Path, limit: int = MAX_FIELD_BYTES, record_limit: int = MAX_RECORD_BYTES,
             chunk_bytes: int = CHUNK_BYTES) -> CsvScan:
    """Count the records of the CSV file at path; stop at the first field (or record) over its limit."""
    scanner = _Scanner(limit, record_limit)
    carry = b""
    with open(path, "rb") as handle:
        if handle.read(3) == b"\xef\xbb\xbf":
            scanner.bom = scanner.record_start = scanner.field_start = 3
        handle.seek(0)
        while True:
            data = handle.read(chunk_bytes)
            at_end = not data
            chunk = carry + data if carry else data
            carry = b""
            # A CR or a quote at the chunk's end is judged with the byte after it: keep it for the next chunk.
            if not at_end and chunk[-1:] in (b"\r", b'"'):
                carry, chunk = chunk[-1:], chunk[:-1]
            if chunk:
                try:
                    scanner.feed(chunk, at_end)
                except _Stop as stop:
                    return CsvScan(scanner.records, scanner.lines, scanner.commas, stop.problem)
            if at_end:
                return scanner.finish()
