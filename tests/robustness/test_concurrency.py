"""Four processes recording 25 receipts each at the same time: the lock serialises them all.

One customer owes one 1000.00 USD invoice; 4 processes each run a small Python
loop that calls the CLI 25 times (``receive acme "10 USD" --ref BANK-P<p>-<i>``),
all released at once. Exactly 100 receipt transactions must land, with 100
distinct ids, the invoice paid to the cent and the ledger loading clean. Running
all 100 refs again, concurrently, adds nothing and changes no byte.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest

from onebox_ledger import actions
from onebox_ledger.values import Money, Month

from ._support import START, balances, by_key, duplicate_ids, load, new_ledger, snapshot
from ._support import transactions as txns_of

PROCESSES = 4
PER_PROCESS = 25
INVOICE = "inv-2026-01-20-acme"

WORKER = textwrap.dedent(
    """
    import os, sys, time
    from onebox_ledger.cli import cli

    main, go, *refs = sys.argv[1:]
    while not os.path.exists(go):
        time.sleep(0.005)
    for ref in refs:
        args = ["--ledger", main, "receive", "acme", "10 USD", "--date", "2026-02-10",
                "--ref", ref]
        try:
            cli.main(args=args, prog_name="onebox-ledger")
            code = 0
        except SystemExit as done:
            code = done.code
        print(f"@@ {ref} {code}", flush=True)
    """
)


def refs_of(process: int) -> list[str]:
    return [f"BANK-P{process}-{n:02d}" for n in range(PER_PROCESS)]


def run_all(tmp_path: Path, main: Path, round_: int) -> list[str]:
    """Start every worker, release them together, return their stdout lines (exit 0 each)."""
    worker = tmp_path / "worker.py"
    worker.write_text(WORKER, encoding="utf-8")
    go = tmp_path / f"go-{round_}"
    env = dict(os.environ, BEANCOUNT_DISABLE_LOAD_CACHE="1")
    env.pop("ONEBOX_LEDGER", None)
    procs = [
        subprocess.Popen(
            [sys.executable, str(worker), str(main), str(go), *refs_of(p)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(PROCESSES)
    ]
    time.sleep(0.5)  # let every worker import and wait at the line
    go.touch()
    lines = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert (proc.returncode, err) == (0, ""), err
        lines.extend(out.splitlines())
    return lines


@pytest.mark.slow
def test_four_processes_record_one_hundred_receipts_exactly_once(tmp_path: Path) -> None:
    root = tmp_path / "books"
    root.mkdir()
    ledger = new_ledger(root)
    actions.customer_add(ledger, "acme", "Acme", "USD", 30, START)
    actions.sell(
        ledger, "acme", Money(Decimal("1000.00"), "USD"), stream="services",
        date=datetime.date(2026, 1, 20), memo="Implementation, 100 hours", ref=None,
    )  # fmt: skip
    every = sorted(ref for p in range(PROCESSES) for ref in refs_of(p))

    lines = run_all(tmp_path, ledger.main, 1)
    assert sorted(line for line in lines if line.startswith("@@ ")) == [
        f"@@ {ref} 0" for ref in every
    ]
    receipts = [line for line in lines if line.startswith("received 10.00 USD from acme: ")]
    assert len(receipts) == 100
    assert set(receipts) == {f"received 10.00 USD from acme: 10.00 USD to {INVOICE}"}

    entries, errors = load(ledger.main)
    assert errors == []
    assert duplicate_ids(entries) == []
    received = [t for t in txns_of(entries) if str(t.meta["id"]).startswith("receive/")]
    assert len(received) == 100
    assert sorted(t.meta["id"] for t in received) == [f"receive/{ref}" for ref in every]
    totals = balances(entries)
    assert totals["Assets:Bank"] == Decimal("1000.00")
    assert totals["Assets:Receivable:Acme"] == Decimal("0.00")
    assert by_key(entries, "Assets:Receivable:", "invoice") == {INVOICE: Decimal("0.00")}
    text = ledger.month_path(Month(2026, 2)).read_text(encoding="utf-8")
    assert text.count('  id: "receive/') == 100

    before = snapshot(root)
    lines = run_all(tmp_path, ledger.main, 2)
    assert sorted(line for line in lines if line.startswith("@@ ")) == [
        f"@@ {ref} 0" for ref in every
    ]
    assert sorted(line for line in lines if not line.startswith("@@ ")) == [
        f"ref {ref} already recorded; nothing changed" for ref in every
    ]
    assert snapshot(root) == before
    entries, errors = load(ledger.main)
    assert errors == []
    assert len([t for t in txns_of(entries) if str(t.meta["id"]).startswith("receive/")]) == 100
