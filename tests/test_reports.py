"""reports: keep, payables, receivables and MRR as rows, from a ledger loaded with Beancount.

The ledgers are inline Beancount text shaped like the files the tool writes (the
close's invoices and costs, receipts naming their invoice on the posting, payments
and grace periods naming their bill), loaded with beancount.loader.load_string so
booking and validation run as they do for bean-check.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from decimal import Decimal

import pytest
from beancount import loader
from beancount.core import data
from conftest import SEED_CLOSE

from onebox_ledger import model, reports
from onebox_ledger.reports import ReportError

D = Decimal


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


HEADER = """
option "title" "Partner books"
option "operating_currency" "USD"

2026-01-01 open Assets:Bank
2026-01-01 open Assets:Bank:EUR
2026-01-01 open Assets:Receivable:Acme
2026-01-01 open Assets:Receivable:Bolt-Homes
2026-01-01 open Assets:Receivable:Berlin
2026-01-01 open Liabilities:OneBox:Payable
2026-01-01 open Liabilities:OneBox:Grace
2026-01-01 open Liabilities:Deferred-Revenue:Bolt-Homes
2026-01-01 open Income:Cloud
2026-01-01 open Income:Data
2026-01-01 open Income:Product
2026-01-01 open Income:Services
2026-01-01 open Expenses:OneBox:Cloud
2026-01-01 open Expenses:OneBox:Data
2026-01-01 open Expenses:OneBox:Product
"""

EUR_PRICE = """
2026-01-01 price EUR 1.10 USD
"""

# November 2026 for Acme Realty as the close writes it:
# cloud 5 x 25.00 = 125.00, cost 5 x 25.00 x 0.65 = 81.25; implementation 2000.00 once.
ACME_NOVEMBER = SEED_CLOSE

# Berlin Immobilien is billed in EUR: 4 x 25.00 EUR = 100.00 EUR; OneBox bills the
# partner in USD: 4 x 25.00 x 0.65 = 65.00 USD.
BERLIN_NOVEMBER = """
2026-11-30 * "Berlin Immobilien" "Cloud: 4 x 25.00 EUR, November 2026"
  id: "close/2026-11/berlin-cloud/invoice"
  customer: "berlin"
  contract: "berlin-cloud"
  period: "2026-11"
  invoice: "inv-2026-11-berlin"
  due: 2026-12-30
  Assets:Receivable:Berlin      100.00 EUR
  Income:Cloud                 -100.00 EUR

2026-11-30 * "OneBox" "Cloud: 4 x cloud-user at 25.00 USD x 65% of list, November 2026"
  id: "close/2026-11/berlin-cloud/cost"
  customer: "berlin"
  contract: "berlin-cloud"
  period: "2026-11"
  bill: "onebox-2026-11"
  due: 2026-12-30
  Expenses:OneBox:Cloud              65.00 USD
  Liabilities:OneBox:Payable        -65.00 USD
"""

# Acme pays November's invoice in full on 2027-01-10, 11 days late.
ACME_RECEIPT = """
2027-01-10 * "Acme Realty" "Payment received"
  id: "receive/2027-01-10/acme/1"
  customer: "acme"
  Assets:Bank                  2125.00 USD
  Assets:Receivable:Acme      -2125.00 USD
    invoice: "inv-2026-11-acme"
"""


def load(*parts: str) -> list[data.Directive]:
    entries, errors, _ = loader.load_string(HEADER + "".join(parts))
    assert errors == []
    return entries


# ---------------------------------------------------------------- keep


def test_keep_by_stream() -> None:
    table = reports.keep(load(ACME_NOVEMBER), "USD", start=None, end=None, by="stream")
    assert table.columns == ["stream", "sold", "onebox_cost", "kept", "kept_pct"]
    assert table.rows == [
        # 125.00 - 81.25 = 43.75 kept; 43.75 / 125.00 = 35.0%
        ["cloud", D("125.00"), D("81.25"), D("43.75"), D("35.0")],
        # services: no OneBox cost, all of it kept
        ["services", D("2000.00"), D("0.00"), D("2000.00"), D("100.0")],
    ]
    # 2125.00 - 81.25 = 2043.75; 2043.75 / 2125.00 = 96.176..% -> 96.2
    assert table.totals == [["total", D("2125.00"), D("81.25"), D("2043.75"), D("96.2")]]
    assert table.notes == []
    assert table.title == "What you keep, start to end, in USD"


def test_keep_percent_has_one_decimal() -> None:
    table = reports.keep(load(ACME_NOVEMBER), "USD", start=None, end=None, by="stream")
    assert [str(row[4]) for row in table.rows] == ["35.0", "100.0"]


def test_keep_counts_recognised_income_not_deferred_billing() -> None:
    # an annual contract billed 720.00 into Deferred-Revenue and recognised 60.00 of it
    annual = """
2026-11-30 * "Bolt Homes" "Cloud: 3 x 20.00 USD x 12 months from 2026-11-15, month 1 of 12"
  id: "close/2026-11/bolt-cloud/invoice"
  customer: "bolt-homes"
  contract: "bolt-cloud"
  invoice: "inv-2026-11-bolt-homes"
  due: 2026-12-14
  Assets:Receivable:Bolt-Homes                   720.00 USD
  Liabilities:Deferred-Revenue:Bolt-Homes       -720.00 USD

2026-11-30 * "Bolt Homes" "Cloud: recognised 3 x 20.00 USD x 12 months, month 1 of 12"
  id: "close/2026-11/bolt-cloud/recognise"
  customer: "bolt-homes"
  contract: "bolt-cloud"
  Liabilities:Deferred-Revenue:Bolt-Homes         60.00 USD
  Income:Cloud                                   -60.00 USD

2026-11-30 * "OneBox" "Cloud: 3 x cloud-user at 25.00 USD x 65% of list, November 2026"
  id: "close/2026-11/bolt-cloud/cost"
  customer: "bolt-homes"
  contract: "bolt-cloud"
  bill: "onebox-2026-11"
  due: 2026-12-30
  Expenses:OneBox:Cloud              48.75 USD
  Liabilities:OneBox:Payable        -48.75 USD
"""
    table = reports.keep(load(annual), "USD", start=None, end=None, by="customer")
    # sold 60.00, cost 3 x 25.00 x 0.65 = 48.75, kept 11.25 = 18.75%, shown 18.8
    assert table.rows == [["bolt-homes", D("60.00"), D("48.75"), D("11.25"), D("18.8")]]


def test_keep_percent_rounds_half_up() -> None:
    # sold 100.00, cost 81.35, kept 18.65 = 18.65%: half-up gives 18.7 (half-even, 18.6)
    month = """
2026-11-30 * "Acme Realty" "Cloud, November 2026"
  id: "close/2026-11/acme-cloud/invoice"
  customer: "acme"
  invoice: "inv-2026-11-acme"
  due: 2026-12-30
  Assets:Receivable:Acme        100.00 USD
  Income:Cloud                 -100.00 USD

2026-11-30 * "OneBox" "Cloud, November 2026"
  id: "close/2026-11/acme-cloud/cost"
  customer: "acme"
  bill: "onebox-2026-11"
  due: 2026-12-30
  Expenses:OneBox:Cloud              81.35 USD
  Liabilities:OneBox:Payable        -81.35 USD
"""
    table = reports.keep(load(month), "USD", start=None, end=None, by="stream")
    assert table.rows == [["cloud", D("100.00"), D("81.35"), D("18.65"), D("18.7")]]


def test_keep_by_customer_converts_eur_and_names_the_rate() -> None:
    entries = load(EUR_PRICE, ACME_NOVEMBER, BERLIN_NOVEMBER)
    table = reports.keep(entries, "USD", start=None, end=None, by="customer")
    assert table.rows == [
        # 2125.00 sold, 81.25 cost, 2043.75 kept, 96.2%
        ["acme", D("2125.00"), D("81.25"), D("2043.75"), D("96.2")],
        # 100.00 EUR x 1.10 = 110.00 USD sold; 65.00 USD cost; 45.00 kept = 40.909..% -> 40.9
        ["berlin", D("110.00"), D("65.00"), D("45.00"), D("40.9")],
    ]
    # 2235.00 - 146.25 = 2088.75; 2088.75 / 2235.00 = 93.456..% -> 93.5
    assert table.totals == [["total", D("2235.00"), D("146.25"), D("2088.75"), D("93.5")]]
    assert table.notes == ["rate EUR->USD 1.10 of 2026-01-01"]


def test_keep_by_stream_adds_eur_sales_at_the_rate() -> None:
    entries = load(EUR_PRICE, ACME_NOVEMBER, BERLIN_NOVEMBER)
    table = reports.keep(entries, "USD", start=None, end=None, by="stream")
    # cloud: 125.00 + 110.00 = 235.00 sold; 81.25 + 65.00 = 146.25 cost; 88.75 kept
    # 88.75 / 235.00 = 37.765..% -> 37.8
    assert table.rows[0] == ["cloud", D("235.00"), D("146.25"), D("88.75"), D("37.8")]


def test_keep_by_contract() -> None:
    entries = load(EUR_PRICE, ACME_NOVEMBER, BERLIN_NOVEMBER)
    table = reports.keep(entries, "USD", start=None, end=None, by="contract")
    assert table.columns == [
        "contract",
        "customer",
        "stream",
        "sold",
        "onebox_cost",
        "kept",
        "kept_pct",
    ]
    assert table.rows == [
        ["acme-cloud", "acme", "cloud", D("125.00"), D("81.25"), D("43.75"), D("35.0")],
        ["acme-impl", "acme", "services", D("2000.00"), D("0.00"), D("2000.00"), D("100.0")],
        ["berlin-cloud", "berlin", "cloud", D("110.00"), D("65.00"), D("45.00"), D("40.9")],
    ]


def test_keep_uses_the_rate_in_force_on_the_entry_date() -> None:
    later_rate = "\n2026-12-01 price EUR 1.20 USD\n"
    entries = load(EUR_PRICE, later_rate, BERLIN_NOVEMBER)
    table = reports.keep(entries, "USD", start=None, end=None, by="customer")
    # Nov 30 is before the Dec 1 rate: 100.00 EUR x 1.10, not x 1.20
    assert table.rows == [["berlin", D("110.00"), D("65.00"), D("45.00"), D("40.9")]]
    assert table.notes == ["rate EUR->USD 1.10 of 2026-01-01"]


def test_keep_without_an_eur_rate_is_an_error() -> None:
    entries = load(ACME_NOVEMBER, BERLIN_NOVEMBER)
    message = (
        "no exchange rate EUR->USD on or before 2026-11-30"
        ' (add one: onebox-ledger price EUR "1.00 USD" --date 2026-11-30)'
    )
    with pytest.raises(ReportError, match=f"^{re.escape(message)}$"):
        reports.keep(entries, "USD", start=None, end=None, by="stream")


def test_keep_with_only_a_later_eur_rate_is_an_error() -> None:
    entries = load("\n2026-12-01 price EUR 1.20 USD\n", BERLIN_NOVEMBER)
    with pytest.raises(ReportError, match=r"^no exchange rate EUR->USD on or before 2026-11-30 "):
        reports.keep(entries, "USD", start=None, end=None, by="stream")


def test_keep_period_bounds_are_inclusive() -> None:
    october = ACME_NOVEMBER.replace("2026-11-30", "2026-10-31").replace("2026-11", "2026-10")
    entries = load(october, ACME_NOVEMBER)
    table = reports.keep(
        entries, "USD", start=day("2026-11-30"), end=day("2026-11-30"), by="stream"
    )
    assert table.rows[0] == ["cloud", D("125.00"), D("81.25"), D("43.75"), D("35.0")]
    whole = reports.keep(entries, "USD", start=day("2026-10-31"), end=None, by="stream")
    # two months: 250.00 sold, 162.50 cost, 87.50 kept, 35.0%
    assert whole.rows[0] == ["cloud", D("250.00"), D("162.50"), D("87.50"), D("35.0")]
    assert whole.title == "What you keep, 2026-10-31 to end, in USD"


# ---------------------------------------------------------------- receivables

RECEIVABLE_COLUMNS = [
    "customer",
    "invoice",
    "date",
    "due",
    "currency",
    "open",
    "days_past_due",
    "bucket",
]


def test_receivable_is_open_before_the_payment_and_not_after() -> None:
    entries = load(ACME_NOVEMBER, ACME_RECEIPT)
    before = reports.receivables(entries, "USD", as_of=day("2027-01-09"))
    assert before.columns == RECEIVABLE_COLUMNS
    # 125.00 + 2000.00 on one invoice, due Dec 30: Jan 9 is 10 days past due
    assert before.rows == [
        ["acme", "inv-2026-11-acme", day("2026-11-30"), day("2026-12-30"), "USD",
         D("2125.00"), 10, "1-30"],
    ]  # fmt: skip
    assert before.total_columns == [
        "customer", "current", "1-30", "31-60", "61-90", "90+", "credit", "total",
    ]  # fmt: skip
    assert before.totals == [
        ["acme", 0, D("2125.00"), 0, 0, 0, 0, D("2125.00")],
        ["total", 0, D("2125.00"), 0, 0, 0, 0, D("2125.00")],
    ]
    after = reports.receivables(entries, "USD", as_of=day("2027-01-10"))
    assert after.rows == []
    assert after.totals == [["total", 0, 0, 0, 0, 0, 0, 0]]


def test_receivable_is_current_until_its_due_date() -> None:
    entries = load(ACME_NOVEMBER)
    table = reports.receivables(entries, "USD", as_of=day("2026-12-30"))
    assert table.rows[0][5:] == [D("2125.00"), 0, "current"]
    table = reports.receivables(entries, "USD", as_of=day("2026-12-31"))
    assert table.rows[0][5:] == [D("2125.00"), 1, "1-30"]


# Nine invoices of Acme, each 30 days to pay; as of 2026-12-31 their days past due
# are 91, 90, 61, 60, 31, 30, 1, 0 and -15 (not yet due).
AGING_INVOICES = "".join(
    f"""
{date} * "Acme Realty" "Implementation hours"
  id: "sell/{date}/acme/1"
  customer: "acme"
  invoice: "inv-{date}-acme"
  due: {due}
  Assets:Receivable:Acme       {amount} USD
  Income:Services             -{amount} USD
"""
    for date, due, amount in [
        ("2026-09-01", "2026-10-01", "10.00"),  # Dec 31 - Oct 1 = 91 days
        ("2026-09-02", "2026-10-02", "20.00"),  # 90
        ("2026-10-01", "2026-10-31", "30.00"),  # 61
        ("2026-10-02", "2026-11-01", "40.00"),  # 60
        ("2026-10-31", "2026-11-30", "50.00"),  # 31
        ("2026-11-01", "2026-12-01", "60.00"),  # 30
        ("2026-11-30", "2026-12-30", "70.00"),  # 1
        ("2026-12-01", "2026-12-31", "80.00"),  # 0
        ("2026-12-16", "2027-01-15", "90.00"),  # -15
    ]
)
AGING = (
    AGING_INVOICES
    + """
2026-12-20 * "Acme Realty" "Payment received"
  id: "receive/2026-12-20/acme/1"
  customer: "acme"
  Assets:Bank                    25.00 USD
  Assets:Receivable:Acme        -25.00 USD
    invoice: "inv-2026-11-30-acme"
"""
)


def test_aging_buckets_by_exact_days_past_due() -> None:
    table = reports.receivables(load(AGING), "USD", as_of=day("2026-12-31"))
    assert [(row[1], row[5], row[6], row[7]) for row in table.rows] == [
        ("inv-2026-09-01-acme", D("10.00"), 91, "90+"),
        ("inv-2026-09-02-acme", D("20.00"), 90, "61-90"),
        ("inv-2026-10-01-acme", D("30.00"), 61, "61-90"),
        ("inv-2026-10-02-acme", D("40.00"), 60, "31-60"),
        ("inv-2026-10-31-acme", D("50.00"), 31, "31-60"),
        ("inv-2026-11-01-acme", D("60.00"), 30, "1-30"),
        ("inv-2026-11-30-acme", D("45.00"), 1, "1-30"),  # 70.00 - 25.00 received
        ("inv-2026-12-01-acme", D("80.00"), 0, "current"),
        ("inv-2026-12-16-acme", D("90.00"), 0, "current"),  # not due: 0 days past due
    ]
    # current 80 + 90 = 170; 1-30 60 + 45 = 105; 31-60 40 + 50 = 90; 61-90 20 + 30 = 50;
    # 90+ 10; total 425.00
    assert table.totals == [
        ["acme", D("170.00"), D("105.00"), D("90.00"), D("50.00"), D("10.00"), 0, D("425.00")],
        ["total", D("170.00"), D("105.00"), D("90.00"), D("50.00"), D("10.00"), 0, D("425.00")],
    ]


def test_aging_ignores_invoices_dated_after_the_date() -> None:
    table = reports.receivables(load(AGING), "USD", as_of=day("2026-09-01"))
    assert [(row[1], row[5], row[6], row[7]) for row in table.rows] == [
        ("inv-2026-09-01-acme", D("10.00"), 0, "current"),
    ]


def test_receivables_total_per_customer_in_the_operating_currency() -> None:
    entries = load(EUR_PRICE, ACME_NOVEMBER, BERLIN_NOVEMBER)
    table = reports.receivables(entries, "USD", as_of=day("2027-02-15"))
    # both due Dec 30: 47 days past due on Feb 15 (Dec 30 -> Jan 30 = 31, + 16)
    assert table.rows == [
        ["acme", "inv-2026-11-acme", day("2026-11-30"), day("2026-12-30"), "USD",
         D("2125.00"), 47, "31-60"],
        ["berlin", "inv-2026-11-berlin", day("2026-11-30"), day("2026-12-30"), "EUR",
         D("100.00"), 47, "31-60"],
    ]  # fmt: skip
    # berlin's 100.00 EUR at the rate in force on the report's date, 1.10 = 110.00 USD
    assert table.totals == [
        ["acme", 0, 0, D("2125.00"), 0, 0, 0, D("2125.00")],
        ["berlin", 0, 0, D("110.00"), 0, 0, 0, D("110.00")],
        ["total", 0, 0, D("2235.00"), 0, 0, 0, D("2235.00")],
    ]
    assert table.notes == ["rate EUR->USD 1.10 of 2026-01-01"]


def test_receivables_without_an_eur_rate_is_an_error() -> None:
    entries = load(BERLIN_NOVEMBER)
    message = (
        "no exchange rate EUR->USD on or before 2026-12-31"
        ' (add one: onebox-ledger price EUR "1.00 USD" --date 2026-12-31)'
    )
    with pytest.raises(ReportError, match=f"^{re.escape(message)}$"):
        reports.receivables(entries, "USD", as_of=day("2026-12-31"))


# ---------------------------------------------------------------- payables

# OneBox bills as of 2026-12-24:
#   onebox-2026-08     50.00, due 2026-09-30, paid 50.00 on 2026-09-20       -> paid
#   onebox-2026-09     60.00, due 2026-10-30, in grace until 2027-01-31 from 2026-10-28,
#                      10.00 paid from grace on 2026-12-01                  -> in grace, 50.00
#   onebox-2026-10     70.00, due 2026-11-30, 20.00 paid on 2026-12-01      -> overdue, 50.00
#   onebox-2026-11     81.25 + 48.75 = 130.00, due 2026-12-30 (6 days)      -> due within 7 days
#   onebox-storage-1   10.00, due 2027-01-14 (21 days)                       -> open
BILLS = """
2026-08-31 * "OneBox" "Cloud, August 2026"
  id: "close/2026-08/acme-cloud/cost"
  customer: "acme"
  bill: "onebox-2026-08"
  due: 2026-09-30
  Expenses:OneBox:Cloud              50.00 USD
  Liabilities:OneBox:Payable        -50.00 USD

2026-09-20 * "OneBox" "Payment to OneBox"
  id: "pay/2026-09-20/1"
  Assets:Bank                      -50.00 USD
  Liabilities:OneBox:Payable        50.00 USD
    bill: "onebox-2026-08"

2026-09-30 * "OneBox" "Cloud, September 2026"
  id: "close/2026-09/acme-cloud/cost"
  customer: "acme"
  bill: "onebox-2026-09"
  due: 2026-10-30
  Expenses:OneBox:Cloud              60.00 USD
  Liabilities:OneBox:Payable        -60.00 USD

2026-10-28 * "OneBox" "Grace period for onebox-2026-09 until 2027-01-31"
  id: "grace/onebox-2026-09/2026-10-28"
  bill: "onebox-2026-09"
  until: 2027-01-31
  Liabilities:OneBox:Payable        60.00 USD
  Liabilities:OneBox:Grace         -60.00 USD

2026-10-31 * "OneBox" "Cloud, October 2026"
  id: "close/2026-10/acme-cloud/cost"
  customer: "acme"
  bill: "onebox-2026-10"
  due: 2026-11-30
  Expenses:OneBox:Cloud              70.00 USD
  Liabilities:OneBox:Payable        -70.00 USD

2026-11-30 * "OneBox" "Cloud, November 2026"
  id: "close/2026-11/acme-cloud/cost"
  customer: "acme"
  bill: "onebox-2026-11"
  due: 2026-12-30
  Expenses:OneBox:Cloud              81.25 USD
  Liabilities:OneBox:Payable        -81.25 USD

2026-11-30 * "OneBox" "Cloud, November 2026"
  id: "close/2026-11/bolt-cloud/cost"
  customer: "bolt-homes"
  bill: "onebox-2026-11"
  due: 2026-12-30
  Expenses:OneBox:Cloud              48.75 USD
  Liabilities:OneBox:Payable        -48.75 USD

2026-12-01 * "OneBox" "Payment to OneBox"
  id: "pay/2026-12-01/1"
  Assets:Bank                      -30.00 USD
  Liabilities:OneBox:Grace          10.00 USD
    bill: "onebox-2026-09"
  Liabilities:OneBox:Payable        20.00 USD
    bill: "onebox-2026-10"

2026-12-15 * "OneBox" "Extra media storage, 100 GB"
  id: "onebox/storage-1"
  bill: "onebox-storage-1"
  due: 2027-01-14
  Expenses:OneBox:Cloud              10.00 USD
  Liabilities:OneBox:Payable        -10.00 USD
"""


def test_payables_statuses() -> None:
    table = reports.payables(load(BILLS), "USD", as_of=day("2026-12-24"))
    assert table.columns == [
        "bill", "date", "currency", "accrued", "billed", "difference", "paid", "open", "due",
        "status",
    ]  # fmt: skip
    # ordered by the date the open amount is due; OneBox billed what was accrued
    assert table.rows == [
        ["onebox-2026-08", day("2026-08-31"), "USD", D("50.00"), D("50.00"), 0, D("50.00"),
         D("0.00"), day("2026-09-30"), "paid"],
        ["onebox-2026-10", day("2026-10-31"), "USD", D("70.00"), D("70.00"), 0, D("20.00"),
         D("50.00"), day("2026-11-30"), "overdue"],
        ["onebox-2026-11", day("2026-11-30"), "USD", D("130.00"), D("130.00"), 0, 0,
         D("130.00"), day("2026-12-30"), "due within 7 days"],
        ["onebox-storage-1", day("2026-12-15"), "USD", D("10.00"), D("10.00"), 0, 0,
         D("10.00"), day("2027-01-14"), "open"],
        # in grace: its due date is the grace date; 60.00 billed, 10.00 paid from grace
        ["onebox-2026-09", day("2026-09-30"), "USD", D("60.00"), D("60.00"), 0, D("10.00"),
         D("50.00"), day("2027-01-31"), "in grace"],
    ]  # fmt: skip
    assert table.total_columns == ["status", "currency", "open"]
    assert table.totals == [
        ["overdue", "USD", D("50.00")],
        ["due within 7 days", "USD", D("130.00")],
        ["in grace", "USD", D("50.00")],
        ["open", "USD", D("10.00")],
        ["paid", "USD", D("0.00")],
    ]


def test_payables_as_of_an_earlier_date_ignore_later_events() -> None:
    # on 2026-10-15 the grace had not been agreed and September's bill was simply open
    table = reports.payables(load(BILLS), "USD", as_of=day("2026-10-15"))
    assert [(row[0], row[7], row[8], row[9]) for row in table.rows] == [
        ("onebox-2026-08", D("0.00"), day("2026-09-30"), "paid"),
        ("onebox-2026-09", D("60.00"), day("2026-10-30"), "open"),  # 15 days away
    ]


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        ("2026-12-22", "open"),  # 8 days before Dec 30
        ("2026-12-23", "due within 7 days"),  # 7 days before
        ("2026-12-30", "due within 7 days"),  # the due date itself
        ("2026-12-31", "overdue"),  # a day after
    ],
)
def test_payables_due_soon_boundaries(as_of: str, status: str) -> None:
    # only acme's November cost: 81.25 due 2026-12-30
    (bill,) = [text for text in BILLS.split("\n\n") if "close/2026-11/acme-cloud" in text]
    table = reports.payables(load(bill), "USD", as_of=day(as_of))
    assert table.rows == [
        ["onebox-2026-11", day("2026-11-30"), "USD", D("81.25"), D("81.25"), 0, 0, D("81.25"),
         day("2026-12-30"), status],
    ]  # fmt: skip


def test_bill_paid_in_full_out_of_grace_is_paid() -> None:
    rest = """
2027-01-20 * "OneBox" "Payment to OneBox"
  id: "pay/2027-01-20/1"
  Assets:Bank                      -50.00 USD
  Liabilities:OneBox:Grace          50.00 USD
    bill: "onebox-2026-09"
"""
    table = reports.payables(load(BILLS, rest), "USD", as_of=day("2027-01-20"))
    september = next(row for row in table.rows if row[0] == "onebox-2026-09")
    assert september[3:] == [
        D("60.00"), D("60.00"), 0, D("60.00"), D("0.00"), day("2026-10-30"), "paid",
    ]  # fmt: skip


def test_bill_whose_grace_has_expired_is_overdue() -> None:
    # Grace defers the debt to a new due date (2027-01-31); it does not forgive it. On
    # 2027-02-15 the 50.00 still open on September's bill is 15 days past that date.
    table = reports.payables(load(BILLS), "USD", as_of=day("2027-02-15"))
    september = next(row for row in table.rows if row[0] == "onebox-2026-09")
    assert september[7:] == [D("50.00"), day("2027-01-31"), "overdue"]


# ---------------------------------------------------------------- MRR

CONTRACTS = """
2026-01-01 custom "onebox-item" "cloud-user" 25.00 USD
2026-01-01 custom "onebox-item" "data-records" 1.99 USD
  per: 1000
2026-01-01 custom "onebox-rate" 1 0.65
2026-01-01 custom "onebox-payment" 30
2026-01-15 custom "onebox-customer" "acme"
  name: "Acme Realty"
  currency: "USD"
2026-01-15 custom "onebox-customer" "bolt-homes"
  name: "Bolt Homes"
  currency: "USD"
2026-01-15 custom "onebox-customer" "berlin"
  name: "Berlin Immobilien"
  currency: "EUR"
2026-02-01 custom "onebox-contract" "acme-cloud"
  customer: "acme"
  stream: "cloud"
  price: 25.00 USD
  quantity: 5
  item: "cloud-user"
2026-11-03 custom "onebox-contract" "acme-setup"
  customer: "acme"
  stream: "services"
  billing: "once"
  price: 2000.00 USD
2026-02-01 custom "onebox-contract" "acme-data"
  customer: "acme"
  stream: "data"
  billing: "metered"
  price: 1.99 USD
  item: "data-records"
2026-11-15 custom "onebox-contract" "bolt-cloud"
  customer: "bolt-homes"
  stream: "cloud"
  billing: "annual"
  price: 20.00 USD
  quantity: 3
  item: "cloud-user"
2026-02-01 custom "onebox-contract" "berlin-cloud"
  customer: "berlin"
  stream: "cloud"
  price: 25.00 EUR
  quantity: 4
  item: "cloud-user"
2026-12-20 custom "onebox-change" "acme-cloud"
  quantity: 8
"""

DATA_INVOICES = """
2026-10-31 * "Acme Realty" "Data: 2500 units = 3 x 1000, x 1.99 USD, October 2026"
  id: "close/2026-10/acme-data/invoice"
  customer: "acme"
  contract: "acme-data"
  invoice: "inv-2026-10-acme"
  due: 2026-11-30
  Assets:Receivable:Acme          5.97 USD
  Income:Data                    -5.97 USD

2026-11-30 * "Acme Realty" "Data: 1500 units = 2 x 1000, x 1.99 USD, November 2026"
  id: "close/2026-11/acme-data/invoice"
  customer: "acme"
  contract: "acme-data"
  invoice: "inv-2026-11-acme"
  due: 2026-12-30
  Assets:Receivable:Acme          3.98 USD
  Income:Data                    -3.98 USD
"""


def test_mrr_by_stream() -> None:
    entries = load(EUR_PRICE, CONTRACTS, DATA_INVOICES)
    book, errors = model.parse_book(entries)
    assert errors == []
    table = reports.mrr(book, entries, "USD", as_of=day("2026-12-15"))
    assert table.columns == ["stream", "mrr", "quantity", "customers"]
    assert table.rows == [
        # acme 5 x 25.00 = 125.00; bolt's annual counts a month, 3 x 20.00 = 60.00;
        # berlin 4 x 25.00 EUR = 100.00 EUR x 1.10 = 110.00 USD; 295.00 for 12 users
        ["cloud", D("295.00"), 12, 3],
        # metered: the last month billed (November, 3.98), not October's 5.97
        ["data", D("3.98"), 0, 1],
        # acme-setup was sold once: not recurring, no services row
    ]
    assert table.totals == [["total", D("298.98"), "", 3]]
    assert table.notes == ["active boxes in 2026-12: 3", "rate EUR->USD 1.10 of 2026-01-01"]


def test_mrr_follows_a_change_from_its_date() -> None:
    entries = load(EUR_PRICE, CONTRACTS, DATA_INVOICES)
    book, _ = model.parse_book(entries)
    table = reports.mrr(book, entries, "USD", as_of=day("2026-12-20"))
    # acme moves to 8 users on Dec 20: 8 x 25.00 + 60.00 + 110.00 = 370.00 for 15 users
    assert table.rows[0] == ["cloud", D("370.00"), 15, 3]


def test_mrr_notes_name_only_the_rates_mrr_used() -> None:
    """Berlin's November invoice (100.00 EUR, a monthly contract's, at 1.10) is not what MRR
    counts: its 4 x 25.00 EUR = 100.00 EUR is converted at the rate of the day, 1.20 from
    2026-12-01, so 1.10 is not a rate MRR used and is not noted."""
    entries = load(EUR_PRICE, CONTRACTS, BERLIN_NOVEMBER, "2026-12-01 price EUR 1.20 USD\n")
    book, _ = model.parse_book(entries)
    table = reports.mrr(book, entries, "USD", as_of=day("2026-12-15"))
    # acme 5 x 25.00 + bolt 3 x 20.00 + berlin 100.00 EUR x 1.20 = 125.00 + 60.00 + 120.00
    assert table.rows[0] == ["cloud", D("305.00"), 12, 3]
    assert table.notes == ["active boxes in 2026-12: 3", "rate EUR->USD 1.20 of 2026-12-01"]


def bolt_mrr(change: str, as_of: str) -> list[list[object]]:
    """MRR of bolt-cloud alone (annual, 3 x 20.00 USD from 2026-11-15) with `change`."""
    entries = load(CONTRACTS, change)
    book, errors = model.parse_book(entries)
    assert errors == []
    bolt_only = {cid: c for cid, c in book.contracts.items() if c.customer == "bolt-homes"}
    table = reports.mrr(
        dataclasses.replace(book, contracts=bolt_only), entries, "USD", as_of=day(as_of)
    )
    return table.rows


BOLT_UPGRADE = """
2027-01-10 custom "onebox-change" "bolt-cloud"
  quantity: 5
"""


@pytest.mark.parametrize(
    ("as_of", "row"),
    [
        ("2026-12-15", ["cloud", D("60.00"), 3, 1]),  # the year's 720.00 / 12
        ("2027-01-09", ["cloud", D("60.00"), 3, 1]),  # the day before the change
        ("2027-01-10", ["cloud", D("100.00"), 5, 1]),  # from the change: 5 x 20.00
        ("2027-11-20", ["cloud", D("100.00"), 5, 1]),  # and in the next year
    ],
)
def test_mrr_of_an_annual_contract_is_a_twelfth_of_the_yearly_value_billed(
    as_of: str, row: list[object]
) -> None:
    """An annual upgrade bills the rest of the year at once (billing.pieces: 5 x 20.00 from
    2027-01-10, +406.36 for 309/365 days to 2027-11-14), so the recurring revenue is the new
    yearly value, 5 x 20.00 x 12 = 1200.00, over 12 from the change's day."""
    assert bolt_mrr(BOLT_UPGRADE, as_of) == [row]


@pytest.mark.parametrize(
    ("as_of", "row"),
    [
        ("2027-01-15", ["cloud", D("60.00"), 3, 1]),  # waits for the anniversary
        ("2027-11-14", ["cloud", D("60.00"), 3, 1]),  # the year's last day
        ("2027-11-15", ["cloud", D("20.00"), 1, 1]),  # the next year bills 1 x 20.00 x 12
    ],
)
def test_mrr_of_an_annual_downgrade_at_the_anniversary_changes_at_the_anniversary(
    as_of: str, row: list[object]
) -> None:
    change = """
2027-01-10 custom "onebox-change" "bolt-cloud"
  quantity: 1
  downgrade: "anniversary"
"""
    assert bolt_mrr(change, as_of) == [row]
