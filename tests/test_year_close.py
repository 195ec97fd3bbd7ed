"""year close: a sealed year rolled forward into ledger/archive/YYYY/, and the books after it.

The demo partner over 36 months (2023-11 .. 2026-10, every month sealed) is built once;
two years (2023, 2024) are rolled forward on a copy, and every report over the whole
period is compared with the unrolled books, to the cent.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from click.testing import CliRunner
from conftest import error_line, load_errors, succeeded, take_snapshot
from fava.application import create_app

from onebox_ledger.cli import cli
from onebox_ledger.store import Ledger

HEADS: dict[int, str] = {}  # December's digest of each year, read from the unrolled books' text


def december_digest(books: Path, year: int) -> str:
    """The digest December's seal writes, from the journal's text (not from our code)."""
    text = (books / "ledger" / "journal" / f"{year}-12.beancount").read_text(encoding="utf-8")
    found = re.findall(rf'^{year}-12-31 custom "onebox-close" "{year}-12" "(sha256:[0-9a-f]{{64}})"$',
                       text, re.MULTILINE)  # fmt: skip
    assert len(found) == 1, text[-400:]
    return str(found[0])


def invoke(main: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--ledger", str(main), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the unrolled demo over 36 months, a copy with 2023 and 2024 rolled forward)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONEBOX_TODAY", "2026-12-15")
        patch.setenv("BEANCOUNT_DISABLE_LOAD_CACHE", "1")
        patch.delenv("ONEBOX_LEDGER", raising=False)
        loader.initialize(use_cache=False)
        root = tmp_path_factory.mktemp("years")
        plain = root / "plain"
        built = invoke(
            plain / "main.beancount", "init", str(plain), "--demo",
            "--customers", "8", "--months", "36", "--seed", "1",
        )  # fmt: skip
        assert built.exit_code == 0, built.stderr
        HEADS.update({year: december_digest(plain, year) for year in (2023, 2024)})
        rolled = root / "rolled"
        shutil.copytree(plain, rolled)
        main = rolled / "main.beancount"
        assert succeeded(invoke(main, "year", "close", "2023")) == [
            "year 2023: 2 month file(s) archived in ledger/archive/2023/main.beancount;"
            " retained earnings 1875.00 USD; 4 opening entries; head carried " + HEADS[2023]
        ]
        assert succeeded(invoke(main, "year", "close", "2024")) == [
            "year 2024: 12 month file(s) archived in ledger/archive/2024/main.beancount;"
            " retained earnings 2953.86 USD; 19 opening entries; head carried " + HEADS[2024]
        ]
        yield plain / "main.beancount", main


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEBOX_TODAY", "2026-12-15")
    monkeypatch.setenv("BEANCOUNT_DISABLE_LOAD_CACHE", "1")
    monkeypatch.delenv("ONEBOX_LEDGER", raising=False)


REPORTS = [
    ("report", "keep"),
    ("report", "keep", "--by", "customer", "--format", "csv"),
    ("report", "keep", "--by", "contract", "--from", "2024-03-01", "--to", "2025-02-28"),
    ("report", "keep", "--from", "2023-11-01", "--to", "2023-12-31", "--format", "json"),
    ("report", "receivables", "--as-of", "2024-06-30"),
    ("report", "receivables", "--as-of", "2026-10-31"),
    ("report", "payables", "--as-of", "2024-12-31"),
    ("report", "payables", "--as-of", "2025-01-15"),
    ("report", "mrr", "--as-of", "2024-12-31"),
    ("report", "mrr", "--as-of", "2026-10-31"),
    ("report", "agents"),
    ("report", "agents", "--from", "2024-01-01", "--to", "2024-12-31"),
    ("report", "statement", "--agent", "nadia", "--month", "2024-12"),
    ("report", "vat", "--from", "2023-01-01", "--to", "2026-12-31"),
    ("report", "dunning", "--as-of", "2026-10-31"),
    ("report", "dunning", "--as-of", "2025-07-15"),  # one invoice to chase, level 1
]


@pytest.fixture(scope="module")
def unsummarised(books: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rolled books with every month summary removed (the archives' too): the load path."""
    copy = tmp_path_factory.mktemp("unsummarised") / "books"
    shutil.copytree(books[1].parent, copy)
    for folder in copy.rglob("summaries"):
        shutil.rmtree(folder)
    return copy / "main.beancount"


@pytest.mark.parametrize("args", REPORTS, ids=[" ".join(a) for a in REPORTS])
def test_every_report_over_the_whole_period_is_the_unrolled_books(
    books: tuple[Path, Path], unsummarised: Path, args: tuple[str, ...]
) -> None:
    """With the month summaries of every year (what the roll wrote) and without them."""
    plain, rolled = books
    before = succeeded(invoke(plain, *args))
    assert Ledger(rolled).history() is not None
    assert succeeded(invoke(rolled, *args)) == before
    assert Ledger(unsummarised).history() is None
    assert succeeded(invoke(unsummarised, *args)) == before
    assert len(before) > 3


SPANS = [
    ("report", "keep", "--from", "2024-12-31", "--to", "2025-01-01", "--by", "contract"),
    ("report", "keep", "--to", "2024-06-15", "--by", "customer"),
    ("report", "keep", "--from", "2023-12-01", "--to", "2023-12-31", "--by", "contract"),
    ("report", "keep", "--from", "2024-01-01", "--to", "2024-12-31", "--format", "csv"),
    ("report", "receivables", "--as-of", "2023-12-31"),
    ("report", "receivables", "--as-of", "2024-12-31"),
    ("report", "receivables", "--as-of", "2025-01-10"),
    ("report", "payables", "--as-of", "2026-10-31"),
    ("report", "mrr", "--as-of", "2023-12-15"),
    ("report", "mrr", "--as-of", "2025-03-31"),
]


@pytest.mark.parametrize("args", SPANS, ids=[" ".join(a) for a in SPANS])
def test_reports_across_a_roll_from_summaries(
    books: tuple[Path, Path], args: tuple[str, ...]
) -> None:
    """Periods beginning, ending or as of a day beside a roll: the closing entry and the
    opening entries are left out of the summaries holding them."""
    plain, rolled = books
    assert succeeded(invoke(rolled, *args)) == succeeded(invoke(plain, *args))


def test_the_history_reads_every_year_summarised_without_the_rolls(
    books: tuple[Path, Path],
) -> None:
    plain, rolled = books
    history = Ledger(rolled).history()
    assert history is not None
    months = [str(s.month) for s in history.summaries]
    assert (months[0], months[1], months[2], months[14], months[-1], len(months)) == (
        "2023-11", "2023-12", "2024-01", "2025-01", "2026-10", 36
    )  # fmt: skip
    # every transaction of the unrolled books (Beancount's own count), none the rolls wrote
    unrolled = [e for e in loader.load_file(str(plain))[0] if hasattr(e, "postings")]
    counted = sum(s.transactions for s in history.summaries) + len(history.later)
    assert counted == len(unrolled) == 890
    assert [str(s.since) for s in history.summaries[1:3]] == ["2023-12-01", "2024-01-01"]
    assert str(history.summaries[14].since) == "2025-01-01"


@pytest.mark.parametrize(
    "change",
    ["a comment in the archive's main file", "an archived summary removed",
     "the open books' opening summary removed"],
)  # fmt: skip
def test_a_stale_or_missing_summary_of_any_year_is_never_used(
    books: tuple[Path, Path], tmp_path: Path, change: str
) -> None:
    plain, rolled = books
    copy = tmp_path / "books"
    shutil.copytree(rolled.parent, copy)
    if change.startswith("a comment"):
        with (copy / "ledger/archive/2024/main.beancount").open("a") as main:
            main.write("; a comment\n")
    elif change.startswith("an archived"):
        (copy / "ledger/archive/2024/ledger/summaries/2024-07.json").unlink()
    else:
        (copy / "ledger/summaries/2025-01.json").unlink()
    assert Ledger(copy / "main.beancount").history() is None
    for args in (
        ("report", "keep", "--by", "contract"),
        ("report", "mrr", "--as-of", "2025-03-31"),
    ):
        assert succeeded(invoke(copy / "main.beancount", *args)) == succeeded(invoke(plain, *args))


def test_keep_over_the_three_years_to_the_cent(books: tuple[Path, Path]) -> None:
    """What the partner kept over everything, the same before and after the roll."""
    plain, rolled = books
    for main in (plain, rolled):
        lines = succeeded(invoke(main, "report", "keep", "--format", "csv"))
        assert lines[-1] == "kept after commission,63465.41,23939.63,38651.90,60.9"


def test_the_open_books_load_the_open_year_only(books: tuple[Path, Path]) -> None:
    _, rolled = books
    journal = sorted(p.name for p in (rolled.parent / "ledger" / "journal").iterdir())
    assert journal[0] == "2025-01.beancount"
    assert journal[-1] == "opening.beancount"
    assert len(journal) == 24  # 2025-01 .. 2026-10, November's issued documents, the opening
    entries = [e for e in loader.load_file(str(rolled))[0] if hasattr(e, "postings")]
    assert min(e.date for e in entries).isoformat() == "2024-12-31"  # the opening entries
    archived = sorted(
        p.relative_to(rolled.parent).as_posix()
        for p in (rolled.parent / "ledger" / "archive" / "2023").rglob("*.beancount")
    )
    assert archived == [
        "ledger/archive/2023/ledger/accounts.beancount",
        "ledger/archive/2023/ledger/customers.beancount",
        "ledger/archive/2023/ledger/journal/2023-11.beancount",
        "ledger/archive/2023/ledger/journal/2023-12.beancount",
        "ledger/archive/2023/ledger/journal/opening.beancount",
        "ledger/archive/2023/ledger/journal/year.beancount",
        "ledger/archive/2023/ledger/prices.beancount",
        "ledger/archive/2023/ledger/terms.beancount",
        "ledger/archive/2023/main.beancount",
    ]


def test_bean_check_of_each_archive_and_of_the_open_books(books: tuple[Path, Path]) -> None:
    _, rolled = books
    root = rolled.parent
    assert load_errors(rolled) == []
    assert load_errors(root / "ledger" / "archive" / "2023" / "main.beancount") == []
    assert load_errors(root / "ledger" / "archive" / "2024" / "main.beancount") == []


def test_the_closing_entry_and_its_seal(books: tuple[Path, Path]) -> None:
    _, rolled = books
    text = (rolled.parent / "ledger/archive/2023/ledger/journal/year.beancount").read_text()
    assert (
        '2023-12-31 * "Year end" "2023: income and expenses to Equity:Retained-Earnings"\n'
        '  id: "year/2023/close"\n'
        "  Expenses:Commission            -212.50 USD\n"
        "  Expenses:OneBox:Cloud          -162.50 USD\n"
        "  Income:Cloud                    250.00 USD\n"
        "  Income:Services                2000.00 USD\n"
        "  Equity:Retained-Earnings      -1875.00 USD\n"
    ) in text
    assert f'  previous: "{HEADS[2023]}"\n' in text
    assert '2023-12-31 custom "onebox-year" "2023" "sha256:' in text


def test_the_opening_states_open_items_and_carries_the_head(books: tuple[Path, Path]) -> None:
    _, rolled = books
    text = (rolled.parent / "ledger/journal/opening.beancount").read_text()
    assert (
        '2024-12-31 * "Berlin Immo GmbH" "Carried into 2025: invoice inv-2024-12-berlin-immo"\n'
        '  id: "year/2024/open/invoice/inv-2024-12-berlin-immo"\n'
        '  customer: "berlin-immo"\n'
        '  invoice: "inv-2024-12-berlin-immo"\n'
        "  issued: 2024-12-31\n"
        "  due: 2025-01-30\n"
        "  billed: 92.00\n"
        "  Assets:Receivable:Berlin-Immo         92.00 EUR @ 1.09 USD\n"
        "  Equity:Opening-Balances             -100.28 USD\n"
    ) in text
    assert "  Equity:Retained-Earnings                          -4828.86 USD\n" in text
    assert "  Liabilities:Deferred-Revenue:Delta-Logistics      -1646.08 USD\n" in text
    assert '2024-12-31 custom "onebox-opening" "2024-12" "sha256:' in text
    assert f'  previous: "{HEADS[2024]}"\n' in text
    january = (rolled.parent / "ledger/journal/2025-01.beancount").read_text()
    assert f'  previous: "{HEADS[2024]}"\n' in january  # the chain goes on from the archive


def test_verify_all_checks_the_archive_and_the_chain(books: tuple[Path, Path]) -> None:
    plain, rolled = books
    before = succeeded(invoke(plain, "verify"))
    assert before[-1] == (
        "verify: 36 sealed month(s) (2023-11..2026-10), 591 generated entries re-derived,"
        " 35 commission(s) re-derived, 8 document(s) checked, 0 finding(s), no drift"
    )
    assert succeeded(invoke(rolled, "verify", "--all")) == before
    assert succeeded(invoke(rolled, "verify"))[-1] == (
        "verify: 22 sealed month(s) (2025-01..2026-10), 456 generated entries re-derived,"
        " 22 commission(s) re-derived, 8 document(s) checked, 0 finding(s), no drift"
    )


def test_verify_all_names_an_archived_file_changed_by_one_byte(
    books: tuple[Path, Path], tmp_path: Path
) -> None:
    _, rolled = books
    copy = tmp_path / "books"
    shutil.copytree(rolled.parent, copy)
    path = copy / "ledger/archive/2024/ledger/journal/2024-03.beancount"
    text = path.read_text()
    assert text.count("  Assets:Bank                          163.79 USD\n") == 1
    path.write_text(text.replace("163.79 USD\n  Assets:Receivable", "163.78 USD\n  Assets:Receivable", 1).replace("-163.79 USD", "-163.78 USD", 1))  # fmt: skip
    result = invoke(copy / "main.beancount", "verify", "--all")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "error: ledger/archive/2024/ledger/journal/2024-03.beancount:94: 2024-03 is sealed but"
        " what its seal covers changed (digest sha256:"
    )
    assert "2024's opening entries as written" in result.stdout
    assert "-  Assets:Bank                                        5828.77 USD" in lines
    assert "+  Assets:Bank                                        5828.76 USD" in lines
    # verify of the open year alone does not read the archive
    assert invoke(copy / "main.beancount", "verify").exit_code == 0


def test_an_edited_opening_is_caught_by_bean_check(
    books: tuple[Path, Path], tmp_path: Path
) -> None:
    _, rolled = books
    copy = tmp_path / "books"
    shutil.copytree(rolled.parent, copy)
    path = copy / "ledger/journal/opening.beancount"
    text = path.read_text()
    assert text.count("  billed: 92.00\n") == 1
    path.write_text(text.replace("  billed: 92.00\n", "  billed: 92.01\n"))
    messages = [e.message for e in load_errors(copy / "main.beancount")]
    assert len(messages) == 1
    assert messages[0].startswith(
        "the opening of 2025 is sealed but what it covers (the opening entries, everything"
        " dated up to 2024-12-31) changed (digest sha256:"
    )


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("2023", "year 2023 is already rolled forward (ledger/archive/2023); nothing to do"),
        ("2024", "year 2024 is already rolled forward (ledger/archive/2024); nothing to do"),
        ("2026", "cannot close year 2026: year 2025 is not rolled forward yet"
                 " (run onebox-ledger year close 2025 first)"),
    ],
)  # fmt: skip
def test_refusals_on_the_rolled_books(books: tuple[Path, Path], year: str, message: str) -> None:
    _, rolled = books
    before = take_snapshot(rolled.parent)
    assert error_line(invoke(rolled, "year", "close", year), 1) == message
    assert take_snapshot(rolled.parent) == before


def test_a_year_out_of_order_is_refused(books: tuple[Path, Path]) -> None:
    plain, _ = books
    before = take_snapshot(plain.parent)
    assert error_line(invoke(plain, "year", "close", "2025"), 1) == (
        "cannot close year 2025: year 2023 is not rolled forward yet"
        " (run onebox-ledger year close 2023 first)"
    )
    assert take_snapshot(plain.parent) == before


def test_fava_shows_the_open_year_with_the_opening_entries(books: tuple[Path, Path]) -> None:
    _, rolled = books
    app = create_app([str(rolled)], read_only=True, poll_watcher=True)
    client = app.test_client()
    slug = "demo-onebox-partner"
    response = client.get(f"/{slug}/api/errors")
    assert response.status_code == 200
    assert json.loads(response.data)["data"] == []
    query = client.get(
        f"/{slug}/api/query",
        query_string={
            "query_string": "SELECT entry_meta('id') AS id, account, number, currency"
            " WHERE date = 2024-12-31 AND account ~ '^Assets:Receivable:Berlin'"
        },
    )
    rows = json.loads(query.data, parse_float=Decimal)["data"]["rows"]
    assert rows == [
        ["year/2024/open/invoice/inv-2024-12-berlin-immo", "Assets:Receivable:Berlin-Immo",
         Decimal("92.00"), "EUR"],
    ]  # fmt: skip
    first = client.get(
        f"/{slug}/api/query",
        query_string={"query_string": "SELECT min(date) AS first, count(id) AS n"},
    )
    assert json.loads(first.data)["data"]["rows"][0][0] == "2024-12-31"


# ---------------------------------------------------------------- a payment after the roll


def _start(root: Path, *details: str) -> Path:
    """A partner from 2025 with a EUR customer from 2025-11 (`details`: a partner set first)."""
    main = root / "main.beancount"
    succeeded(invoke(main, "init", str(root), "--start", "2025-01-01"))
    if details:
        succeeded(invoke(main, "partner", "set", *details))
    for step in (
        ("terms", "item", "cloud-user", "25 USD", "--date", "2025-01-01"),
        ("terms", "rate", "1", "0.60", "--date", "2025-01-01"),
        ("terms", "payment", "30", "--date", "2025-01-01"),
        ("price", "EUR", "1.10 USD", "--date", "2025-01-01"),
        ("price", "EUR", "1.20 USD", "--date", "2026-01-01"),
        ("bank", "add", "Assets:Wise:EUR", "--currency", "EUR", "--date", "2025-01-01"),
        ("customer", "add", "berlin", "--name", "Berlin Immo", "--currency", "EUR",
         "--date", "2025-01-01"),
        ("contract", "add", "berlin-cloud", "--customer", "berlin", "--stream", "cloud",
         "--price", "23 EUR", "--quantity", "4", "--start", "2025-11-01", "--item", "cloud-user"),
    ):  # fmt: skip
        succeeded(invoke(main, *step))
    return main


def _seed(root: Path) -> Path:
    """A partner from 2025 with a EUR customer, every month of 2025 closed, December's
    invoice (92.00 EUR at 1.10) and OneBox's December bill open at the year's end."""
    main = _start(root)
    for month in range(11, 13):
        succeeded(invoke(main, "close", f"2025-{month:02d}"))
    succeeded(invoke(main, "receive", "berlin", "92 EUR", "--date", "2025-12-10"))
    return main


def test_a_payment_after_the_roll_settles_an_old_invoice_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("ONEBOX_TODAY", "2026-01-25")
    plain = _seed(tmp_path / "plain")
    shutil.copytree(plain.parent, tmp_path / "rolled")
    rolled = tmp_path / "rolled" / "main.beancount"
    succeeded(invoke(rolled, "year", "close", "2025"))
    for main in (plain, rolled):
        succeeded(
            invoke(main, "receive", "berlin", "92 EUR", "--date", "2026-01-20", "--ref", "B-1")
        )
        succeeded(invoke(main, "onebox", "pay", "60 USD", "--date", "2026-01-21", "--ref", "B-2"))
    january = (plain.parent / "ledger/journal/2026-01.beancount").read_text()
    assert (tmp_path / "rolled/ledger/journal/2026-01.beancount").read_text() == january
    assert (
        '2026-01-20 * "Berlin Immo" "Payment received"\n'
        '  id: "receive/B-1"\n'
        '  customer: "berlin"\n'
        "  amount: 92.00 EUR\n"
        '  ref: "B-1"\n'
        "  Assets:Wise:EUR                  92.00 EUR @ 1.20 USD\n"
        "  Assets:Receivable:Berlin        -92.00 EUR @ 1.10 USD\n"
        '    invoice: "inv-2025-12-berlin"\n'
        "  Income:FX-Gains                  -9.20 USD\n"
    ) in january
    assert (
        '  Liabilities:OneBox:Payable         60.00 USD\n    bill: "onebox-2025-11"\n'
    ) in january
    monkeypatch.setenv("ONEBOX_TODAY", "2026-02-05")
    for main in (plain, rolled):
        succeeded(invoke(main, "close", "2026-01"))
    assert (tmp_path / "rolled/ledger/journal/2026-01.beancount").read_text() == (
        plain.parent / "ledger/journal/2026-01.beancount"
    ).read_text()
    assert succeeded(invoke(rolled, "verify", "--all"))[-1].endswith("0 finding(s), no drift")
    for args in (("report", "keep"), ("report", "receivables", "--as-of", "2026-01-31"),
                 ("report", "payables", "--as-of", "2026-01-31")):  # fmt: skip
        assert succeeded(invoke(rolled, *args)) == succeeded(invoke(plain, *args))


def test_a_year_with_a_month_unsealed_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("ONEBOX_TODAY", "2026-01-25")
    main = _seed(tmp_path / "books")
    december = tmp_path / "books/ledger/journal/2025-12.beancount"
    text = december.read_text()
    seal = text.index('2025-12-31 custom "onebox-close"')
    december.write_text(text[:seal])  # December's close not run: its seal missing
    before = take_snapshot(tmp_path / "books")
    assert error_line(invoke(main, "year", "close", "2025"), 1) == (
        "cannot close year 2025: 2025-12 is not sealed (close it first: onebox-ledger close 2025-12)"
    )
    assert take_snapshot(tmp_path / "books") == before


PARTNER = ("--name", "Muster Cloud GmbH", "--country", "DE", "--vat-id", "DE136695976",
           "--address", "Hauptstr. 1, 10115 Berlin", "--iban", "DE89370400440532013000",
           "--tax", "none", "--date", "2025-01-01")  # fmt: skip
DOCUMENT = "documents/invoices/2025-11/inv-2025-11-berlin.pdf"


def test_a_year_with_issued_documents_rolls_and_its_documents_are_still_checked_and_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEBOX_TODAY", "2025-12-05")
    main = _start(tmp_path / "books", *PARTNER)
    succeeded(invoke(main, "close", "2025-11"))
    issued = succeeded(invoke(main, "invoice", "show", "inv-2025-11-berlin"))
    assert issued[0].startswith(f"issued inv-2025-11-berlin: {DOCUMENT} (sha256 ")
    pdf = (tmp_path / "books" / DOCUMENT).read_bytes()
    monkeypatch.setenv("ONEBOX_TODAY", "2026-01-25")
    succeeded(invoke(main, "close", "2025-12"))
    assert succeeded(invoke(main, "year", "close", "2025"))[0].startswith(
        "year 2025: 2 month file(s) archived in ledger/archive/2025/main.beancount;"
        " retained earnings 82.40 USD; 5 opening entries; head carried sha256:"
    )
    archive = tmp_path / "books/ledger/archive/2025"
    december = (archive / "ledger/journal/2025-12.beancount").read_text()
    assert (
        '2025-12-05 document Assets:Receivable:Berlin "../../../../../' + DOCUMENT + '"\n'
        '  id: "document/inv-2025-11-berlin"\n'
    ) in december
    assert load_errors(archive / "main.beancount") == []
    assert load_errors(main) == []
    assert succeeded(invoke(main, "verify", "--all"))[-1] == (
        "verify: 2 sealed month(s) (2025-11..2025-12), 4 generated entries re-derived,"
        " 1 document(s) checked, 0 finding(s), no drift"
    )
    # the archive gives the same bytes (issued once), and Fava opening it serves them
    again = succeeded(invoke(archive / "main.beancount", "invoice", "show", "inv-2025-11-berlin"))
    assert again == [
        f"issued before inv-2025-11-berlin: {tmp_path / 'books' / DOCUMENT} (sha256"
        f" {issued[0].split('(sha256 ')[1]}"
    ]
    client = create_app(
        [str(archive / "main.beancount")], read_only=True, poll_watcher=True
    ).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    served = client.get(
        f"/{slug}/document/",
        query_string={"filename": str(tmp_path / "books" / DOCUMENT)},
    )
    status, body = served.status_code, served.data
    served.close()  # the file Fava sent
    assert (status, body) == (200, pdf)
    # one byte changed in the filed PDF: verify --all names it in the archive
    (tmp_path / "books" / DOCUMENT).write_bytes(pdf + b"x")
    result = invoke(main, "verify", "--all")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(
        "error: ledger/archive/2025/ledger/journal/2025-12.beancount:3: document"
        f" {tmp_path / 'books' / DOCUMENT} of inv-2025-11-berlin was altered after it was"
        " issued (sha256 "
    )


def test_a_bank_added_in_the_next_year_before_the_roll_stays_in_the_open_books(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bank add --opening after December's close writes to opening.beancount, dated in the
    next year: the roll keeps that entry in the open books (and opens Equity:Opening-Balances,
    which bank add opened on that day, on the year's last day)."""
    monkeypatch.setenv("ONEBOX_TODAY", "2026-01-25")
    plain = _seed(tmp_path / "plain")
    added = invoke(
        plain, "bank", "add", "Assets:Cash:USD", "--currency", "USD", "--opening", "480 USD"
    )
    assert succeeded(added) == [
        "bank account Assets:Cash:USD: USD from 2026-01-01, opening balance 480.00 USD"
    ]
    shutil.copytree(plain.parent, tmp_path / "rolled")
    rolled = tmp_path / "rolled" / "main.beancount"
    succeeded(invoke(rolled, "year", "close", "2025"))
    entry = (
        '2026-01-01 * "Opening balance" "Assets:Cash:USD on 2026-01-01"\n'
        '  id: "opening/Assets:Cash:USD"\n'
        "  amount: 480.00 USD\n"
        "  Assets:Cash:USD                480.00 USD\n"
        "  Equity:Opening-Balances       -480.00 USD\n"
    )
    opening = (tmp_path / "rolled/ledger/journal/opening.beancount").read_text()
    assert opening.endswith(
        "\n\n; Dated after 2025: kept in the open books by the roll.\n\n" + entry
    )
    archived = (
        tmp_path / "rolled/ledger/archive/2025/ledger/journal/opening.beancount"
    ).read_text()
    assert "2026-01-01" not in archived
    accounts = (tmp_path / "rolled/ledger/accounts.beancount").read_text()
    assert "\n2025-12-31 open Equity:Opening-Balances\n" in accounts
    assert load_errors(rolled) == []
    assert load_errors(tmp_path / "rolled/ledger/archive/2025/main.beancount") == []
    assert succeeded(invoke(rolled, "verify", "--all"))[-1] == (
        "verify: 2 sealed month(s) (2025-11..2025-12), 4 generated entries re-derived,"
        " 1 booked late (value-date in a sealed month), 0 finding(s), no drift"
    )
    for args in (("report", "keep"), ("report", "receivables", "--as-of", "2026-01-20")):
        assert succeeded(invoke(rolled, *args)) == succeeded(invoke(plain, *args))


def test_an_account_opened_in_a_sealed_month_after_the_year_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEBOX_TODAY", "2026-01-25")
    main = _seed(tmp_path / "books")
    succeeded(invoke(main, "bank", "add", "Assets:Cash:USD", "--currency", "USD",
                     "--opening", "480 USD"))  # fmt: skip
    monkeypatch.setenv("ONEBOX_TODAY", "2026-02-05")
    succeeded(invoke(main, "close", "2026-01"))
    before = take_snapshot(tmp_path / "books")
    assert error_line(invoke(main, "year", "close", "2025"), 1) == (
        "cannot close year 2025: the opening entries post to Equity:Opening-Balances on"
        " 2025-12-31, but it opens on 2026-01-01 (ledger/accounts.beancount:24); open it on"
        " 2025-12-31 or earlier in ledger/accounts.beancount, then run year close again"
    )
    assert take_snapshot(tmp_path / "books") == before


def test_a_roll_interrupted_after_its_archive_landed_is_finished_with_its_summaries(
    books: tuple[Path, Path], tmp_path: Path
) -> None:
    """The archive and the opening written, the month files of 2024 still there (as a crash
    before their removal leaves them) and no summaries yet: year close 2024 again removes the
    month files and writes the summaries of the archive and of the open books."""
    plain, rolled = books
    copy = tmp_path / "books"
    shutil.copytree(rolled.parent, copy)
    journal = copy / "ledger" / "journal"
    for path in sorted((plain.parent / "ledger" / "journal").glob("2024-*.beancount")):
        shutil.copy2(path, journal / path.name)
    for folder in copy.rglob("summaries"):
        shutil.rmtree(folder)
    main = copy / "main.beancount"
    assert succeeded(invoke(main, "year", "close", "2024")) == [
        "year 2024: finished an interrupted roll (12 month file(s) removed)"
    ]
    assert sorted(p.name for p in journal.glob("2024-*")) == []
    archived = copy / "ledger" / "archive" / "2024" / "ledger" / "summaries"
    assert sorted(p.name for p in archived.glob("*.json")) == [
        f"2024-{n:02d}.json" for n in range(1, 13)
    ]
    open_books = copy / "ledger" / "summaries"
    assert sorted(p.name for p in open_books.glob("*.json")) == [
        *(f"2025-{n:02d}.json" for n in range(1, 13)),
        *(f"2026-{n:02d}.json" for n in range(1, 11)),
    ]
    assert succeeded(invoke(main, "verify", "--quick"))[-1] == (
        "verify --quick: 22 sealed month(s) (2025-01..2026-10) against their summaries,"
        " 0 finding(s); nothing re-derived (onebox-ledger verify does)"
    )


def test_verify_quick_follows_the_head_the_opening_carries(
    books: tuple[Path, Path], tmp_path: Path
) -> None:
    """The first month after the opening follows the archive's head the opening carries: the
    rolled books' quick check passes, and an opening carrying another head breaks the chain."""
    _, rolled = books
    assert succeeded(invoke(rolled, "verify", "--quick"))[-1] == (
        "verify --quick: 22 sealed month(s) (2025-01..2026-10) against their summaries,"
        " 0 finding(s); nothing re-derived (onebox-ledger verify does)"
    )
    copy = tmp_path / "books"
    shutil.copytree(rolled.parent, copy)
    opening = copy / "ledger" / "journal" / "opening.beancount"
    other = "sha256:" + "0" * 64
    text = opening.read_text(encoding="utf-8")
    assert text.count(f'previous: "{HEADS[2024]}"') == 1
    opening.write_text(text.replace(HEADS[2024], other), encoding="utf-8")
    result = invoke(copy / "main.beancount", "verify", "--quick")
    assert result.exit_code == 1
    assert (
        f"error: ledger/journal/2025-01.beancount: 2025-01's seal names previous {HEADS[2024]},"
        f" but the seal before it is {other}: the chain is broken"
    ) in result.stdout.splitlines()
