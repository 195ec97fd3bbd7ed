"""Own money moving: a transfer between two of the books' bank accounts is one transaction with
both legs, found by the counterparty's IBAN or by a rule naming the other account, and the other
account's statement does not book it twice. (A Wise conversion between balances:
tests/test_import_layouts.py, scenario wise.csv.)

A USD ledger from 2026-11-01 with Assets:Bank (IBAN DE89370400440532013000, 5,000.00 on it) and
Assets:Payoneer (IBAN GB29NWBK60161331926819, 0.00): on 2026-11-10 the partner moves 1,200.00
from the bank to Payoneer; Payoneer shows it arriving on 2026-11-11.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import Result
from conftest import load_entries, load_errors

D = Decimal
Run = Callable[..., Result]
Ok = Callable[[Result], list[str]]
Refused = Callable[[Result, int], str]
Snapshot = Callable[[Path], dict[str, bytes]]
HEADER = "Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance\n"
BANK_IBAN = "DE89370400440532013000"
PAYONEER_IBAN = "GB29NWBK60161331926819"


@pytest.fixture
def books(fixed_today: None, tmp_path: Path, run: Run, ok: Ok) -> Path:
    main = tmp_path / "books" / "main.beancount"
    ok(run(main, "init", str(main.parent), "--start", "2026-11-01"))
    ledger = main.parent / "ledger"
    accounts = (ledger / "accounts.beancount").read_text(encoding="utf-8")
    (ledger / "accounts.beancount").write_text(
        accounts.replace("  bank: TRUE\n", f'  bank: TRUE\n  iban: "{BANK_IBAN}"\n', 1)
    )
    ok(run(main, "bank", "add", "Assets:Payoneer", "--currency", "USD",
           "--iban", "GB29 NWBK 6016 1331 9268 19"))  # fmt: skip
    return main.resolve()


def statement(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


# A Monobank FOP export (its IBAN column names the counterparty's account), in USD
MONOBANK = (
    '"Дата \nоперації";"Час \nоперації";"Вид \nоперації (дебет/кредит)";"Деталі \nоперації";'
    'Контрагент;"ЄДРПОУ \nконтрагента";"IBAN \nконтрагента";"Сума \nв валюті рахунку";'
    '"Сума \nв валюті операції";"Валюта \nоперації";Курс;"Сума \nкомісій в валюті рахунку";'
    '"Залишок \nпісля операції в валюті рахунку"\n'
    "10.11.2026;10:00:00;Дебет;Переказ власних коштів;Partner;—;"
    f"{PAYONEER_IBAN};-1200.00;-1200.00;USD;1.00;0.00;3 800.00\n"
)


def test_a_transfer_found_by_the_counterpartys_iban_is_one_entry_with_both_legs(
    books: Path, run: Run, ok: Ok, tmp_path: Path
) -> None:
    """Переказ власних коштів: the counterparty's IBAN is Payoneer's: 1,200.00 leaves the bank
    and reaches Payoneer in one transaction; imported again, nothing changes."""
    path = tmp_path / "mono.csv"
    path.write_text(MONOBANK, encoding="utf-8")
    lines = ok(run(books, "import", str(path), "--account", "Assets:Bank", "--no-balance"))
    assert lines[0].endswith(
        "  -1200.00 USD  transfer: the counterparty's IBAN is Assets:Payoneer, a bank account of"
        " the books; 1200.00 USD from Assets:Bank to Assets:Payoneer"
    )
    (entry,) = [e for e in load_entries(books) if "transfer" in e.meta]
    assert [(p.account, p.units.number) for p in entry.postings] == [
        ("Assets:Bank", D("-1200.00")),
        ("Assets:Payoneer", D("1200.00")),
    ]
    again = ok(run(books, "import", str(path), "--account", "Assets:Bank", "--no-balance"))
    assert "  recorded: already recorded (transfer/" in again[0]
    assert load_errors(books) == []


def test_a_rule_naming_another_bank_account_books_a_transfer_once(
    books: Path, run: Run, ok: Ok, tmp_path: Path
) -> None:
    ok(run(books, "rule", "add", "Top-up Payoneer", "Assets:Payoneer", "--direction", "out"))
    ok(run(books, "rule", "add", "From Deutsche Bank", "Assets:Bank", "--direction", "in"))
    bank = statement(
        tmp_path / "bank.csv",
        "2026-11-10,2026-11-10,B-77,Partner,Top-up Payoneer,-1200.00,USD,",
    )
    assert ok(run(books, "import", str(bank), "--account", "Assets:Bank"))[0] == (
        "line 2  2026-11-10  B-77  -1200.00 USD  transfer: rule 'Top-up Payoneer' names"
        " Assets:Payoneer, a bank account of the books; 1200.00 USD from Assets:Bank to"
        " Assets:Payoneer"
    )
    (entry,) = [e for e in load_entries(books) if e.meta.get("id") == "transfer/B-77"]
    assert [(p.account, p.units.number) for p in entry.postings] == [
        ("Assets:Bank", D("-1200.00")),
        ("Assets:Payoneer", D("1200.00")),
    ]
    assert (entry.date, entry.meta["transfer"]) == (datetime.date(2026, 11, 10), "Assets:Payoneer")
    # Payoneer's statement, a day later: the same money, already in the books
    payoneer = statement(
        tmp_path / "payoneer.csv",
        "2026-11-11,2026-11-11,P-501,Partner,From Deutsche Bank,1200.00,USD,",
    )
    assert ok(run(books, "import", str(payoneer), "--account", "Assets:Payoneer"))[0] == (
        "line 2  2026-11-11  P-501  +1200.00 USD  recorded: the other side of transfer/B-77,"
        " booked from Assets:Bank's statement ('Partner', 'From Deutsche Bank')"
    )
    assert [e.meta["id"] for e in load_entries(books) if "transfer" in e.meta] == ["transfer/B-77"]
    assert load_errors(books) == []


def test_a_transfer_to_an_account_of_another_currency_waits_for_review(
    books: Path, run: Run, ok: Ok, tmp_path: Path
) -> None:
    ok(run(books, "price", "EUR", "1.08 USD", "--date", "2026-11-01"))
    ok(run(books, "bank", "add", "Assets:Wise:EUR", "--currency", "EUR"))
    ok(run(books, "rule", "add", "To Wise", "Assets:Wise:EUR", "--direction", "out"))
    bank = statement(
        tmp_path / "bank.csv", "2026-11-12,2026-11-12,B-80,Partner,To Wise,-540.00,USD,"
    )
    assert ok(run(books, "import", str(bank), "--account", "Assets:Bank"))[0] == (
        "line 2  2026-11-12  B-80  -540.00 USD  review: rule 'To Wise' names Assets:Wise:EUR, a"
        " bank account of the books, which holds EUR, not USD, and the row states no EUR amount"
        " (no rate is assumed): book both legs by hand, or import Assets:Wise:EUR's statement"
        " first if its row states the USD amount (this row is then recorded) ('Partner', 'To"
        " Wise')"
    )
    assert [e for e in load_entries(books) if "transfer" in e.meta] == []  # no made-up rate


# Monobank's UAH account: 4,115.00 UAH left it as 100.00 USD (its Курс 41.15) for Payoneer
MONOBANK_UAH = (
    '"ФОП Петренко Олена Іванівна, Виписка за рахунком UA683220010000026004340012345 (UAH)"\n'
    + MONOBANK[: MONOBANK.index("10.11.2026")]
    + "12.11.2026;10:00:00;Дебет;Переказ власних коштів;Partner;—;"
    f"{PAYONEER_IBAN};-4115.00;-100.00;USD;41.15;0.00;5 885.00\n"
)


def test_a_transfer_to_another_currency_books_the_amounts_the_row_states(
    books: Path, run: Run, ok: Ok, tmp_path: Path
) -> None:
    """One side only (Payoneer's statement not imported yet), two currencies: the UAH leg and
    the USD leg are the row's own amounts, 4,115.00 UAH and 100.00 USD; the books' rate (0.0245
    USD: 100.8175 USD) only values the UAH leg, its 0.82 USD difference an exchange loss.
    Payoneer's statement later finds it and books nothing."""
    ok(run(books, "price", "UAH", "0.0245 USD", "--date", "2026-11-01"))
    ok(run(books, "bank", "add", "Assets:Monobank:UAH", "--currency", "UAH"))
    path = tmp_path / "mono-uah.csv"
    path.write_text(MONOBANK_UAH, encoding="utf-8")
    args = ("--account", "Assets:Monobank:UAH", "--no-balance")
    assert ok(run(books, "import", str(path), *args))[0].endswith(
        "  -4115.00 UAH  transfer: the counterparty's IBAN is Assets:Payoneer, a bank account of"
        " the books; 4115.00 UAH from Assets:Monobank:UAH to Assets:Payoneer as 100.00 USD"
    )
    (entry,) = [e for e in load_entries(books) if "transfer" in e.meta]
    assert [(p.account, p.units.number, p.units.currency) for p in entry.postings] == [
        ("Assets:Monobank:UAH", D("-4115.00"), "UAH"),
        ("Assets:Payoneer", D("100.00"), "USD"),
        ("Expenses:FX-Losses", D("0.82"), "USD"),
        ("Equity:Rounding", D("-0.0025"), "USD"),  # 100.8175 booked as 100.82
    ]
    ok(run(books, "rule", "add", "From Monobank", "Assets:Monobank:UAH", "--direction", "in"))
    payoneer = statement(
        tmp_path / "payoneer.csv",
        "2026-11-13,2026-11-13,P-502,Partner,From Monobank,100.00,USD,",
    )
    assert ok(run(books, "import", str(payoneer), "--account", "Assets:Payoneer"))[0] == (
        "line 2  2026-11-13  P-502  +100.00 USD  recorded: the other side of"
        " transfer/row-20261112-f646b0dbb022, booked from Assets:Monobank:UAH's statement"
        " ('Partner', 'From Monobank')"
    )
    assert len([e for e in load_entries(books) if "transfer" in e.meta]) == 1
    assert load_errors(books) == []


@pytest.mark.parametrize(
    ("iban", "message"),
    [
        ("DE89370400440532013001", "--iban 'DE89370400440532013001' is not an IBAN: The number's"
         " checksum or check digit is invalid."),
        ("XX00", "--iban 'XX00' is not an IBAN: The number's checksum or check digit is invalid."),
    ],
)  # fmt: skip
def test_a_bad_iban_is_one_line_and_changes_nothing(
    books: Path, run: Run, refused: Refused, snapshot: Snapshot, iban: str, message: str
) -> None:
    before = snapshot(books.parent)
    result = run(books, "bank", "add", "Assets:Revolut", "--currency", "USD", "--iban", iban)
    assert refused(result, 2) == message
    assert snapshot(books.parent) == before
