"""OneBox's bill, line by line (``onebox reconcile``), on a ledger built with the commands:
acme 5, beta 5 and gamma 3 cloud users all November, delta's 2 users ended 2026-10-31; one
box tier, 65% of a 25.00 list price. The close accrued 81.25 + 81.25 + 48.75 = 211.25.

The bill (tests/fixtures/reconcile/onebox-2026-11.csv), worked by hand:

    acme   5 x 25.00 x 65% =  81.25   match
    beta   7 x 25.00 x 65% = 113.75   quantity: 2 seats leaked, +32.50
    gamma  3 x 25.00 x 70% =  52.50   rate: not the month's tier, +3.75
    delta  2 x 25.00 x 65% =  32.50   orphan: the contract ended in October, +32.50
                              280.00   = 211.25 accrued + 68.75
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_fava_ext import client, get, parse

FIXTURES = Path(__file__).parent / "fixtures" / "reconcile"
BILL = FIXTURES / "onebox-2026-11.csv"
EXPORT = FIXTURES / "export-2026-11.csv"

STEPS: list[tuple[str, ...]] = [
    ("terms", "item", "cloud-user", "25 USD", "--date", "2026-01-01"),
    ("terms", "rate", "1", "0.65", "--date", "2026-01-01"),
    ("terms", "rate", "10", "0.60", "--date", "2026-01-01"),
    ("terms", "payment", "30", "--date", "2026-01-01"),
    *[("customer", "add", c, "--name", f"{c.capitalize()} Ltd", "--date", "2026-10-01")
      for c in ("acme", "beta", "gamma", "delta")],
    *[("contract", "add", f"{c}-cloud", "--customer", c, "--stream", "cloud", "--price",
       "25 USD", "--quantity", q, "--start", "2026-10-01", "--item", "cloud-user")
      for c, q in (("acme", "5"), ("beta", "5"), ("gamma", "3"))],
    ("contract", "add", "delta-cloud", "--customer", "delta", "--stream", "cloud", "--price",
     "25 USD", "--quantity", "2", "--start", "2026-10-01", "--end", "2026-10-31", "--item",
     "cloud-user"),
    ("close", "2026-10"),
    ("close", "2026-11"),
]  # fmt: skip


@pytest.fixture
def books(new_ledger: Path, run, ok) -> Path:
    for step in STEPS:
        ok(run(new_ledger, *step))
    return new_ledger


TABLE = """\
OneBox bill onebox-2026-11, line by line, in USD

line  status    box      customer  contract     item        expected  billed  difference  reason
----  --------  -------  --------  -----------  ----------  --------  ------  ----------  ---------------------------------------------------------
   2  match     bx-1001  acme      acme-cloud   cloud-user     81.25   81.25        0.00  as accrued
   3  quantity  bx-1002  beta      beta-cloud   cloud-user     81.25  113.75       32.50  quantity 7 billed, 5 expected
   4  rate      bx-1003  gamma     gamma-cloud  cloud-user     48.75   52.50        3.75  rate 70% billed, 65% the month's tier
   5  orphan    bx-0977  delta                  cloud-user      0.00   32.50       32.50  box bx-0977: no active contract of 'delta' for cloud-user

total  expected  billed  difference
-----  --------  ------  ----------
total    211.25  280.00       68.75
note: 1 match, 1 quantity, 1 rate, 1 orphan
"""


def test_each_line_is_classified_and_the_total_is_the_variance(books, run, ok, snapshot):
    before = snapshot(books.parent)
    assert "\n".join(ok(run(books, "onebox", "reconcile", str(BILL)))) + "\n" == TABLE
    assert snapshot(books.parent) == before  # without --record it writes nothing
    rows = json.loads(run(books, "onebox", "reconcile", str(BILL), "--format", "json").stdout)
    assert [(r["status"], r["difference"]) for r in rows["rows"]] == [
        ("match", "0.00"), ("quantity", "32.50"), ("rate", "3.75"), ("orphan", "32.50"),
    ]  # fmt: skip
    assert rows["totals"] == [
        {"total": "total", "expected": "211.25", "billed": "280.00", "difference": "68.75"}
    ]
    # the same bill recorded as one lump books the same variance
    lump = books.parent.parent / "lump"
    shutil.copytree(books.parent, lump)
    assert ok(
        run(
            lump / "main.beancount",
            "onebox",
            "bill",
            "onebox-2026-11",
            "280 USD",
            "--date",
            "2026-12-03",
        )
    ) == [
        "bill onebox-2026-11: billed 280.00 USD, accrued 211.25 USD, difference +68.75 USD to"
        " Expenses:OneBox:Adjustment"
    ]


def test_record_books_four_adjustments_one_per_line(books, run, ok, bean_check, entries):
    """The issue's bill: one matching line, a 2-seat leak, a wrong tier, an orphan box: four
    adjustments (the match at 0.00, so every line of the bill is in the books) whose sum,
    0.00 + 32.50 + 3.75 + 32.50, is the variance 68.75."""
    lines = ok(run(books, "onebox", "reconcile", str(BILL), "--record", "--date", "2026-12-03"))
    assert lines[-1] == (
        "bill onebox-2026-11: billed 280.00 USD, accrued 211.25 USD, difference +68.75 USD in 4"
        " adjustment(s), one per line"
    )
    assert bean_check(books) == []
    adjusted = [
        (e.meta["id"], e.meta.get("customer"), e.meta.get("contract"), e.meta["reason"],
         e.postings[0].account, e.postings[0].units.number)
        for e in entries(books) if str(e.meta.get("id", "")).startswith("bill/")
    ]  # fmt: skip
    from decimal import Decimal

    assert adjusted == [
        ("bill/onebox-2026-11/line-2", "acme", "acme-cloud", "match",
         "Expenses:OneBox:Adjustment", Decimal("0.00")),
        ("bill/onebox-2026-11/line-3", "beta", "beta-cloud", "quantity",
         "Expenses:OneBox:Adjustment", Decimal("32.50")),
        ("bill/onebox-2026-11/line-4", "gamma", "gamma-cloud", "rate",
         "Expenses:OneBox:Adjustment", Decimal("3.75")),
        ("bill/onebox-2026-11/line-5", "delta", None, "orphan",
         "Expenses:OneBox:Adjustment", Decimal("32.50")),
    ]  # fmt: skip
    assert len(adjusted) == 4
    assert sum(a[-1] for a in adjusted) == Decimal("68.75")
    payables = ok(run(books, "report", "payables", "--as-of", "2026-12-15", "--format", "csv"))
    assert (
        "onebox-2026-11,2026-11-30,USD,211.25,280.00,68.75,0.00,280.00,2026-12-30,open" in payables
    )
    again = ok(run(books, "onebox", "reconcile", str(BILL), "--record", "--date", "2026-12-03"))
    assert again[-1] == "bill onebox-2026-11 already stands at 280.00 USD; nothing changed"
    assert ok(
        run(books, "onebox", "bill", "onebox-2026-11", "280 USD", "--date", "2026-12-04")
    ) == ["bill onebox-2026-11 already stands at 280.00 USD; nothing changed"]


def test_another_export_through_map_with_a_missing_line_and_a_moved_price(books, run, ok):
    result = run(books, "onebox", "reconcile", str(EXPORT), "--format", "csv",
                 "--map", "period=Billing period,box=Box ID,customer_ref=Client,item=SKU",
                 "--map", "quantity=Seats,list_price=List price,rate=Partner rate,amount=Total",
                 "--map", "currency=Cur")  # fmt: skip
    assert ok(result) == [
        "line,status,box,customer,contract,item,expected,billed,difference,reason",
        "2,match,bx-1002,beta,beta-cloud,cloud-user,81.25,81.25,0.00,as accrued",
        "3,price,bx-1003,gamma,gamma-cloud,cloud-user,48.75,50.70,1.95,"
        '"list price 26.00 billed, 25.00 expected"',
        "4,orphan,bx-2001,zeta-old,,cloud-user,0.00,16.25,16.25,"
        "box bx-2001: no active contract of 'zeta-old' for cloud-user",
        ",missing,,acme,acme-cloud,cloud-user,81.25,0.00,-81.25,"
        "acme-cloud accrued 81.25 USD; no line of the bill",
        "",
        "total,expected,billed,difference",
        "total,211.25,148.20,-63.05",
    ]


@pytest.mark.parametrize(
    ("text", "extra", "code", "message"),
    [
        ("period,box,customer_ref,item,quantity,amount,currency\n"
         "2026-11,bx-1,acme,cloud-user,five,81.25,USD\n", (), 2,
         "{file}:2: quantity 'five' is not a number"),
        ("period,box,client,item,quantity,amount,currency\n", (), 2,
         "{file}: no column 'customer_ref' in the header (period, box, client, item, quantity,"
         " amount, currency); name it with --map customer_ref=THEIR_NAME"),
        ("period,box,customer_ref,item,quantity,amount,currency\n"
         "2026-13,bx-1,acme,cloud-user,5,81.25,USD\n", (), 2,
         "{file}:2: month '2026-13' is not a valid YYYY-MM month"),
        ("period,box,customer_ref,item,quantity,amount,currency\n"
         "2026-11,bx-1,acme,cloud-user,5,81.25,EUR\n", (), 2,
         "bill onebox-2026-11 is in USD; the lines hold EUR"),
        ("period,box,customer_ref,item,quantity,amount,currency\n"
         "2026-12,bx-1,acme,cloud-user,5,81.25,USD\n", (), 2,
         "unknown bill 'onebox-2026-12' (did you mean 'onebox-2026-11'?)"),
        ("period,box,customer_ref,item,quantity,amount,currency\n"
         "2026-11,bx-1,acme,cloud-user,5,81.25,USD\n", ("--record",), 2,
         "--record needs --date (the date of OneBox's bill)"),
        ("period,box,customer_ref,item,quantity,amount,currency\n"
         "2026-11,bx-1,acme,cloud-user,5,81.25,USD\n", ("--record", "--date", "2026-11-30"), 1,
         "--date 2026-11-30 is in sealed month 2026-11; the books are closed through 2026-11"
         " (use a date from 2026-12-01 on)"),
        ("period,box,customer_ref,item,quantity,amount,currency\n"
         '2026-11,"bx-1\x07",acme,cloud-user,5,81.25,USD\n', (), 2,
         "{file}:2: box contains a control character (U+0007); remove it"),
        ("period,box,customer_ref,item,quantity,amount,currency\n", (), 2,
         "{file} has no bill lines"),
    ],
)  # fmt: skip
def test_a_bad_bill_is_one_line_and_changes_nothing(
    books, run, refused, snapshot, tmp_path, text, extra, code, message
):
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    before = snapshot(books.parent)
    assert refused(run(books, "onebox", "reconcile", str(bad), *extra), code) == message.format(
        file=bad
    )
    assert snapshot(books.parent) == before


def test_a_bad_map_is_refused(books, run, refused):
    assert refused(run(books, "onebox", "reconcile", str(BILL), "--map", "total"), 2) == (
        "--map 'total' is not COLUMN=THEIR_NAME (like amount=Total)"
    )
    assert refused(run(books, "onebox", "reconcile", str(BILL), "--map", "sum=Total"), 2) == (
        "--map names unknown column 'sum' (columns: period, box, customer_ref, item, quantity,"
        " list_price, rate, amount, currency)"
    )


def test_a_disputed_line_stays_open_in_payables_until_onebox_credits_it(
    books, run, ok, refused, snapshot, bean_check
):
    """Lines 4 (wrong tier, 3.75) and 5 (orphan box, 32.50) disputed: 36.25 held back. Paid
    280.00 - 36.25 = 243.75, the bill's whole open amount is disputed (not overdue). OneBox's
    credit of 32.50 settles line 4 (3.75) and 28.75 of line 5, which keeps 3.75 open; a
    second credit of 3.75 settles it: the bill stands at 243.75, paid."""
    ok(run(books, "onebox", "reconcile", str(BILL), "--record", "--date", "2026-12-03"))
    assert ok(run(books, "onebox", "dispute", "onebox-2026-11", "5", "--memo",
                  "bx-0977 left with delta in October", "--date", "2026-12-05")) == [
        "bill onebox-2026-11 line 5 disputed: 32.50 USD (orphan); report payables keeps it open"
        " until OneBox credits it"
    ]  # fmt: skip
    ok(run(books, "onebox", "dispute", "onebox-2026-11", "4", "--memo", "tier 1 is 65%",
           "--date", "2026-12-05"))  # fmt: skip
    journal = (books.parent / "ledger" / "journal" / "2026-12.beancount").read_text()
    assert (
        '2026-12-05 custom "onebox-dispute" "onebox-2026-11" "line-5"\n'
        '  id: "dispute/onebox-2026-11/line-5"\n'
        "  amount: 32.50 USD\n"
        '  memo: "bx-0977 left with delta in October"\n'
    ) in journal
    payables = ("report", "payables", "--as-of", "2026-12-15")
    notes = [
        "note: disputed since 2026-12-05: onebox-2026-11 line-4, 3.75 USD (tier 1 is 65%); open"
        " until OneBox credits it (onebox bill BILL AMOUNT --credit)",
        "note: disputed since 2026-12-05: onebox-2026-11 line-5, 32.50 USD (bx-0977 left with"
        " delta in October); open until OneBox credits it (onebox bill BILL AMOUNT --credit)",
    ]
    shown = ok(run(books, *payables))
    assert "onebox-2026-11  2026-11-30  USD        211.25  280.00       68.75  0.00  280.00" \
        "  2026-12-30  open" in shown  # fmt: skip
    assert shown[-2:] == notes
    ok(run(books, "onebox", "pay", "243.75 USD", "--date", "2026-12-10", "--bill",
           "onebox-2026-11"))  # fmt: skip
    shown = ok(run(books, *payables, "--format", "csv"))
    assert "onebox-2026-11,2026-11-30,USD,211.25,280.00,68.75,243.75,36.25,2026-12-30,disputed" \
        in shown  # fmt: skip
    assert "disputed,USD,36.25" in shown
    page = parse(get(client(books), "/onebox-partner/extension/OneBox/"))
    rows, totals = page.sections["onebox-payables"]
    assert rows[-1][-3:] == ["36.25", "2026-12-30", "disputed"]
    assert totals[-1] == ["disputed", "USD", "36.25"]
    assert ok(run(books, "onebox", "bill", "onebox-2026-11", "32.50 USD", "--credit", "--date",
                  "2026-12-12")) == [
        "bill onebox-2026-11: OneBox credited 32.50 USD; billed 247.50 USD, accrued 211.25 USD,"
        " difference -32.50 USD to Expenses:OneBox:Adjustment; 32.50 USD of its disputes"
        " settled, 3.75 USD still disputed"
    ]  # fmt: skip
    shown = ok(run(books, *payables))
    assert "onebox-2026-11  2026-11-30  USD        211.25  247.50       36.25  243.75    3.75" \
        "  2026-12-30  disputed" in shown  # fmt: skip
    assert shown[-1] == (
        "note: disputed since 2026-12-05: onebox-2026-11 line-5, 3.75 USD of 32.50 USD (bx-0977"
        " left with delta in October); open until OneBox credits it (onebox bill BILL AMOUNT"
        " --credit)"
    )
    credit = ("onebox", "bill", "onebox-2026-11", "3.75 USD", "--credit", "--date", "2026-12-13",
              "--ref", "CN-2")  # fmt: skip
    assert ok(run(books, *credit))[0].endswith("3.75 USD of its disputes settled, 0.00 USD still"
                                               " disputed")  # fmt: skip
    assert ok(run(books, *credit)) == [
        "credit CN-2 on bill onebox-2026-11 already recorded; nothing changed"
    ]
    assert "onebox-2026-11,2026-11-30,USD,211.25,243.75,32.50,243.75,0.00,2026-12-30,paid" in ok(
        run(books, *payables, "--format", "csv")
    )
    assert not any(line.startswith("note: disputed") for line in ok(run(books, *payables)))
    assert bean_check(books) == []
    # refusals: one line each, nothing written
    before = snapshot(books.parent)
    for args, code, message in [
        (("2",), 1, "line 2 of bill onebox-2026-11 differs by +0.00 USD from the books (match);"
                    " nothing to dispute"),
        (("9",), 1, "line 9 of bill onebox-2026-11 is not in the books (book the bill line by"
                    " line first: onebox reconcile FILE --record --date DATE)"),
        (("5",), 1, "line 5 of bill onebox-2026-11 is already disputed since 2026-12-05"),
    ]:  # fmt: skip
        result = run(books, "onebox", "dispute", "onebox-2026-11", *args, "--memo", "x", "--date",
                     "2026-12-14")  # fmt: skip
        assert refused(result, code) == message
    result = run(books, "onebox", "dispute", "onebox-2026-12", "5", "--memo", "x", "--date",
                 "2026-12-14")  # fmt: skip
    assert refused(result, 2) == "unknown bill 'onebox-2026-12' (did you mean 'onebox-2026-11'?)"
    assert snapshot(books.parent) == before


def test_a_malformed_dispute_is_a_bean_check_error(books, bean_check):
    path = books.parent / "ledger" / "journal" / "2026-12.beancount"
    path.write_text('2026-12-05 custom "onebox-dispute" "onebox-2026-11" "line-5"\n')
    assert [e.message for e in bean_check(books)] == [
        "a dispute needs amount: above 0 (like 32.50 USD), not None"
    ]


def test_the_demo_s_sample_bill_reconciles_and_records(books, run, ok, entries, tmp_path):
    """sample_lines over November's accrual: acme billed 7 seats for 5 (7 x 25.00 x 65% =
    113.75, +32.50), beta and gamma as accrued, one orphan box of delta's (1 x 25.00 x 65% =
    16.25): 211.25 + 48.75 = 260.00, recorded as four adjustments, one per line."""
    from onebox_ledger import reconcile
    from onebox_ledger.model import parse_book
    from onebox_ledger.values import Month

    loaded = entries(books)
    accrued = reconcile.expected(loaded, parse_book(loaded)[0], "onebox-2026-11")
    lines = reconcile.sample_lines(accrued, Month(2026, 11), orphan="delta")
    bill = tmp_path / "onebox-2026-11.csv"
    bill.write_text(reconcile.lines_csv(lines))
    assert bill.read_text() == (
        "period,box,customer_ref,item,quantity,list_price,rate,amount,currency\n"
        "2026-11,bx-1001,acme-cloud,cloud-user,7,25.00,0.65,113.75,USD\n"
        "2026-11,bx-1002,beta-cloud,cloud-user,5,25.00,0.65,81.25,USD\n"
        "2026-11,bx-1003,gamma-cloud,cloud-user,3,25.00,0.65,48.75,USD\n"
        "2026-11,bx-0977,delta,cloud-user,1,25.00,0.65,16.25,USD\n"
    )
    shown = ok(run(books, "onebox", "reconcile", str(bill), "--format", "csv"))
    assert [row.split(",")[1] for row in shown[1:5]] == ["quantity", "match", "match", "orphan"]
    assert shown[-1] == "total,211.25,260.00,48.75"
    assert ok(run(books, "onebox", "reconcile", str(bill), "--record", "--date", "2026-12-03"))[
        -1
    ] == (
        "bill onebox-2026-11: billed 260.00 USD, accrued 211.25 USD, difference +48.75 USD in 4"
        " adjustment(s), one per line"
    )


def test_the_demo_s_agent_directives():
    import datetime

    from onebox_ledger import agents, beans

    assert beans.format_entries(agents.demo_entries("acme-realty", datetime.date(2026, 3, 1))) == (
        '2026-03-01 custom "onebox-agent" "nadia"\n  name: "Nadia Koval"\n\n'
        '2026-03-01 custom "onebox-assign" "acme-realty" "nadia"\n  rate: 0.10\n'
    )
