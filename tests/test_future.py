"""Money dated after today: refused unless --future, and reports say what they leave out.

Today is 2026-12-15 (conftest). The seed is closed for 2026-11: inv-2026-11-acme is open for
2125.00 USD and bill onebox-2026-11 for 81.25 USD. The refusals themselves (one line, exit 2,
no file changed) are in test_bad_input's catalogue::

    $ onebox-ledger receive acme "2125 USD" --date 2027-01-10
    onebox-ledger: error: --date 2027-01-10 is after today (2026-12-15): money is recorded once it has moved; pass --future to record it ahead
    $ onebox-ledger receive acme "2125 USD" --date 2027-01-10 --future
    received 2125.00 USD from acme: 2125.00 USD to inv-2026-11-acme
    $ onebox-ledger report receivables
    ...
    note: 1 transaction dated after 2026-12-15 is not counted (the last on 2027-01-10)
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from onebox_ledger.importers.bank import BankImporter

Run = Callable[..., Result]
Ok = Callable[[Result], list[str]]

ONE_LATER = "note: 1 transaction dated after 2026-12-15 is not counted (the last on 2027-01-10)"


def test_today_itself_needs_no_future(closed_seed: Path, run: Run, ok: Ok) -> None:
    assert ok(run(closed_seed, "receive", "acme", "125 USD", "--date", "2026-12-15")) == [
        "received 125.00 USD from acme: 125.00 USD to inv-2026-11-acme"
    ]


def test_future_records_it_and_each_report_as_of_today_says_it_is_not_counted(
    closed_seed: Path, run: Run, ok: Ok
) -> None:
    assert ok(
        run(closed_seed, "receive", "acme", "2125 USD", "--date", "2027-01-10", "--future")
    ) == ["received 2125.00 USD from acme: 2125.00 USD to inv-2026-11-acme"]
    journal = closed_seed.parent / "ledger" / "journal" / "2027-01.beancount"
    assert "2027-01-10 * " in journal.read_text(encoding="utf-8")

    # as of today the invoice is still open, and the report says why
    owed = ok(run(closed_seed, "report", "receivables"))
    assert owed[4].split() == [
        "acme",
        "inv-2026-11-acme",
        "2026-11-30",
        "2026-12-30",
        "USD",
        "2125.00",
        "0",
        "current",
    ]
    assert owed[-1] == ONE_LATER
    for report in (("payables",), ("mrr",), ("keep", "--to", "2026-12-15")):
        assert ok(run(closed_seed, "report", *report))[-1] == ONE_LATER, report
    as_json = json.loads("\n".join(ok(run(closed_seed, "report", "mrr", "--format", "json"))))
    assert as_json["notes"][-1] == ONE_LATER.removeprefix("note: ")

    # as of the receipt's day nothing is left out, and nothing is open
    paid = ok(run(closed_seed, "report", "receivables", "--as-of", "2027-01-10"))
    assert not any(line.startswith("note: ") for line in paid)
    assert paid[2] == "(none)"
    # keep with no last day counts everything
    assert not any("not counted" in line for line in ok(run(closed_seed, "report", "keep")))


def test_the_note_counts_every_transaction_after_the_date_and_names_the_last(
    closed_seed: Path, run: Run, ok: Ok
) -> None:
    ok(run(closed_seed, "receive", "acme", "125 USD", "--date", "2027-01-10", "--future"))
    ok(run(closed_seed, "onebox", "pay", "81.25 USD", "--date", "2027-01-20", "--future"))
    assert ok(run(closed_seed, "report", "payables", "--as-of", "2026-12-31"))[-1] == (
        "note: 2 transactions dated after 2026-12-31 are not counted (the last on 2027-01-20)"
    )
    # after 2026-11-29: the close of November (acme-cloud's invoice and its OneBox cost,
    # acme-impl's invoice; its seal is no transaction), the receipt and the payment: 3 + 2
    assert ok(run(closed_seed, "report", "keep", "--to", "2026-11-29"))[-1] == (
        "note: 5 transactions dated after 2026-11-29 are not counted (the last on 2027-01-20)"
    )


STATEMENT = """\
Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance
2026-12-10,2026-12-10,B-1,Acme Realty,inv-2026-11-acme,125.00,USD,125.00
2026-12-20,2026-12-20,B-2,Acme Realty,inv-2026-11-acme,100.00,USD,225.00
"""


def test_a_statement_row_dated_after_today_is_left_for_review(
    closed_seed: Path, run: Run, ok: Ok, monkeypatch
) -> None:
    """A bank statement holds only money that has moved: a later date is a mistake in the file,
    never booked (by the command and by Fava's import page alike)."""
    statement = closed_seed.parent / "bank.csv"
    statement.write_text(STATEMENT, encoding="utf-8")
    later = (
        "line 3  2026-12-20  B-2  +100.00 USD  review: dated after today (2026-12-15): a statement"
        " holds only money that has moved; check the row's date ('Acme Realty',"
        " 'inv-2026-11-acme')"
    )
    # the books agree with the bank before the statement, and a row waits: not the bank's
    # closing balance, so the import is refused whole unless --no-balance
    result = run(closed_seed, "import", str(statement))
    assert (result.exit_code, result.stderr) == (
        1,
        "onebox-ledger: error: the books would hold 125.00 USD on Assets:Bank on 2026-12-21, the"
        " statement's closing balance is 225.00 USD (+100.00 USD); not booked: line 3 +100.00"
        " USD (review); book them (a rule: onebox-ledger rule add) or import with --no-balance\n",
    )
    assert ok(run(closed_seed, "import", str(statement), "--no-balance")) == [
        "line 2  2026-12-10  B-1  +125.00 USD  receipt: invoice inv-2026-11-acme in the text;"
        " received 125.00 USD from acme: 125.00 USD to inv-2026-11-acme",
        later,
        "booked: 1 receipt (in 125.00 USD); listed: 1 review (in 100.00 USD)",
        "balance: 0.00 USD opening +225.00 USD booked by the bank = 225.00 USD; the statement's"
        " closing balance is 225.00 USD: reconciled",
    ]
    importer = BankImporter(today=datetime.date(2026, 12, 15))
    assert (
        importer.payments(str(statement), [])[1].reason
        == later.split("review: ")[1].split(" ('")[0]
    )
    # on the 20th the row is money that has moved
    monkeypatch.setenv("ONEBOX_TODAY", "2026-12-20")
    lines = ok(run(closed_seed, "import", str(statement)))
    assert lines[1] == (
        "line 3  2026-12-20  B-2  +100.00 USD  receipt: invoice inv-2026-11-acme in the text;"
        " received 100.00 USD from acme: 100.00 USD to inv-2026-11-acme"
    )
    assert lines[-1] == (
        "books: Assets:Bank holds 225.00 USD on 2026-12-21, the statement's closing balance:"
        " asserted"
    )
