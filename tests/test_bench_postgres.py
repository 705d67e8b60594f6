"""The postgres benchmark's reading of its own figures. No timing here: the target is
judged by `asl-dashboard bench --source postgres`, never by a timed test."""
from __future__ import annotations

import json

from bench import postgres as bench_postgres


def figures(**changes) -> dict:
    results = {"scale": "m", "source": "postgres", "machine": "test", "rows": 1_561_299,
               "ingest_rows_per_s": 300_000, "ingest_s": 5.2, "cpu_s": 3.1,
               "baseline_rows_per_s": 100_000, "baseline_s": 15.6, "baseline_cpu_s": 4.7,
               "read_rows_per_s": 500_000, "read_s": 3.1, "ratio": 3.0, "read_ratio": 5.0}
    results.update(changes)
    return results


def verdict_lines(results: dict) -> list[str]:
    return [line.strip() for line in bench_postgres.report(results).splitlines() if "target" in line]


def test_both_ratios_are_judged_against_two_times_the_baseline():
    assert verdict_lines(figures()) == [
        "read, like for like with the baseline   5.00 x baseline (target >= 2 x)  ok",
        "whole ingest (read + checks + publish)  3.00 x baseline (target >= 2 x)  ok",
    ]
    # 1.99 x is short of 2 x; exactly 2 x meets it.
    assert verdict_lines(figures(ratio=1.99, read_ratio=2.0)) == [
        "read, like for like with the baseline   2.00 x baseline (target >= 2 x)  ok",
        "whole ingest (read + checks + publish)  1.99 x baseline (target >= 2 x)  MISSED",
    ]


def test_the_json_line_holds_every_figure():
    assert json.loads(bench_postgres.json_line(figures())) == figures()
