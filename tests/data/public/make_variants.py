"""Regenerate the Epoch excerpt and its hand-made variants (run from the repository root):

    python tests/data/public/make_variants.py ../shared/data/epoch-ai/notable_ai_models.csv

epoch_excerpt.csv keeps 32 real rows and 10 factual columns of Epoch AI's "Notable AI Models"
(CC BY 4.0, "Data: Epoch AI (epochai.org)"), values unchanged (names keep their newlines). The
variants are derived from it, each with one kind of quirk seen in real exports.
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ["Model", "Organization", "Publication date", "Domain", "Parameters", "Training compute (FLOP)",
           "Confidence", "Base model", "Model accessibility", "Frontier model"]
MODELS = ["Solar Open 100B", "Claude Opus 4.5", "Claude Sonnet 4", "Claude Opus 4", "GPT-5", "gpt-oss-120b",
          "DeepSeek-R1 (May 2025)", "Claude 3.7 Sonnet", "DeepSeek-R1", "DeepSeek-V3", "Amazon Nova Pro",
          "NVLM-D 72B", "GPT-4o (Aug 2024)", "Qwen2.5 Instruct (72B)", "Qwen2.5-72B", "Mistral Large 2",
          "Llama 3.1-405B", "Claude 3.5 Sonnet", "Llama-3.1-Nemotron-70B-Instruct", "Qwen2-72B",
          "GPT-4o (May 2024)", "Claude 3 Opus", "Llama 3.3 70B", "Gemini 1.0 Ultra", "Grok 4", "Claude 2",
          "GPT-4 (Mar 2023)", "GPT-4 (Jun 2023)", "GPT-3.5 (davinci-002)", "ADALINE", "Perceptron Mark I",
          "Llama 4 Behemoth (preview)"]


def write(name: str, header: list[str], rows: list[list[str]], *, bom: bool = False, newline: str = "\n") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    (HERE / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))


def main(source: str) -> None:
    with open(source, encoding="utf-8-sig", newline="") as handle:
        records = list(csv.DictReader(handle))
    wanted = {" ".join(name.split()) for name in MODELS}
    rows = [[record[column] for column in COLUMNS] for record in records if " ".join(record["Model"].split()) in wanted]
    assert len(rows) == len(MODELS), len(rows)
    write("epoch_excerpt.csv", COLUMNS, rows)

    # A byte-order mark and Windows line ends (the newline inside a quoted name stays a bare \n).
    write("epoch_bom.csv", COLUMNS, rows, bom=True, newline="\r\n")

    # Columns reordered, two dropped (Domain, Confidence), one added, two renamed to known aliases.
    renamed = {"Training compute (FLOP)": "Training compute (FLOPs)", "Publication date": "Publication Date"}
    order = ["Frontier model", "Training compute (FLOP)", "Hardware", "Base model", "Model", "Publication date",
             "Model accessibility", "Parameters", "Organization"]
    write("epoch_reordered.csv", [renamed.get(column, column) for column in order],
          [[dict(zip(COLUMNS, row)).get(column, "TPU v4") for column in order] for row in rows])

    # The frontier flag written `checked` (another export's spelling) instead of True.
    flag = COLUMNS.index("Frontier model")
    write("epoch_checked.csv", COLUMNS, [row[:flag] + ["checked" if row[flag] == "True" else ""] for row in rows])

    # Malformed values, a duplicate name, a row without a name, a short row and a blank line.
    spoiled = {"Grok 4": (5, "1.2e2x"), "Gemini 1.0 Ultra": (5, "nan"), "Mistral Large 2": (5, "inf"),
               "Claude 2": (5, "-5"), "Llama 3.3 70B": (5, "0"), "Amazon Nova Pro": (5, "1e999"),
               "DeepSeek-V3": (2, "sometime")}
    malformed = []
    for row in rows:
        row = list(row)
        if row[0] in spoiled:
            column, value = spoiled[row[0]]
            row[column] = value
        malformed.append(row)
    qwen2 = next(row for row in rows if row[0] == "Qwen2-72B")
    malformed.append(["Qwen2-72B", "Alibaba", "2024-09-01"] + qwen2[3:])  # the same name again, another date
    malformed.append(["", "Nobody", "2024-01-01", "Language", "", "1e24", "", "", "API access", ""])
    malformed.append(["Short Row", "Org X"])
    malformed.insert(3, [])  # a blank line
    write("epoch_malformed.csv", COLUMNS, malformed)


if __name__ == "__main__":
    main(sys.argv[1])
