"""The bank's balance reached: a bank account's opening balance, and the statement's closing
balance asserted when the books agree with the bank before the statement.

The demo's Assets:Bank holds 12,191.77 USD before 2026-11-02. The November sample, with its
Balance column moved down by 5,808.23, starts there: 12,191.77 + 381.33 booked by the bank =
12,573.10 at its end. Its rent (-1,500.00) and Stripe payout (+350.00) are no customer's,
OneBox's or fee: without rules the books would hold 12,573.10 + 1,500.00 - 350.00 = 13,723.10.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from click.testing import Result
from conftest import load_entries, load_errors

D = Decimal
HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "importers" / "bank-2026-11.csv"
Run = Callable[..., Result]
Ok = Callable[[Result], list[str]]
Refused = Callable[[Result, int], str]
Snapshot = Callable[[Path], dict[str, bytes]]


@pytest.fixture
def november(tmp_path: Path) -> Path:
    """The sample with its balances where the demo's bank is: 5,808.23 lower on every row."""
    rows = list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        row[7] = f"{D(row[7].replace(',', '')) - D('5808.23'):.2f}"
        writer.writerow(row)
    path = tmp_path / "november.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def rules(run: Run, ok: Ok, main: Path) -> None:
    ok(run(main, "rule", "add", "Office Rent", "Expenses:Rent", "--direction", "out"))
    ok(run(main, "rule", "add", "Stripe", "Income:Stripe", "--direction", "in"))


def test_rows_that_cannot_reach_the_closing_balance_are_refused_whole(
    demo: Path, run: Run, ok: Ok, refused: Refused, snapshot: Snapshot, november: Path
) -> None:
    before = snapshot(demo.parent)
    message = (
        "the books would hold 13723.10 USD on Assets:Bank on 2026-12-01, the statement's"
        " closing balance is 12573.10 USD (-1150.00 USD); not booked: line 8 -1500.00 USD"
        " (unrelated), line 10 +350.00 USD (unrelated)"
    )
    assert refused(run(demo, "import", str(november)), 1) == (
        f"{message}; book them (a rule: onebox-ledger rule add) or import with --no-balance"
    )
    assert snapshot(demo.parent) == before
    dry = ok(run(demo, "import", str(november), "--dry-run"))
    assert dry[-1] == f"books: the import would be refused: {message}; book them (a rule:" + (
        " onebox-ledger rule add) or import with --no-balance"
    )
    assert snapshot(demo.parent) == before


def test_with_every_row_booked_the_closing_balance_is_asserted_once(
    demo: Path, run: Run, ok: Ok, snapshot: Snapshot, november: Path
) -> None:
    rules(run, ok, demo)
    lines = ok(run(demo, "import", str(november)))
    assert lines[-3:] == [
        "booked: 6 receipt (in 2736.69 USD), 1 onebox-payment (out 1193.36 USD), 1 fee (out"
        " 12.00 USD), 2 booked (in 350.00 USD, out 1500.00 USD); listed: none",
        "balance: 12191.77 USD opening +381.33 USD booked by the bank = 12573.10 USD; the"
        " statement's closing balance is 12573.10 USD: reconciled",
        "books: Assets:Bank holds 12573.10 USD on 2026-12-01, the statement's closing balance:"
        " asserted",
    ]
    december = demo.parent / "ledger" / "journal" / "2026-12.beancount"
    assert december.read_text(encoding="utf-8").endswith(
        "\n2026-12-01 balance Assets:Bank 12573.10 USD\n"
        '  statement: "generic"\n'
        '  closing: "2026-11-30"\n'
    )
    assert load_errors(demo) == []  # Beancount checks the assertion: it holds
    before = snapshot(demo.parent)
    assert ok(run(demo, "import", str(november)))[-1] == (
        "books: Assets:Bank holds 12573.10 USD on 2026-12-01, the statement's closing balance:"
        " asserted already"
    )
    assert snapshot(demo.parent) == before


def test_no_balance_books_the_rows_without_an_assertion(
    demo: Path, run: Run, ok: Ok, november: Path
) -> None:
    lines = ok(run(demo, "import", str(november), "--no-balance"))
    assert lines[-1].startswith("balance: 12191.77 USD opening")
    assert [e for e in load_entries(demo) if isinstance(e, data.Balance)] == []
    assert load_errors(demo) == []


def test_an_opening_balance_lets_a_new_account_reach_its_first_statement(
    fixed_today: None, tmp_path: Path, run: Run, ok: Ok
) -> None:
    """A Ukrainian FOP's UAH account from 2026-11-01 with 10,000.00 UAH on it; November's
    statement: the single tax paid, rent, interest, the owner taking money out; every row
    booked by a rule: 10,000.00 - 2,400.00 - 6,000.00 + 12.35 - 1,000.00 = 612.35."""
    books = tmp_path / "fop"
    main = books / "main.beancount"
    ok(run(main, "init", str(books), "--start", "2026-11-01", "--currency", "UAH"))
    args = ("Assets:Monobank:UAH", "--currency", "UAH", "--opening", "10000 UAH")
    assert ok(run(main, "bank", "add", *args)) == [
        "bank account Assets:Monobank:UAH: UAH from 2026-11-01, opening balance 10000.00 UAH"
    ]
    opening = (books / "ledger" / "journal" / "opening.beancount").read_text(encoding="utf-8")
    assert opening.endswith(
        '\n2026-11-01 * "Opening balance" "Assets:Monobank:UAH on 2026-11-01"\n'
        '  id: "opening/Assets:Monobank:UAH"\n'
        "  amount: 10000.00 UAH\n"
        "  Assets:Monobank:UAH          10000.00 UAH\n"
        "  Equity:Opening-Balances     -10000.00 UAH\n"
    )
    for pattern, account, way in (
        ("Єдиний податок", "Liabilities:Tax:Single", "out"),
        ("Оренда", "Expenses:Rent", "out"),
        ("Відсотки", "Income:Interest", "in"),
        ("Переказ на власну картку", "Equity:Owner", "out"),
    ):
        ok(run(main, "rule", "add", pattern, account, "--direction", way))
    statement = tmp_path / "mono.csv"
    statement.write_text(
        "Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance\n"
        "2026-11-03,2026-11-03,M-1,ГУ ДПС,Єдиний податок за 3 квартал,-2400.00,UAH,7600.00\n"
        "2026-11-05,2026-11-05,M-2,ФОП Коваленко,Оренда офісу листопад,-6000.00,UAH,1600.00\n"
        "2026-11-30,2026-11-30,M-3,Monobank,Відсотки на залишок,12.35,UAH,1612.35\n"
        "2026-11-30,2026-11-30,M-4,,Переказ на власну картку,-1000.00,UAH,612.35\n",
        encoding="utf-8",
    )
    lines = ok(run(main, "import", str(statement), "--account", "Assets:Monobank:UAH"))
    assert lines[-1] == (
        "books: Assets:Monobank:UAH holds 612.35 UAH on 2026-12-01, the statement's closing"
        " balance: asserted"
    )
    assert [line.split("  ", 4)[4] for line in lines[:4]] == [
        "booked: rule 'Єдиний податок'; 2400.00 UAH to Liabilities:Tax:Single",
        "booked: rule 'Оренда'; 6000.00 UAH to Expenses:Rent",
        "booked: rule 'Відсотки'; 12.35 UAH to Income:Interest",
        "booked: rule 'Переказ на власну картку'; 1000.00 UAH to Equity:Owner",
    ]
    assert load_errors(main) == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--opening", "500 USD"), 2, "--opening 500.00 USD is not in the account's currency EUR"),
        (("--opening", "500 EUR"), 1, "no exchange rate EUR->USD on or before 2026-01-01 for"
         ' the opening balance of Assets:Wise:EUR (add one: onebox-ledger price EUR "1.00 USD"'
         " --date 2026-01-01)"),
    ],
)  # fmt: skip
def test_a_bad_opening_is_one_line_and_changes_nothing(
    new_ledger: Path, run: Run, refused: Refused, snapshot: Snapshot,
    args: tuple[str, ...], code: int, message: str,
) -> None:  # fmt: skip
    before = snapshot(new_ledger.parent)
    result = run(new_ledger, "bank", "add", "Assets:Wise:EUR", "--currency", "EUR", *args)
    assert refused(result, code) == message
    assert snapshot(new_ledger.parent) == before
