"""trends: the page's tables and the reports month by month, from one pass over the entries.

Every number must be the report command's: the tables are reports.overview's cell for
cell, and each month's keep, MRR and aging are
``report keep --from --to``, ``report mrr --as-of`` and ``report receivables --as-of``
for that month. Checked on the shipped demo for every month and several periods, on
values worked out by hand, and on inline ledgers for what the demo does not have (a
bounced payment reopening a settled invoice, a period ending inside a month).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data

from onebox_ledger import model, render, reports, trends
from onebox_ledger.values import Month

D = Decimal
ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 12, 15)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture(scope="module")
def demo(
    shipped_demo: tuple[list[data.Directive], model.Book],
) -> tuple[list[data.Directive], model.Book]:
    return shipped_demo


def collect(
    entries: list[data.Directive],
    book: model.Book,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    today: datetime.date = TODAY,
) -> trends.Overview:
    as_of = min(end, today) if end else today
    months = trends.chart_months(start, end, today)
    return trends.collect(
        book, entries, "USD", start=start, end=end, as_of=as_of, today=today, months=months
    )


def of_month(table: reports.Table, month: str, skip: int) -> list[list[Any]]:
    return [row[skip:] for row in table.rows if row[0] == month]


def eur_rate(entries: list[data.Directive], when: datetime.date) -> tuple[datetime.date, Decimal]:
    """The demo's EUR->USD price directive in force on `when` (the demo draws its rates at
    random: read, not written here)."""
    return max(
        (entry.date, entry.amount.number)
        for entry in entries
        if isinstance(entry, data.Price) and entry.currency == "EUR" and entry.date <= when
    )


# ---------------------------------------------------------------- which months


def test_chart_months_default_to_the_last_twelve_to_today() -> None:
    months = trends.chart_months(None, None, TODAY)
    assert [str(m) for m in months] == [f"2026-{m:02d}" for m in range(1, 13)]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-10-01", "2026-10-31", ["2026-10"]),
        ("2026-03-15", "2026-04-10", ["2026-03", "2026-04"]),  # months the period touches
        ("2026-11-01", "2027-12-31", ["2026-11", "2026-12"]),  # not past today's month
        ("2027-01-01", "2027-12-31", []),  # wholly after today: nothing to draw
        ("2025-12-01", "2026-01-31", ["2025-12", "2026-01"]),
    ],
)
def test_chart_months_of_a_period(start: str, end: str, expected: list[str]) -> None:
    assert [str(m) for m in trends.chart_months(day(start), day(end), TODAY)] == expected


def test_a_long_period_shows_its_last_120_months() -> None:
    months = trends.chart_months(day("1990-01-01"), day("2026-12-31"), TODAY)
    assert (len(months), str(months[0]), str(months[-1])) == (120, "2017-01", "2026-12")


# ---------------------------------------------------------------- the tables are overview's


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (None, None),
        ("2026-10-01", "2026-10-31"),
        ("2026-01-01", "2026-12-31"),
        ("2026-03-15", "2026-04-10"),
        ("2025-01-01", "2025-12-31"),
    ],
)
def test_the_tables_are_reports_overview_cell_for_cell(
    demo: tuple[list[data.Directive], model.Book], start: str | None, end: str | None
) -> None:
    entries, book = demo
    first, last = (day(start), day(end)) if start and end else (None, None)
    as_of = min(last, TODAY) if last else TODAY
    mine = collect(entries, book, first, last).tables
    expected = reports.overview(book, entries, "USD", start=first, end=last, as_of=as_of)
    assert list(mine) == list(expected)
    for key, table in expected.items():
        assert render.payload(mine[key]) == render.payload(table), key


def test_mrr_notes_name_only_the_rate_mrr_used(
    demo: tuple[list[data.Directive], model.Book],
) -> None:
    """Berlin Immo's cloud, 4 x 23.00 EUR, is MRR's only EUR amount: converted at the rate in
    force on the day. The metered contracts' last invoices are in USD: no rate. reports.mrr
    notes the same (it once noted the rate of every EUR invoice it read)."""
    entries, book = demo
    when, rate = eur_rate(entries, TODAY)
    table = collect(entries, book).tables["mrr"]
    assert table.notes == ["active boxes in 2026-12: 9", f"rate EUR->USD {rate} of {when}"]
    cli = reports.mrr(book, entries, "USD", as_of=TODAY)
    assert render.payload(cli) == render.payload(table)


def test_mrr_at_month_ends_worked_by_hand(
    demo: tuple[list[data.Directive], model.Book],
) -> None:
    """The cloud contracts of ledger/customers.beancount at each month end: Acme Realty 8 x
    25.00, Berlin Immo 4 x 23.00 EUR, Casa Verde's annual 3 x 20.00 (ended 08-20), Delta's
    annual 10 x 22.00 (15 from 07-01: the upgrade bills the rest of the year, so MRR counts
    it from that day), Fjord Marine 2 x 26.00, Granite Law 7 x 27.00 (9 from 08-16), Iris
    Travel 8 x 24.00, Juniper Schools 15 x 21.00; Everest Dental ended 06-20."""
    entries, book = demo
    overview = collect(entries, book)
    cloud = {row[0]: row[3:] for row in overview.mrr.rows if row[2] == "cloud"}
    berlin = {m: D(92) * eur_rate(entries, day(d))[1] for m, d in
              (("2026-06", "2026-06-30"), ("2026-07", "2026-07-31"), ("2026-08", "2026-08-31"))}  # fmt: skip
    others = D("200.00") + D("52.00") + D("192.00") + D("315.00")  # Acme, Fjord, Iris, Juniper
    assert cloud["2026-06"] == [
        others + berlin["2026-06"] + D("60.00") + D("220.00") + D("189.00"),
        8 + 4 + 3 + 10 + 2 + 7 + 8 + 15,  # 57
        8,
    ]
    assert cloud["2026-07"] == [
        others + berlin["2026-07"] + D("60.00") + D("330.00") + D("189.00"),
        8 + 4 + 3 + 15 + 2 + 7 + 8 + 15,  # 62: Delta's 5 more seats
        8,
    ]
    assert cloud["2026-08"] == [
        others + berlin["2026-08"] + D("330.00") + D("243.00"),  # Casa Verde's cloud ended
        8 + 4 + 15 + 2 + 9 + 8 + 15,  # 61
        7,
    ]
    # Casa Verde buys product too (6 x 40.00, with Harbor Clinic's 12 x 42.00): a customer of
    # two streams is counted once in the total: nine customers, in July as in December
    products = {row[0]: row[3:] for row in overview.mrr.rows if row[2] == "product"}
    assert products["2026-07"] == [D("744.00"), 18, 2]
    customers = {row[0]: row[-1] for row in overview.mrr.totals}
    assert customers["2026-07"] == customers["2026-12"] == 9


# ---------------------------------------------------------------- each month is the reports'


def test_every_month_is_the_report_commands_for_that_month(
    demo: tuple[list[data.Directive], model.Book],
) -> None:
    entries, book = demo
    overview = collect(entries, book)
    for month in overview.months:
        end = min(month.last, TODAY)
        keep = reports.keep(entries, "USD", start=month.first, end=month.last, by="stream")
        assert of_month(overview.keep, str(month), 1) == keep.rows, month
        assert [r[1:] for r in overview.keep.totals if r[0] == str(month)] == keep.totals
        receivables = reports.receivables(entries, "USD", as_of=end)
        assert of_month(overview.aging, str(month), 1) == [[end, *receivables.totals[-1][1:]]]
        customers = [row for row in receivables.totals if row[0] != "total"]
        assert overview.aging_customers[str(month)] == customers
        mrr = reports.mrr(book, entries, "USD", as_of=end)
        assert of_month(overview.mrr, str(month), 1) == [[end, *row] for row in mrr.rows]
        assert [r[1:] for r in overview.mrr.totals if r[0] == str(month)] == [
            [end, *row] for row in mrr.totals
        ]
    assert overview.keep.columns == ["month", "stream", "sold", "onebox_cost", "kept", "kept_pct"]
    assert overview.mrr.columns == ["month", "as_of", "stream", "mrr", "quantity", "customers"]
    assert overview.aging.columns == [
        "month", "as_of", "current", "1-30", "31-60", "61-90", "90+", "credit", "total",
    ]  # fmt: skip


def test_aging_at_month_ends_worked_by_hand(
    demo: tuple[list[data.Directive], model.Book],
) -> None:
    """Harbor Clinic (12 x 42.00 = 504.00 a month, due 30 days after each month end) pays three
    months late: May's invoice on 08-16, June's on 09-14, July's on 10-13, nothing after; so
    from August three invoices are open at every month end and walk through the buckets."""
    entries, book = demo
    overview = collect(entries, book)
    columns = ["customer", *overview.aging.columns[2:]]
    assert columns == ["customer", "current", "1-30", "31-60", "61-90", "90+", "credit", "total"]
    harbor = {
        month: dict(zip(columns, row, strict=True))
        for month, rows in overview.aging_customers.items()
        for row in rows
        if row[0] == "harbor-clinic"
    }
    d0, d504, d1008, d1512 = D("0.00"), D("504.00"), D("1008.00"), D("1512.00")
    expected = {
        # 09-30: July's (due 08-30) 31 days past due; August's (due 09-30) and September's
        # (just issued) not yet due
        "2026-09": [d1008, d0, d504, d0, d0, d0, d1512],
        # 10-31: July's paid; August's 31 days, September's (due 10-30) 1 day; October's current
        "2026-10": [d504, d504, d504, d0, d0, d0, d1512],
        # 11-30: August's 61 days, September's 31; October's due that day: not yet past due
        "2026-11": [d504, d0, d504, d504, d0, d0, d1512],
        # 12-15 (today, December has not ended): 76, 46 and 15 days
        "2026-12": [d0, d504, d504, d504, d0, d0, d1512],
    }
    for month, values in expected.items():
        assert [harbor[month][c] for c in columns[1:]] == values, month
    # Acme Realty paid September's 8 x 25.00 = 200.00 on 10-11; October's is open at 10-31
    # (current) and still at 12-15 (due 11-30: 15 days, 1-30)
    acme = {
        month: row[1:]
        for month, rows in overview.aging_customers.items()
        for row in rows
        if row[0] == "acme-realty"
    }
    assert acme["2026-10"] == [D("200.00"), d0, d0, d0, d0, d0, D("200.00")]
    assert acme["2026-12"] == [d0, D("200.00"), d0, d0, d0, d0, D("200.00")]
    # Berlin Immo's open EUR invoice is valued at the rate of the month end: the last month
    # end's is the one in force on 12-15
    when, rate = eur_rate(entries, TODAY)
    assert overview.aging.notes[-1] == f"rate EUR->USD {rate} of {when}"


def customer_aging(overview: trends.Overview, customer: str) -> dict[str, list[Decimal]]:
    return {
        month: row[1:]
        for month, rows in overview.aging_customers.items()
        for row in rows
        if row[0] == customer
    }


def test_aging_of_the_annual_upgrade_and_the_unearned_credit_worked_by_hand(
    demo: tuple[list[data.Directive], model.Book],
) -> None:
    """Delta Logistics' year from 02-01 (365 days) goes from 10 to 15 seats on 07-01: July's
    close invoices 5 x 22.00 x 12 x 215/365 days = 777.53, due 08-30; open at 07-31.
    Casa Verde's annual cloud (3 x 20.00 x 12 = 720.00, paid) ends 08-20: six twelfths (360.00)
    and 20/31 of August's (38.71) were served, so 321.29 is credited at 08-31; September's
    close applies 240.00 of it to September's product invoice (6 x 40.00), October's the
    last 81.29 (October's invoice is left at 158.71). Credit counts below zero."""
    entries, book = demo
    overview = collect(entries, book)
    d0 = D("0.00")
    delta = customer_aging(overview, "delta-logistics")
    assert delta["2026-07"] == [D("777.53"), d0, d0, d0, d0, d0, D("777.53")]
    assert "2026-09" not in delta  # paid: no row
    casa = customer_aging(overview, "casa-verde")
    # 08-31: August's product invoice (current) and the whole credit
    assert casa["2026-08"] == [D("240.00"), d0, d0, d0, d0, D("-321.29"), D("-81.29")]
    # 09-30: September's invoice settled by the credit; August's paid; 81.29 left
    assert casa["2026-09"] == [d0, d0, d0, d0, d0, D("-81.29"), D("-81.29")]
    # 10-31: the credit used up on October's invoice, 240.00 - 81.29 open
    assert casa["2026-10"] == [D("158.71"), d0, d0, d0, d0, d0, D("158.71")]


@pytest.mark.parametrize(
    ("end", "granite"),
    [
        # August's advance (7 x 27.00) dated 08-01 is open from that day, with July's
        # consulting (8 x 95.00, 07-25, due 08-24)
        ("2026-08-01", [D("949.00"), *[D("0.00")] * 5, D("949.00")]),
        # September's: 9 x 27.00 = 243.00 and August's adjustment (7 x 27.00 x 15/31 +
        # 9 x 27.00 x 16/31 = 216.87 served, 189.00 billed: 27.87), dated 09-01, open to the
        # 10th, with August's consulting (760.00, 08-25, due 09-24)
        ("2026-09-01", [D("1030.87"), *[D("0.00")] * 5, D("1030.87")]),
        ("2026-09-09", [D("1030.87"), *[D("0.00")] * 5, D("1030.87")]),
        ("2026-09-10", [D("760.00"), *[D("0.00")] * 5, D("760.00")]),  # paid 270.87 that day
    ],
)
def test_aging_shows_an_advance_invoice_from_its_first_day(
    demo: tuple[list[data.Directive], model.Book], end: str, granite: list[Decimal]
) -> None:
    """Granite Law is invoiced in advance on each 1st and pays on the 10th: a period ending
    between shows that month's invoice in its month's aging (the month's end is the period's)."""
    entries, book = demo
    month = end[:7]
    overview = collect(entries, book, day(f"{month}-01"), day(end))
    assert customer_aging(overview, "granite-law")[month] == granite
    assert of_month(overview.aging, month, 1) == [
        [day(end), *reports.receivables(entries, "USD", as_of=day(end)).totals[-1][1:]]
    ]


def test_months_of_a_year_add_up_to_the_years_keep(
    demo: tuple[list[data.Directive], model.Book],
) -> None:
    """Income and OneBox cost are booked in USD, in whole cents (a EUR invoice at its date's
    rate, rounded once), so each stream's twelve monthly sums add up to the year's table
    exactly, OneBox's adjustment row included."""
    entries, book = demo
    overview = collect(entries, book, day("2026-01-01"), day("2026-12-31"))
    year = {row[0]: row[1:4] for row in overview.tables["keep-stream"].rows}
    assert sorted(year) == ["adjustment", "cloud", "data", "product", "services"]
    for stream, (sold, cost, kept) in year.items():
        months = [row[2:5] for row in overview.keep.rows if row[1] == stream]
        assert [sum((m[i] for m in months), D(0)) for i in range(3)] == [sold, cost, kept]
    # OneBox billed May 783.61 against 783.58 accrued (2026-06-03, onebox-2026-05): the 0.03
    # is June's cost, and no sale
    adjustment = [row[2:] for row in overview.keep.rows if row[1] == "adjustment"]
    assert [row[:2] for row in overview.keep.rows if row[1] == "adjustment"] == [
        ["2026-06", "adjustment"]
    ]
    assert adjustment == [[D("0.00"), D("0.03"), D("-0.03"), None]]
    # Acme Realty's year, by hand. Sold: cloud 5 x 25.00 in January to March (125.00 each),
    # April 5 x 25.00 x 14/30 + 8 x 25.00 x 16/30 = 58.33.. + 106.66.. = 165.00, then
    # 8 x 25.00 = 200.00 for May to October; and the implementation, 2000.00 once:
    # 3 x 125.00 + 165.00 + 6 x 200.00 + 2000.00 = 3740.00. OneBox cost at 65% of 25.00 a user
    # to April (fewer than 8 boxes), 60% from May: 3 x 81.25 + April's 5 x 14/30 + 8 x 16/30
    # = 6.6 user-months x 16.25 (107.25) + 6 x 8 x 15.00 (120.00) = 1071.00, and the 0.03
    # OneBox billed over its May line (its bill reconciled line by line names the customer):
    # 1071.03. Kept 2668.97, 2668.97 / 3740.00 = 71.4%.
    acme = [row for row in overview.tables["keep-customer"].rows if row[0] == "acme-realty"]
    assert acme == [["acme-realty", D("3740.00"), D("1071.03"), D("2668.97"), D("71.4")]]


# ---------------------------------------------------------------- what the demo does not show

HEADER = """
option "operating_currency" "USD"
2026-01-01 open Assets:Bank
2026-01-01 open Assets:Receivable:Acme
2026-01-01 open Liabilities:OneBox:Payable
2026-01-01 open Income:Services
"""

# Acme's 300.00 invoice of January, due February 28, paid on February 10; the bank returns
# the payment on March 5 (a bounced transfer): open again, 300.00, from March 5.
BOUNCED = """
2026-01-31 * "Acme" "Services"
  customer: "acme"
  invoice: "inv-2026-01-acme"
  due: 2026-02-28
  Assets:Receivable:Acme        300.00 USD
  Income:Services              -300.00 USD

2026-02-10 * "Acme" "Payment received"
  customer: "acme"
  Assets:Bank                   300.00 USD
  Assets:Receivable:Acme       -300.00 USD
    invoice: "inv-2026-01-acme"

2026-03-05 * "Acme" "Payment returned by the bank"
  customer: "acme"
  Assets:Bank                  -300.00 USD
  Assets:Receivable:Acme        300.00 USD
    invoice: "inv-2026-01-acme"
"""


def load(text: str) -> list[data.Directive]:
    entries, errors, _ = loader.load_string(HEADER + text)
    assert errors == []
    return list(entries)


def test_an_invoice_settled_at_one_month_end_and_reopened_later_is_aged_again() -> None:
    entries = load(BOUNCED)
    book = model.parse_book(entries)[0]
    overview = collect(entries, book, day("2026-01-01"), day("2026-04-30"), day("2026-05-10"))
    totals = {row[0]: (row[1], row[-1]) for row in overview.aging.rows}
    assert totals == {
        "2026-01": (day("2026-01-31"), D("300.00")),  # not yet due
        "2026-02": (day("2026-02-28"), D("0.00")),  # paid
        "2026-03": (day("2026-03-31"), D("300.00")),  # returned: 31 days past due
        "2026-04": (day("2026-04-30"), D("300.00")),  # 61 days past due
    }
    buckets = {row[0]: row[2:7] for row in overview.aging.rows}
    assert buckets["2026-03"] == [D("0.00"), D("0.00"), D("300.00"), D("0.00"), D("0.00")]
    assert buckets["2026-04"] == [D("0.00"), D("0.00"), D("0.00"), D("300.00"), D("0.00")]
    for month, (as_of, total) in totals.items():
        assert reports.receivables(entries, "USD", as_of=as_of).totals[-1][-1] == total, month


def test_a_period_ending_inside_a_month_ends_its_last_month_there() -> None:
    entries = load(BOUNCED)
    book = model.parse_book(entries)[0]
    overview = collect(entries, book, day("2026-02-15"), day("2026-03-04"), day("2026-05-10"))
    # March's end is the period's last day, 03-04: the payment is not yet returned
    assert [(row[0], row[1], row[-1]) for row in overview.aging.rows] == [
        ("2026-02", day("2026-02-28"), D("0.00")),
        ("2026-03", day("2026-03-04"), D("0.00")),
    ]
    # keep is clipped to the period: January's sale is outside it
    assert overview.keep.rows == []
    assert overview.tables["receivables"].title == (
        "Open invoices and customer credit as of 2026-03-04, aged; totals per customer in USD"
        " at the rate of 2026-03-04"
    )


def test_a_month_with_no_entries_is_zero_not_missing() -> None:
    entries = load(BOUNCED)
    book = model.parse_book(entries)[0]
    overview = collect(entries, book, day("2025-11-01"), day("2026-01-31"), day("2026-05-10"))
    assert [str(m) for m in overview.months] == ["2025-11", "2025-12", "2026-01"]
    assert [row[:2] for row in overview.keep.totals] == [
        ["2025-11", "total"], ["2025-12", "total"], ["2026-01", "total"],
    ]  # fmt: skip
    assert overview.keep.rows == [["2026-01", "services", D("300.00"), D("0.00"), D("300.00"),
                                   D("100.0")]]  # fmt: skip
    assert [row[-1] for row in overview.aging.rows] == [D("0.00"), D("0.00"), D("300.00")]


# Acme pays 500.00 on February 10 for its 300.00 January invoice: 200.00 is held as credit.
# Its 150.00 March invoice takes 150.00 of it at the close (03-31): 50.00 credit is left.
# OneBox is paid 100.00 on February 15 with no bill open: prepaid, still unused.
CREDIT = """
2026-01-01 open Liabilities:Customer-Credit:Acme
2026-01-01 open Assets:Prepaid:OneBox

2026-01-31 * "Acme" "Services"
  customer: "acme"
  invoice: "inv-2026-01-acme"
  due: 2026-02-28
  Assets:Receivable:Acme        300.00 USD
  Income:Services              -300.00 USD

2026-02-10 * "Acme" "Payment received"
  id: "receive/bank-1"
  customer: "acme"
  Assets:Bank                       500.00 USD
  Assets:Receivable:Acme           -300.00 USD
    invoice: "inv-2026-01-acme"
  Liabilities:Customer-Credit:Acme -200.00 USD
    credit: "receive/bank-1"

2026-02-15 * "OneBox" "Payment to OneBox, prepaid"
  id: "pay/bank-2"
  Assets:Bank                      -100.00 USD
  Assets:Prepaid:OneBox             100.00 USD
    prepaid: "pay/bank-2"

2026-03-31 * "Acme" "Services"
  customer: "acme"
  invoice: "inv-2026-03-acme"
  due: 2026-04-30
  Assets:Receivable:Acme        150.00 USD
  Income:Services              -150.00 USD

2026-03-31 * "Acme" "Credit applied to inv-2026-03-acme"
  customer: "acme"
  Liabilities:Customer-Credit:Acme  150.00 USD
    credit: "receive/bank-1"
  Assets:Receivable:Acme           -150.00 USD
    invoice: "inv-2026-03-acme"
"""


def test_credit_at_a_month_end_is_the_aging_credit_column_and_nets_into_the_total() -> None:
    entries = load(CREDIT)
    book = model.parse_book(entries)[0]
    overview = collect(entries, book, day("2026-01-01"), day("2026-04-30"), day("2026-05-10"))
    d0 = D("0.00")
    assert {row[0]: row[2:] for row in overview.aging.rows} == {
        # current, 1-30, 31-60, 61-90, 90+, credit, total
        "2026-01": [D("300.00"), d0, d0, d0, d0, d0, D("300.00")],  # not yet due
        "2026-02": [d0, d0, d0, d0, d0, D("-200.00"), D("-200.00")],  # paid, 200.00 over
        "2026-03": [d0, d0, d0, d0, d0, D("-50.00"), D("-50.00")],  # 150.00 of it applied
        "2026-04": [d0, d0, d0, d0, d0, D("-50.00"), D("-50.00")],
    }
    assert overview.aging_customers["2026-02"] == [
        ["acme", d0, d0, d0, d0, d0, D("-200.00"), D("-200.00")]
    ]
    for row in overview.aging.rows:  # report receivables --as-of <month end>, to the cent
        as_of = row[1]
        assert reports.receivables(entries, "USD", as_of=as_of).totals[-1][1:] == row[2:], as_of
    # the receivables as of today list the credit as a row of its own, bucket "credit"
    assert overview.receivables_today.rows == [
        ["acme", "receive/bank-1", day("2026-02-10"), None, "USD", D("-50.00"), None, "credit"]
    ]
    # and the payables as of today OneBox prepaid, status "prepaid"
    assert overview.payables_today.rows == [
        ["pay/bank-2", day("2026-02-15"), "USD", None, None, None, D("100.00"), D("-100.00"),
         None, "prepaid"]
    ]  # fmt: skip
    assert overview.payables_today.totals == [["prepaid", "USD", D("-100.00")]]


def test_months_before_today_and_today_are_both_taken() -> None:
    """A past period: its tables as of its last day, the status's as of today."""
    entries = load(BOUNCED)
    book = model.parse_book(entries)[0]
    overview = collect(entries, book, day("2026-02-01"), day("2026-02-28"), day("2026-05-10"))
    assert overview.tables["receivables"].totals[-1][-1] == D("0.00")  # paid on 02-10
    assert overview.receivables_today.totals[-1][-1] == D("300.00")  # returned on 03-05
    assert overview.receivables_today.title.startswith(
        "Open invoices and customer credit as of 2026-05-10,"
    )
    assert Month(2026, 2) in overview.months
