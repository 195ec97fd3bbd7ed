"""The benchmark script at a tiny size, so it cannot rot: every figure is printed with a target."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent / "benchmarks" / "bench.py"

FIGURES = [
    "1. close of the last month / bean-check",
    "2. close of month 3 / close of month 2",
    "3. report keep / bean-check",
    "3. report receivables / bean-check",
    "3. verify / bean-check",
    "4. peak memory of the close of the last month (MB)",
    "4. peak memory, close of month 2 (MB); last / month 2",
    "5. Fava OneBox page / Fava income statement API (cold)",
    "6. import --dry-run, 300-row statement / Beancount load",
    "6. import, 300-row statement / Beancount load",
    "7. documents of 5 invoices / close of their month",
    "8. close of the last month (writes its summary) / bean-check",
    "8. report keep, summaries present / bean-check",
    "8. report receivables, summaries present / bean-check",
    "8. report payables, summaries present / bean-check",
    "8. report mrr, summaries present / bean-check",
    "8. verify --quick / bean-check",
    "8. report keep, no summaries / bean-check",
    "8. report receivables, no summaries / bean-check",
    "8. report payables, no summaries / bean-check",
    "8. report mrr, no summaries / bean-check",
    "8. verify (full; rewrites the summaries) / bean-check",
]


@pytest.mark.slow
def test_benchmark_prints_every_figure_with_its_target(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--customers", "12", "--months", "3", "--runs", "1",
         "--rows", "300", "--invoices", "5", "--workdir", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("machine: ")
    assert lines[1].startswith("ledger: 12 customers x 3 months (2026-08..2026-10), ")
    figures = lines[lines.index("figures:") + 1 :]
    assert len(figures) == len(FIGURES)
    for label, text in zip(FIGURES, figures, strict=True):
        match = re.fullmatch(
            rf"  {re.escape(label)}\s+(\d+\.\d{{3}})   target (\S+ \S+)\s+(met|MISSED)", text
        )
        assert match, text
        assert float(match.group(1)) > 0
    # the snapshots closed in the benchmark are the ledger before the close of months 2 and 3;
    # the statement is imported into a ledger of its own, on a fresh copy each run; the
    # documents' GmbH is closed and issued on fresh copies of its own two snapshots
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "before-2026-09", "before-2026-10", "docs-before-close", "docs-closed", "docs-ledger",
        "import-ledger", "ledger", "ledger.built", "reference.beancount", "statement.csv",
        "statement.json",
    ]  # fmt: skip
    # what --reuse checks before measuring these books again: the arguments they were built with
    assert (tmp_path / "ledger.built").read_text(encoding="utf-8") == "12 3 300"
    (documents,) = [text for text in lines if text.startswith("documents: ")]
    assert documents.startswith("documents: 5 invoices of 2026-10 (PDF/A-3, XML, QR code) made")
    (summary,) = [text for text in lines if text.startswith("import: ")]
    assert summary.startswith("import: a statement of 300 rows (")
    statement = (tmp_path / "statement.csv").read_text(encoding="utf-8").splitlines()
    reference = (tmp_path / "reference.beancount").read_text(encoding="utf-8")
    assert len(statement) == 301 and reference.count(" * ") == 300


ROLL_FIGURES = [
    "9. bean-check of the rolled books / of the unrolled",
    "9. report keep over 2 years, summaries / bean-check",
    "9. report keep loading every archive / bean-check",
]


@pytest.mark.slow
def test_benchmark_of_the_roll_prints_its_figures(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--roll", "--customers", "3", "--years", "2", "--runs", "1",
         "--workdir", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("machine: ")
    assert lines[2].startswith("roll: 3 customers x 24 months (2024-11..2026-10), ")
    assert " years 2024..2025 rolled forward (2 rolls, " in lines[2]
    assert lines[2].endswith(" 10 month(s) open; medians of 1 run(s)")
    assert lines[3].endswith(
        "the same table from the unrolled books, with and without summaries: yes"
    )
    figures = lines[lines.index("figures:") + 1 :]
    assert len(figures) == len(ROLL_FIGURES)
    for label, text in zip(ROLL_FIGURES, figures, strict=True):
        match = re.fullmatch(
            rf"  {re.escape(label)}\s+(\d+\.\d{{3}})   target (\S+ \S+)\s+(met|MISSED)", text
        )
        assert match, text
        assert float(match.group(1)) > 0
    rolled = sorted(p.name for p in (tmp_path / "rolled" / "ledger" / "archive").iterdir())
    assert rolled == ["2024", "2025"]
