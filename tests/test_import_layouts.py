"""Each bank's statement imported end to end, on a ledger built with the CLI to fit it.

For every layout fixture in ``tests/importers/fixtures`` a ledger is built with
the commands a partner runs (``init``, ``terms``, ``customer add``, ``contract
add``, ``sell``, ``close``, ``onebox bill``, ``bank add``, ``price``), so the
fixture's rows pay its open invoices and OneBox bills. Then ``onebox-ledger
import FIXTURE --account ... --fees ...`` must print every row's outcome
exactly, book exactly the amounts worked out by hand below, load with zero
errors (bean-check), and a second import of the same file must change no byte.

OneBox's bill ``onebox-2026-10`` is 8 users x 25.00 USD x 65% = 130.00 USD in
the books; ``onebox bill`` records the 1087.16 USD OneBox actually billed (the
difference, 957.16, to Expenses:OneBox:Adjustment), which the statements pay.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount.core import data
from click.testing import Result

from onebox_ledger import beans
from onebox_ledger.importers import LAYOUTS

D = Decimal
FIXTURES = Path(__file__).resolve().parent / "importers" / "fixtures"
FEES = ("--fees", "Expenses:Bank-Fees")

Run = Callable[..., Result]
Ok = Callable[[Result], list[str]]
Snapshot = Callable[[Path], dict[str, bytes]]
Check = Callable[[Path], list[Any]]

Step = tuple[str, ...]


def terms(start: str, currency: str = "USD") -> list[Step]:
    return [
        ("terms", "item", "cloud-user", f"25 {currency}", "--date", start),
        ("terms", "rate", "1", "0.65", "--date", start),
        ("terms", "payment", "30", "--date", start),
    ]


def customer(cid: str, name: str, start: str, currency: str = "USD") -> Step:
    return ("customer", "add", cid, "--name", name, "--date", start, "--currency", currency)


def services(contract: str, cid: str, price: str, start: str, *more: str) -> Step:
    return (
        "contract", "add", contract, "--customer", cid, "--stream", "services", "--price", price,
        "--start", start, *more,
    )  # fmt: skip


def cloud(contract: str, cid: str, users: int, start: str) -> Step:
    return (
        "contract", "add", contract, "--customer", cid, "--stream", "cloud", "--price", "25 USD",
        "--quantity", str(users), "--start", start, "--item", "cloud-user",
    )  # fmt: skip


ACME = [customer("acme-realty", "Acme Realty", "2026-10-01"), cloud("acme-cloud", "acme-realty", 8, "2026-10-01")]  # fmt: skip
BILLED = ("onebox", "bill", "onebox-2026-10", "1087.16 USD", "--date", "2026-11-01")


@dataclass(frozen=True)
class Scenario:
    fixture: str
    start: str
    steps: list[Step]
    options: tuple[str, ...]
    lines: list[str] = field(default_factory=list)
    balances: dict[str, str] = field(default_factory=dict)
    currency: str = "USD"
    today: str | None = None  # the import's day, when the statement runs past the test's


def build(root: Path, run: Run, ok: Ok, scenario: Scenario) -> Path:
    main = root / "main.beancount"
    ok(run(main, "init", str(root), "--start", scenario.start, "--currency", scenario.currency))
    for step in scenario.steps:
        ok(run(main, *step))
    return main.resolve()


def balances(entries: list[Any]) -> dict[str, str]:
    """Each account's units, per currency, as 'amount CUR' text ('0' when nothing is left)."""
    sums: dict[str, dict[str, Decimal]] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for post in entry.postings:
                by = sums.setdefault(post.account, {})
                by[post.units.currency] = by.get(post.units.currency, D(0)) + post.units.number
    return {
        account: ", ".join(f"{n} {c}" for c, n in sorted(by.items()) if n) or "0"
        for account, by in sums.items()
    }


SCENARIOS: list[Scenario] = [
    Scenario(
        "generic.csv",
        "2026-11-01",
        [
            *terms("2026-11-01"),
            customer("acme-realty", "Acme Realty", "2026-11-01"),
            cloud("acme-cloud", "acme-realty", 5, "2026-11-01"),
            customer("juniper-schools", "Juniper Schools", "2026-11-01"),
            services("juniper-support", "juniper-schools", "317.49 USD", "2026-11-01"),
            customer("iris-travel", "Iris Travel", "2026-11-01"),
            services("iris-support", "iris-travel", "192 USD", "2026-11-01"),
            customer("everest-dental", "Everest Dental", "2026-11-01"),
            ("sell", "everest-dental", "50 USD", "--date", "2026-11-10", "--memo", "Setup"),
            ("receive", "everest-dental", "50 USD", "--date", "2026-11-20", "--ref", "HAND-1"),
            ("close", "2026-11"),
            ("onebox", "bill", "onebox-2026-11", "1087.16 USD", "--date", "2026-12-01"),
        ],
        FEES,
        lines=[
            "line 2  2026-12-01  TX-9001  +125.00 USD  receipt: invoice inv-2026-11-acme-realty in the text; received 125.00 USD from acme-realty: 125.00 USD to inv-2026-11-acme-realty",
            "line 3  2026-12-01  TX-9002  +317.49 USD  receipt: customer named in the description; received 317.49 USD from juniper-schools: 317.49 USD to inv-2026-11-juniper-schools",
            "line 4  2026-12-03  TX-9003  -1087.16 USD  onebox-payment: bill onebox-2026-11 in the text; paid 1087.16 USD to OneBox: 1087.16 USD to onebox-2026-11",
            "line 5  2026-12-04  TX-9005  +50.00 USD  review: everest-dental has nothing open on 2026-12-04 (counterparty is the customer); to hold it as credit: onebox-ledger receive everest-dental \"50.00 USD\" --date 2026-12-04 --ref TX-9005 ('Everest Dental', 'December')",
            "line 6  2026-12-08  TX-9006  +192.00 USD  review: a reference to an unknown invoice ('inv-2026-03') ('IRIS TRAVEL', 'Invoice inv-2026-03-iris-travel')",
            "line 7  2026-12-31  TX-9004  -12.00 USD  fee: a bank fee (Monthly service fee); 12.00 USD to Expenses:Bank-Fees",
            "booked: 2 receipt (in 442.49 USD), 1 onebox-payment (out 1087.16 USD), 1 fee (out 12.00 USD); listed: 2 review (in 242.00 USD)",
            "balance: 18281.33 USD opening -414.67 USD booked by the bank = 17866.66 USD; the statement's closing balance is 17866.66 USD: reconciled",
            "books: Assets:Bank held 50.00 USD before 2026-12-01, the bank 18281.33 USD (+18231.33 USD): no balance assertion (book the account's opening balance, bank add --opening, or the statements before this one)",
        ],
        # Assets:Bank: +50.00 (Everest's sale, paid by hand) + 125.00 + 317.49 - 1087.16 - 12.00
        balances={
            "Assets:Bank": "-606.67 USD",
            "Assets:Receivable:Acme-Realty": "0",
            "Assets:Receivable:Everest-Dental": "0",
            "Assets:Receivable:Iris-Travel": "192.00 USD",
            "Assets:Receivable:Juniper-Schools": "0",
            "Expenses:Bank-Fees": "12.00 USD",
            "Liabilities:OneBox:Payable": "0",
        },
        today="2027-01-05",  # the statement runs to 2026-12-31
    ),
    Scenario(
        "chase.csv",
        "2026-09-01",
        [
            *terms("2026-09-01"),
            *ACME,
            customer("harbor-clinic", "Harbor Clinic", "2026-09-01"),
            services("harbor-care", "harbor-clinic", "504 USD", "2026-09-01"),
            customer("harbor-dental", "Harbor Dental", "2026-10-01"),
            services("harbor-dental-care", "harbor-dental", "300 USD", "2026-10-01"),
            ("close", "2026-09"),
            ("close", "2026-10"),
            BILLED,
        ],
        ("--account", "Assets:Bank", *FEES),
        lines=[
            "line 8  2026-11-05  row-20261105-ab571dd3b87e  -250.00 USD  unrelated: money out, not to OneBox ('CHECK 1042'); to book it: onebox-ledger rule add 'CHECK 1042' ACCOUNT --field text --direction out --date 2026-11-05",
            "line 7  2026-11-09  row-20261109-b47775f39a74  +504.00 USD  receipt: customer named in the description; received 504.00 USD from harbor-clinic: 504.00 USD to inv-2026-09-harbor-clinic",
            "line 6  2026-11-09  row-20261109-b47775f39a74-2  +504.00 USD  receipt: customer named in the description; received 504.00 USD from harbor-clinic: 504.00 USD to inv-2026-10-harbor-clinic",
            "line 5  2026-11-16  row-20261116-1a2408beb381  -1087.16 USD  onebox-payment: bill onebox-2026-10 in the text; paid 1087.16 USD to OneBox: 1087.16 USD to onebox-2026-10",
            "line 4  2026-11-20  row-20261120-771d7865fff2  +300.00 USD  review: invoices of several customers (inv-2026-10-harbor-clinic, inv-2026-10-harbor-dental) ('HARBOR GROUP', 'ORIG CO NAME:HARBOR GROUP ORIG ID:9876543210 DESC DATE:261120 CO ENTRY DESCR:PAYMENT SEC:CCD TRACE#:021000029876543 EED:261120 IND ID:INV-2026-10-HAR IND NAME:ONEBOX PARTNER LLC TRN: 3249876543TC')",
            "line 3  2026-11-30  row-20261130-68ffe41d3627  -15.00 USD  fee: a bank fee (MONTHLY SERVICE FEE); 15.00 USD to Expenses:Bank-Fees",
            "line 2  2026-11-30  row-20261130-35802bac4906  +200.00 USD  receipt: invoice inv-2026-10-acme-realty in the text; received 200.00 USD from acme-realty: 200.00 USD to inv-2026-10-acme-realty",
            "booked: 3 receipt (in 1208.00 USD), 1 onebox-payment (out 1087.16 USD), 1 fee (out 15.00 USD); listed: 1 review (in 300.00 USD), 1 unrelated (out 250.00 USD)",
        ],
        # 504.00 + 504.00 - 1087.16 - 15.00 + 200.00 (the check and Harbor Group are not booked)
        balances={
            "Assets:Bank": "105.84 USD",
            "Assets:Receivable:Acme-Realty": "0",
            "Assets:Receivable:Harbor-Clinic": "0",
            "Assets:Receivable:Harbor-Dental": "300.00 USD",
            "Expenses:Bank-Fees": "15.00 USD",
            "Liabilities:OneBox:Payable": "0",
        },
    ),
    Scenario(
        "dkb.csv",
        "2026-10-01",
        [
            *terms("2026-10-01"),
            ("price", "EUR", "1.08 USD", "--date", "2026-10-01"),
            ("price", "EUR", "1.10 USD", "--date", "2026-11-01"),
            ("bank", "add", "Assets:DKB", "--currency", "EUR", "--date", "2026-10-01"),
            customer("berlin-immo", "Berlin Immo GmbH", "2026-10-01", "EUR"),
            services("berlin-support", "berlin-immo", "92 EUR", "2026-10-01"),
            customer("kyiv-estates", "Kyiv Estates", "2026-10-01", "EUR"),
            services("kyiv-impl", "kyiv-estates", "1234.50 EUR", "2026-10-01", "--billing", "once"),
            ("close", "2026-10"),
        ],
        ("--account", "Assets:DKB", *FEES),
        lines=[
            "line 12  2026-11-02  row-20261102-99bde9fa7325  +1234.50 EUR  receipt: counterparty is the customer; received 1234.50 EUR from kyiv-estates: 1234.50 EUR to inv-2026-10-kyiv-estates",
            "line 10  2026-11-15  row-20261115-d9176e38e7eb  -1250.00 EUR  unrelated: money out, not to OneBox ('Office Rent GmbH', 'Miete November'); to book it: onebox-ledger rule add 'Office Rent GmbH' ACCOUNT --field counterparty --direction out --date 2026-11-15",
            "line 9  2026-11-28  row-20261128-b34993d1f246  +92.00 EUR  receipt: invoice inv-2026-10-berlin-immo in the text; received 92.00 EUR from berlin-immo: 92.00 EUR to inv-2026-10-berlin-immo",
            "line 8  2026-11-30  row-20261130-e85b77d502f5  -4.90 EUR  fee: a bank fee (Kontoführungsentgelt 11/2026); 4.90 EUR to Expenses:Bank-Fees",
            "line 7  2026-11-30  row-20261130-13bbb35c938f  -45.90 EUR  skipped: pending at the bank; not booked ('Hetzner Online GmbH', 'Server November')",
            "booked: 2 receipt (in 1326.50 EUR), 1 fee (out 4.90 EUR); listed: 1 unrelated (out 1250.00 EUR), 1 skipped (out 45.90 EUR)",
            "books: Assets:DKB held 0.00 EUR before 2026-11-02, the bank 4541.80 EUR (+4541.80 EUR): no balance assertion (book the account's opening balance, bank add --opening, or the statements before this one)",
        ],
        # 1234.50 + 92.00 - 4.90 EUR. Invoiced at October's 1.08, paid at November's 1.10:
        # (1234.50 + 92.00) x 0.02 = 26.53 USD realized gain; income stays at 1.08:
        # 1333.26 + 99.36 = 1432.62 USD
        balances={
            "Assets:DKB": "1321.60 EUR",
            "Income:FX-Gains": "-26.53 USD",
            "Income:Services": "-1432.62 USD",
            "Assets:Receivable:Berlin-Immo": "0",
            "Assets:Receivable:Kyiv-Estates": "0",
            "Expenses:Bank-Fees": "5.39 USD",  # 4.90 EUR x 1.10 (the rate from 2026-11-01) = 5.39
        },
    ),
    Scenario(
        "dkb-legacy.csv",
        "2022-09-01",
        [
            *terms("2022-09-01", "EUR"),
            customer("berlin-immo", "Berlin Immo GmbH", "2022-09-01", "EUR"),
            (
                "contract",
                "add",
                "berlin-cloud",
                "--customer",
                "berlin-immo",
                "--stream",
                "cloud",
                "--price",
                "23 EUR",
                "--quantity",
                "4",
                "--start",
                "2022-09-01",
                "--item",
                "cloud-user",
            ),
            ("close", "2022-09"),
            ("onebox", "bill", "onebox-2022-09", "312.40 EUR", "--date", "2022-10-01"),
        ],
        FEES,
        currency="EUR",
        lines=[
            "line 12  2022-10-03  row-20221003-13a3b90fa196  -312.40 EUR  onebox-payment: bill onebox-2022-09 in the text; paid 312.40 EUR to OneBox: 312.40 EUR to onebox-2022-09",
            "line 11  2022-10-14  row-20221014-b25750ff3f63  -1250.00 EUR  unrelated: money out, not to OneBox ('Müller Bürobedarf GmbH', 'Büromaterial Oktober'); to book it: onebox-ledger rule add 'Müller Bürobedarf GmbH' ACCOUNT --field counterparty --direction out --date 2022-10-14",
            "line 9  2022-10-28  row-20221028-c72ca55b3b57  +92.00 EUR  receipt: invoice inv-2022-09-berlin-immo in the text; received 92.00 EUR from berlin-immo: 92.00 EUR to inv-2022-09-berlin-immo",
            "line 8  2022-10-31  row-20221031-f493831a3937  -7.50 EUR  fee: a bank fee (Abrechnung 31.10.2022); 7.50 EUR to Expenses:Bank-Fees",
            "booked: 1 receipt (in 92.00 EUR), 1 onebox-payment (out 312.40 EUR), 1 fee (out 7.50 EUR); listed: 1 unrelated (out 1250.00 EUR)",
            "books: Assets:Bank held 0.00 EUR before 2022-10-03, the bank 4688.45 EUR (+4688.45 EUR): no balance assertion (book the account's opening balance, bank add --opening, or the statements before this one)",
        ],
        # -312.40 + 92.00 - 7.50; OneBox's bill: 4 x 25 x 65% = 65.00 accrued, 247.40 adjusted
        balances={
            "Assets:Bank": "-227.90 EUR",
            "Expenses:OneBox:Adjustment": "247.40 EUR",
            "Assets:Receivable:Berlin-Immo": "0",
            "Expenses:Bank-Fees": "7.50 EUR",
            "Liabilities:OneBox:Payable": "0",
        },
    ),
    Scenario(
        "ing.csv",
        "2026-10-01",
        [
            *terms("2026-10-01"),
            ("price", "EUR", "1.08 USD", "--date", "2026-10-01"),
            ("bank", "add", "Assets:ING", "--currency", "EUR", "--date", "2026-10-01"),
            customer("berlin-immo", "Berlin Immo GmbH", "2026-10-01", "EUR"),
            services("berlin-support", "berlin-immo", "92 EUR", "2026-10-01"),
            ("close", "2026-10"),
        ],
        ("--account", "Assets:ING", *FEES),
        lines=[
            "line 19  2026-11-10  row-20261110-1ecd99e24ec8  -119.70 EUR  unrelated: money out, not to OneBox ('Stadtwerke Berlin', 'Strom 11/2026'); to book it: onebox-ledger rule add 'Stadtwerke Berlin' ACCOUNT --field counterparty --direction out --date 2026-11-10",
            "line 18  2026-11-25  row-20261125-e8b870046246  +46.00 EUR  receipt: counterparty is the customer; received 46.00 EUR from berlin-immo: 46.00 EUR to inv-2026-10-berlin-immo",
            "line 17  2026-11-25  row-20261125-a51489f6dfa7  +92.00 EUR  receipt: invoice inv-2026-10-berlin-immo in the text; received 92.00 EUR from berlin-immo: 46.00 EUR to inv-2026-10-berlin-immo, 46.00 EUR held as credit",
            "line 16  2026-11-30  row-20261130-3b32770808d2  -4.90 EUR  fee: a bank fee (Kontoführung November 2026); 4.90 EUR to Expenses:Bank-Fees",
            "booked: 2 receipt (in 138.00 EUR), 1 fee (out 4.90 EUR); listed: 1 unrelated (out 119.70 EUR)",
            "balance: 4600.00 EUR opening +13.40 EUR booked by the bank = 4613.40 EUR; the statement's closing balance is 4613.40 EUR: reconciled",
            "books: Assets:ING held 0.00 EUR before 2026-11-10, the bank 4600.00 EUR (+4600.00 EUR): no balance assertion (book the account's opening balance, bank add --opening, or the statements before this one)",
        ],
        # 46.00 + 92.00 - 4.90. The rows of 25.11 are read the right way round (newest first):
        # the 46.00 advance comes first and pays half of October, the 92.00 for October the
        # other half and leaves 46.00 as Berlin Immo's credit
        balances={
            "Assets:ING": "133.10 EUR",
            "Assets:Receivable:Berlin-Immo": "0",
            "Expenses:Bank-Fees": "5.29 USD",  # 4.90 EUR x 1.08 = 5.292 -> 5.29
            "Liabilities:Customer-Credit:Berlin-Immo": "-46.00 EUR",
        },
    ),
    Scenario(
        "monobank-card.csv",
        "2026-10-01",
        [
            *terms("2026-10-01"),
            ("price", "UAH", "0.024 USD", "--date", "2026-10-01"),
            ("bank", "add", "Assets:Monobank:UAH", "--currency", "UAH", "--date", "2026-10-01"),
            customer("beta-homes", "Beta Homes", "2026-10-01", "UAH"),
            services("beta-support", "beta-homes", "12000 UAH", "2026-10-01"),
            customer("kyiv", "Kyiv Estates", "2026-10-01", "UAH"),
            services("kyiv-support", "kyiv", "1249.50 UAH", "2026-10-01"),
            ("close", "2026-10"),
        ],
        ("--account", "Assets:Monobank:UAH", *FEES),
        lines=[
            "line 7  2026-11-02  row-20261102-bf9ec84ed12e  +12000.00 UAH  receipt: counterparty is the customer; received 12000.00 UAH from beta-homes: 12000.00 UAH to inv-2026-10-beta-homes",
            "line 6  2026-11-05  row-20261105-5890ec45f202  -431.09 UAH  unrelated: money out, not to OneBox ('Google'); to book it: onebox-ledger rule add Google ACCOUNT --field text --direction out --date 2026-11-05",
            "line 5  2026-11-20  row-20261120-2e42ff46ff45  -2020.00 UAH  unrelated: money out, not to OneBox ('Зняття готівки: Банкомат ПриватБанк'); to book it: onebox-ledger rule add 'Зняття готівки: Банкомат ПриватБанк' ACCOUNT --field text --direction out --date 2026-11-20",
            "line 4  2026-11-25  row-20261125-3b010cfbae71  +249.50 UAH  unrelated: no customer, invoice id or customer name recognised ('ROZETKA.UA KYIV'); to book it: onebox-ledger rule add 'ROZETKA.UA KYIV' ACCOUNT --field text --direction in --date 2026-11-25",
            "line 3  2026-11-28  row-20261128-a9d479439148  -45.00 UAH  fee: a bank fee (Комісія за переказ з кредитних коштів); 45.00 UAH to Expenses:Bank-Fees",
            "line 2  2026-11-30  row-20261130-b1b92310005f  -1249.50 UAH  unrelated: money out, not to OneBox ('ROZETKA.UA KYIV'); to book it: onebox-ledger rule add 'ROZETKA.UA KYIV' ACCOUNT --field text --direction out --date 2026-11-30",
            "booked: 1 receipt (in 12000.00 UAH), 1 fee (out 45.00 UAH); listed: 4 unrelated (in 249.50 UAH, out 3700.59 UAH)",
            "balance: 1000.00 UAH opening +8503.91 UAH booked by the bank = 9503.91 UAH; the statement's closing balance is 9503.91 UAH: reconciled",
            "books: Assets:Monobank:UAH held 0.00 UAH before 2026-11-02, the bank 1000.00 UAH (+1000.00 UAH): no balance assertion (book the account's opening balance, bank add --opening, or the statements before this one)",
        ],
        # 12000.00 - 45.00; Kyiv Estates (customer kyiv) still owes 1249.50, the very amount of
        # the card purchase at ROZETKA.UA KYIV, and nothing of Rozetka's refund went to it
        balances={
            "Assets:Monobank:UAH": "11955.00 UAH",
            "Assets:Receivable:Beta-Homes": "0",
            "Assets:Receivable:Kyiv": "1249.50 UAH",
            "Expenses:Bank-Fees": "1.08 USD",  # 45.00 UAH x 0.024 = 1.08
        },
    ),
    Scenario(
        "monobank-fop.csv",
        "2026-10-01",
        [
            *terms("2026-10-01"),
            ("bank", "add", "Assets:Monobank:FOP", "--currency", "USD", "--date", "2026-10-01"),
            *ACME,
            customer("juniper-schools", "Juniper Schools", "2026-10-01"),
            services("juniper-support", "juniper-schools", "317.49 USD", "2026-10-01"),
            customer("beta-homes", "Beta Homes", "2026-10-01"),
            services("beta-support", "beta-homes", "150 USD", "2026-10-01"),
            ("close", "2026-10"),
            BILLED,
        ],
        ("--account", "Assets:Monobank:FOP", *FEES),
        lines=[
            "line 18  2026-11-03  row-20261103-0752d8ea53f9  +317.49 USD  receipt: invoice inv-2026-10-juniper-schools in the text; received 317.49 USD from juniper-schools: 317.49 USD to inv-2026-10-juniper-schools",
            "line 17  2026-11-07  row-20261107-48fead3eaf30  +150.00 USD  receipt: counterparty is the customer; received 150.00 USD from beta-homes: 150.00 USD to inv-2026-10-beta-homes",
            "line 16  2026-11-12  row-20261112-f2c0ab93019f  +199.00 USD  receipt: invoice inv-2026-10-acme-realty in the text; received 200.00 USD from acme-realty: 200.00 USD to inv-2026-10-acme-realty; bank fee 1.00 USD to Expenses:Bank-Fees",
            "line 15  2026-11-20  row-20261120-b2bbd1786c18  -5.00 USD  fee: a bank fee (Комісія за обслуговування рахунку за жовтень); 5.00 USD to Expenses:Bank-Fees",
            "line 14  2026-11-25  row-20261125-368e0d5c2636  -1087.16 USD  onebox-payment: bill onebox-2026-10 in the text; paid 1087.16 USD to OneBox: 1087.16 USD to onebox-2026-10",
            "booked: 3 receipt (in 666.49 USD), 1 onebox-payment (out 1087.16 USD), 1 fee (out 5.00 USD); listed: none",
            "balance: 500.00 USD opening -425.67 USD booked by the bank = 74.33 USD; the statement's closing balance is 74.33 USD: reconciled",
            "books: Assets:Monobank:FOP held 0.00 USD before 2026-11-03, the bank 500.00 USD (+500.00 USD): no balance assertion (book the account's opening balance, bank add --opening, or the statements before this one)",
        ],
        # 317.49 + 150.00 + 199.00 - 5.00 - 1087.16; fees 1.00 (kept of Acme's 200.00) + 5.00
        balances={
            "Assets:Monobank:FOP": "-425.67 USD",
            "Assets:Receivable:Acme-Realty": "0",
            "Assets:Receivable:Beta-Homes": "0",
            "Assets:Receivable:Juniper-Schools": "0",
            "Expenses:Bank-Fees": "6.00 USD",
            "Liabilities:OneBox:Payable": "0",
        },
    ),
    Scenario(
        "privatbank.csv",
        "2026-08-01",
        [
            *terms("2026-08-01"),
            ("bank", "add", "Assets:Privat", "--currency", "USD", "--date", "2026-08-01"),
            customer("harbor-clinic", "Harbor Clinic", "2026-08-01"),
            services(
                "harbor-care", "harbor-clinic", "504 USD", "2026-08-01", "--end", "2026-09-30"
            ),
            *ACME,
            customer("juniper-schools", "Juniper Schools", "2026-10-01"),
            services("juniper-support", "juniper-schools", "317.49 USD", "2026-10-01"),
            ("close", "2026-08"),
            ("close", "2026-09"),
            ("close", "2026-10"),
            BILLED,
        ],
        ("--account", "Assets:Privat", *FEES),
        lines=[
            "line 10  2026-11-04  row-20261104-b13433ff33ba  +317.49 USD  receipt: invoice inv-2026-10-juniper-schools in the text; received 317.49 USD from juniper-schools: 317.49 USD to inv-2026-10-juniper-schools",
            "line 9  2026-11-04  row-20261104-2f9e4bb8558e  -3.17 USD  fee: a bank fee (Комісія банку за зарахування валютних коштів 1%); 3.17 USD to Expenses:Bank-Fees",
            "line 8  2026-11-10  row-20261110-7ddb3dd71ac7  +1008.00 USD  receipt: invoices inv-2026-08-harbor-clinic, inv-2026-09-harbor-clinic in the text; received 1008.00 USD from harbor-clinic: 504.00 USD to inv-2026-08-harbor-clinic, 504.00 USD to inv-2026-09-harbor-clinic",
            "line 7  2026-11-16  row-20261116-d451147c685c  -1087.16 USD  onebox-payment: bill onebox-2026-10 in the text; paid 1087.16 USD to OneBox: 1087.16 USD to onebox-2026-10",
            "line 6  2026-11-20  row-20261120-aaddff9a513d  -2.00 USD  fee: a bank fee (Комісія за SWIFT-переказ); 2.00 USD to Expenses:Bank-Fees",
            "booked: 2 receipt (in 1325.49 USD), 1 onebox-payment (out 1087.16 USD), 2 fee (out 5.17 USD); listed: none",
            "balance: 2500.00 USD opening +233.16 USD booked by the bank = 2733.16 USD; the statement's closing balance is 2733.16 USD: reconciled",
            "books: Assets:Privat held 0.00 USD before 2026-11-04, the bank 2500.00 USD (+2500.00 USD): no balance assertion (book the account's opening balance, bank add --opening, or the statements before this one)",
        ],
        # 317.49 - 3.17 + 1008.00 - 1087.16 - 2.00 (= the statement's 2733.16 - 2500.00)
        balances={
            "Assets:Privat": "233.16 USD",
            "Assets:Receivable:Acme-Realty": "200.00 USD",
            "Assets:Receivable:Harbor-Clinic": "0",
            "Assets:Receivable:Juniper-Schools": "0",
            "Expenses:Bank-Fees": "5.17 USD",
            "Liabilities:OneBox:Payable": "0",
        },
    ),
    Scenario(
        "wise.csv",
        "2026-10-01",
        [
            *terms("2026-10-01"),
            ("price", "EUR", "1.08 USD", "--date", "2026-10-01"),
            ("bank", "add", "Assets:Wise:USD", "--currency", "USD", "--date", "2026-10-01"),
            ("bank", "add", "Assets:Wise:EUR", "--currency", "EUR", "--date", "2026-10-01"),
            *ACME,
            customer("berlin-immo", "Berlin Immo GmbH", "2026-10-01", "EUR"),
            services("berlin-support", "berlin-immo", "92 EUR", "2026-10-01"),
            ("close", "2026-10"),
            BILLED,
        ],
        ("--account", "Assets:Wise", *FEES),
        lines=[
            "line 8  2026-11-02  TRANSFER-1300000000  +199.59 USD  receipt: invoice inv-2026-10-acme-realty in the text; received 200.00 USD from acme-realty: 200.00 USD to inv-2026-10-acme-realty; bank fee 0.41 USD to Expenses:Bank-Fees",
            "line 7  2026-11-03  TRANSFER-1300000001  +92.00 EUR  receipt: invoice inv-2026-10-berlin-immo in the text; received 92.00 EUR from berlin-immo: 92.00 EUR to inv-2026-10-berlin-immo",
            "line 6  2026-11-12  CARD_TRANSACTION-1300000005  -180.00 EUR  skipped: refunded at the bank; not booked ('Hotel Adlon')",
            "line 5  2026-11-18  TRANSFER-1300000002  -500.00 USD  skipped: cancelled at the bank; not booked ('Office Rent LLC', 'Rent November')",
            "line 4  2026-11-20  BALANCE_TRANSACTION-1300000003:out  -92.00 EUR  transfer: a conversion between own balances; 92.00 EUR from Assets:Wise:EUR to Assets:Wise:USD as 99.50 USD",
            "line 4  2026-11-20  BALANCE_TRANSACTION-1300000003:in  +99.50 USD  transfer: the other leg of line 4's conversion (transfer/BALANCE_TRANSACTION-1300000003) ('Olena Petrenko')",
            "line 3  2026-11-26  TRANSFER-1300000006  -1088.22 USD  skipped: cancelled at the bank; not booked ('ONEBOX INC', 'onebox-2026-10')",
            "line 2  2026-11-27  TRANSFER-1300000004  -1088.22 USD  onebox-payment: bill onebox-2026-10 in the text; paid 1087.16 USD to OneBox: 1087.16 USD to onebox-2026-10; bank fee 1.06 USD to Expenses:Bank-Fees",
            "booked: 2 receipt (in 92.00 EUR, in 199.59 USD), 1 onebox-payment (out 1088.22 USD), 2 transfer (in 99.50 USD, out 92.00 EUR); listed: 3 skipped (out 180.00 EUR, out 1588.22 USD)",
        ],
        # USD: 199.59 - 1088.22 (the cancelled transfer of 26.11 moved nothing) + 99.50 from the
        # conversion of 91.65 EUR (and Wise's 0.35 EUR fee, 0.378 -> 0.38 USD at 1.08); fees
        # 0.41 + 1.06 + 0.38; the 92.00 EUR held at 1.08 = 99.36 USD became 99.50 + 0.38: a
        # realized gain of 0.52; OneBox's bill paid once, nothing prepaid
        balances={
            "Assets:Prepaid:OneBox": "0",
            "Assets:Receivable:Acme-Realty": "0",
            "Assets:Receivable:Berlin-Immo": "0",
            "Assets:Wise:EUR": "0",
            "Assets:Wise:USD": "-789.13 USD",
            "Expenses:Bank-Fees": "1.85 USD",
            "Income:FX-Gains": "-0.52 USD",
            "Liabilities:OneBox:Payable": "0",
        },
    ),
    Scenario(
        "wise-balance.csv",
        "2026-10-01",
        [
            *terms("2026-10-01"),
            ("bank", "add", "Assets:Wise:USD", "--currency", "USD", "--date", "2026-10-01"),
            *ACME,
            customer("juniper-schools", "Juniper Schools", "2026-10-01"),
            services("juniper-support", "juniper-schools", "317.49 USD", "2026-10-01"),
            customer("iris-travel", "Iris Travel", "2026-10-01"),
            services("iris-support", "iris-travel", "192 USD", "2026-10-01"),
            ("close", "2026-10"),
            BILLED,
        ],
        ("--account", "Assets:Wise:USD", *FEES),
        lines=[
            "line 5  2026-11-02  TRANSFER-1400000000  +317.49 USD  receipt: invoice inv-2026-10-juniper-schools in the text; received 317.49 USD from juniper-schools: 317.49 USD to inv-2026-10-juniper-schools",
            "line 4  2026-11-06  TRANSFER-1400000001  +192.00 USD  receipt: invoice inv-2026-10-iris-travel in the text; received 192.00 USD from iris-travel: 192.00 USD to inv-2026-10-iris-travel",
            "line 3  2026-11-14  CARD-1400000002  -35.50 USD  unrelated: money out, not to OneBox ('Notion Labs', 'Card transaction of 35.50 USD issued by Notion Labs'); to book it: onebox-ledger rule add 'Notion Labs' ACCOUNT --field counterparty --direction out --date 2026-11-14",
            "line 2  2026-11-25  TRANSFER-1400000003  -1088.22 USD  onebox-payment: bill onebox-2026-10 in the text; paid 1087.16 USD to OneBox: 1087.16 USD to onebox-2026-10; bank fee 1.06 USD to Expenses:Bank-Fees",
            "booked: 2 receipt (in 509.49 USD), 1 onebox-payment (out 1088.22 USD); listed: 1 unrelated (out 35.50 USD)",
            "balance: 1976.22 USD opening -614.23 USD booked by the bank = 1361.99 USD; the statement's closing balance is 1361.99 USD: reconciled",
            "books: Assets:Wise:USD held 0.00 USD before 2026-11-02, the bank 1976.22 USD (+1976.22 USD): no balance assertion (book the account's opening balance, bank add --opening, or the statements before this one)",
        ],
        # 317.49 + 192.00 - 1088.22 (1087.16 to OneBox, 1.06 Wise's fee)
        balances={
            "Assets:Receivable:Acme-Realty": "200.00 USD",
            "Assets:Receivable:Iris-Travel": "0",
            "Assets:Receivable:Juniper-Schools": "0",
            "Assets:Wise:USD": "-578.73 USD",
            "Expenses:Bank-Fees": "1.06 USD",
            "Liabilities:OneBox:Payable": "0",
        },
    ),
]


def _privatbank_sum() -> Scenario:
    """The same month as Privat24 also exports it: one signed Сума column, and the Latin i the
    bank writes for і in its rows (Комiсiя is still a bank fee); refs made from the row's own
    fields, so other than privatbank.csv's (the time and the purpose differ)."""
    (privat,) = [s for s in SCENARIOS if s.fixture == "privatbank.csv"]
    refs = {
        "row-20261104-b13433ff33ba": "row-20261104-de6e31f8c200",
        "row-20261104-2f9e4bb8558e": "row-20261104-1e838e04c5a2",
        "row-20261110-7ddb3dd71ac7": "row-20261110-0e5652d91a2a",
        "row-20261116-d451147c685c": "row-20261116-4dff1cd35700",
        "row-20261120-aaddff9a513d": "row-20261120-8e1e43774349",
    }
    lines = []
    for line in privat.lines:
        for old, new in refs.items():
            line = line.replace(old, new)
        lines.append(line.replace("Комісія", "Комiсiя").replace("коштів", "коштiв"))
    return replace(privat, fixture="privatbank-sum.csv", lines=lines)


SCENARIOS.append(_privatbank_sum())


ROW = re.compile(r"(line [0-9]+  \S+  (\S+)  \S+ \S+)  ([a-z-]+): (.*)")
KINDS = {"receipt": "receive", "onebox-payment": "pay", "fee": "fee", "transfer": "transfer"}


def imported_again(lines: list[str]) -> list[str]:
    """What a second import prints: each booked row already recorded (by the id its kind and
    the row's reference make), every other row as before, and nothing to book."""
    out = []
    for line in lines:
        match = ROW.fullmatch(line)
        if match is None or match[3] not in KINDS:
            out.append(line)
            continue
        ref = match[2]
        if match[3] == "transfer":  # a conversion: one entry for both legs
            ref = ref.rpartition(":")[0] if ref.endswith((":out", ":in")) else ref
        out.append(f"{match[1]}  recorded: already recorded ({KINDS[match[3]]}/{ref})")
    return out


def without_texts(line: str) -> str:
    """A row's line without the counterparty and description the listed rows end with."""
    match = ROW.fullmatch(line)
    if match is None or match[3] != "recorded":
        return line
    return line.split(") (", 1)[0] + ")"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.fixture)
def test_a_statement_imports_as_intended_and_again_changes_nothing(
    scenario: Scenario,
    tmp_path: Path,
    run: Run,
    ok: Ok,
    snapshot: Snapshot,
    entries: Check,
    bean_check: Check,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    main = build(tmp_path / "books", run, ok, scenario)
    if scenario.today:
        monkeypatch.setenv("ONEBOX_TODAY", scenario.today)
    fixture = str(FIXTURES / scenario.fixture)
    lines = ok(run(main, "import", fixture, *scenario.options))
    assert lines == scenario.lines
    found = balances(entries(main))
    assert {account: found.get(account, "0") for account in scenario.balances} == scenario.balances
    assert bean_check(main) == []

    before = snapshot(main.parent)
    again = ok(run(main, "import", fixture, *scenario.options))
    assert snapshot(main.parent) == before
    rows = [line for line in lines if line.startswith("line ")]
    assert [without_texts(line) for line in again[: len(rows)]] == imported_again(rows)
    assert again[len(rows)].startswith("booked: none; listed: ")


def test_every_layout_has_its_scenario() -> None:
    assert sorted(s.fixture for s in SCENARIOS) == sorted(f"{layout}.csv" for layout in LAYOUTS)


def made_ref(date: str, time: str, amount: str, counterparty: str, description: str) -> str:
    """The reference of a USD row without a bank reference, of no named account."""
    fields = (date, time, amount, "USD", counterparty, description, "")
    digest = hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()[:12]
    return f"row-{date.replace('-', '')}-{digest}"


def test_an_overlapping_statement_books_only_the_rows_not_yet_recorded(
    tmp_path: Path, run: Run, ok: Ok, snapshot: Snapshot, entries: Check, bean_check: Check
) -> None:
    """Monobank FOP, November (01.11-30.11) and then 20.11-10.12: the rows of 20.11 and 25.11
    are in both, with no bank reference; the reference made from their own fields is the
    same, so the second statement finds them recorded. In between, November is closed:
    Acme's November invoice (200.00) and OneBox's bill onebox-2026-11 (8 x 25 x 65% =
    130.00), which ТОВ "ONEBOX" is paid without naming it (oldest due first)."""
    scenario = next(s for s in SCENARIOS if s.fixture == "monobank-fop.csv")
    main = build(tmp_path / "books", run, ok, scenario)
    november = ok(run(main, "import", str(FIXTURES / "monobank-fop.csv"), *scenario.options))
    fee, onebox = (line.split()[3] for line in november[3:5])  # the refs of 20.11 and 25.11
    ok(run(main, "close", "2026-11"))
    # the references of December's rows, by the formula of importers/statements/refs.py
    acme = made_ref(
        "2026-12-04", "09:30:00", "200.00", "acme realty llc", "payment inv-2026-11-acme-realty"
    )
    to_onebox = made_ref(
        "2026-12-08",
        "11:00:00",
        "-130.00",
        'тов "onebox"',
        "оплата згідно рахунку за листопад 2026",
    )
    lines = ok(run(main, "import", str(FIXTURES / "monobank-fop-2.csv"), *scenario.options))
    assert lines == [
        f"line 17  2026-11-20  {fee}  -5.00 USD  recorded: already recorded (fee/{fee})"
        " ('АТ \"УНІВЕРСАЛ БАНК\"', 'Комісія за обслуговування рахунку за жовтень')",
        f"line 16  2026-11-25  {onebox}  -1087.16 USD  recorded: already recorded (pay/{onebox})"
        " ('ONEBOX INC', 'Оплата рахунку onebox-2026-10 згідно договору')",
        f"line 15  2026-12-04  {acme}  +200.00 USD  receipt: invoice"
        " inv-2026-11-acme-realty in the text; received 200.00 USD from acme-realty: 200.00 USD"
        " to inv-2026-11-acme-realty",
        f"line 14  2026-12-08  {to_onebox}  -130.00 USD  onebox-payment:"
        " counterparty is OneBox; paid 130.00 USD to OneBox: 130.00 USD to onebox-2026-11",
        "booked: 1 receipt (in 200.00 USD), 1 onebox-payment (out 130.00 USD); listed: 2"
        " recorded (out 1092.16 USD)",
        # 1161.49 + 5.00 before the oldest row; -5.00 - 1087.16 + 200.00 - 130.00
        "balance: 1166.49 USD opening -1022.16 USD booked by the bank = 144.33 USD; the"
        " statement's closing balance is 144.33 USD: reconciled",
        # the account opened at 0.00, the bank held 500.00 before the scenario's first row
        "books: Assets:Monobank:FOP held 666.49 USD before 2026-11-20, the bank 1166.49 USD"
        " (+500.00 USD): no balance assertion (book the account's opening balance, bank add"
        " --opening, or the statements before this one)",
    ]
    found = balances(entries(main))
    # November: -425.67 (see the scenario); December: + 200.00 - 130.00
    assert found["Assets:Monobank:FOP"] == "-355.67 USD"
    assert (found["Liabilities:OneBox:Payable"], found["Assets:Receivable:Acme-Realty"]) == (
        "0",
        "0",
    )
    assert bean_check(main) == []
    before = snapshot(main.parent)
    ok(run(main, "import", str(FIXTURES / "monobank-fop-2.csv"), *scenario.options))
    assert snapshot(main.parent) == before


def test_without_fees_the_fees_go_to_expenses_bank_fees(
    tmp_path: Path, run: Run, ok: Ok, snapshot: Snapshot
) -> None:
    """Out of the box a fee is booked, not left for review: without --fees the commission row
    and the 1.00 the bank kept of Acme's receipt go to Expenses:Bank-Fees, as with --fees
    Expenses:Bank-Fees (the scenario's), and the first fee opens the account."""
    scenario = next(s for s in SCENARIOS if s.fixture == "monobank-fop.csv")
    assert "--fees" in scenario.options and "Expenses:Bank-Fees" in scenario.options
    main = build(tmp_path / "books", run, ok, scenario)
    accounts = (main.parent / "ledger" / "accounts.beancount").read_text(encoding="utf-8")
    assert "Expenses:Bank-Fees" not in accounts
    lines = ok(run(main, "import", str(FIXTURES / "monobank-fop.csv"), "--account", "Assets:Monobank:FOP"))  # fmt: skip
    assert lines == scenario.lines
    accounts = (main.parent / "ledger" / "accounts.beancount").read_text(encoding="utf-8")
    assert accounts.endswith(" open Expenses:Bank-Fees\n")


def test_a_dry_run_as_json_is_one_object_per_row_and_writes_nothing(
    tmp_path: Path, run: Run, ok: Ok, snapshot: Snapshot
) -> None:
    """Wise, all balances: one object per row (both legs of a conversion), amounts as exact
    strings, the invoice or bill each booked row pays, the reason of every other."""
    scenario = next(s for s in SCENARIOS if s.fixture == "wise.csv")
    main = build(tmp_path / "books", run, ok, scenario)
    before = snapshot(main.parent)
    result = run(main, "import", str(FIXTURES / "wise.csv"), *scenario.options, "--dry-run", "--format", "json")  # fmt: skip
    rows = json.loads(ok(result) and result.stdout)
    assert snapshot(main.parent) == before
    assert [
        (r["line"], r["ref"], r["amount"], r["currency"], r["outcome"], r["customer"],
         r["invoice"], r["bill"])
        for r in rows
    ] == [
        (8, "TRANSFER-1300000000", "199.59", "USD", "receipt", "acme-realty", "inv-2026-10-acme-realty", None),
        (7, "TRANSFER-1300000001", "92.00", "EUR", "receipt", "berlin-immo", "inv-2026-10-berlin-immo", None),
        (6, "CARD_TRANSACTION-1300000005", "-180.00", "EUR", "skipped", None, None, None),
        (5, "TRANSFER-1300000002", "-500.00", "USD", "skipped", None, None, None),
        (4, "BALANCE_TRANSACTION-1300000003:out", "-92.00", "EUR", "transfer", None, None, None),
        (4, "BALANCE_TRANSACTION-1300000003:in", "99.50", "USD", "transfer", None, None, None),
        (3, "TRANSFER-1300000006", "-1088.22", "USD", "skipped", None, None, None),
        (2, "TRANSFER-1300000004", "-1088.22", "USD", "onebox-payment", None, None, "onebox-2026-10"),
    ]  # fmt: skip
    assert [r["reason"] for r in rows][2:4] == [
        "refunded at the bank; not booked",
        "cancelled at the bank; not booked",
    ]
    assert {r["date"] for r in rows} >= {"2026-11-02", "2026-11-27"}


def test_a_row_naming_no_invoice_pays_the_one_its_amount_has_open(
    tmp_path: Path, run: Run, ok: Ok, entries: Check
) -> None:
    """Harbor Clinic owes September and October (504.00 each) and extra hours of 2 November
    (120.00). A payment of 120.00 naming no invoice pays the hours, not September; one of
    504.00 matches two invoices and pays the oldest."""
    scenario = next(s for s in SCENARIOS if s.fixture == "chase.csv")
    main = build(tmp_path / "books", run, ok, scenario)
    ok(run(main, "sell", "harbor-clinic", "120 USD", "--date", "2026-11-02", "--memo", "Extra hours"))  # fmt: skip
    statement = tmp_path / "bank.csv"
    statement.write_text(
        "Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance\n"
        "2026-11-03,2026-11-03,HC-1,HARBOR CLINIC,Extra hours,120.00,USD,\n"
        "2026-11-04,2026-11-04,HC-2,HARBOR CLINIC,Thank you,504.00,USD,\n",
        encoding="utf-8",
    )
    assert ok(run(main, "import", str(statement)))[:2] == [
        "line 2  2026-11-03  HC-1  +120.00 USD  receipt: counterparty is the customer; the amount"
        " inv-2026-11-02-harbor-clinic has open; received 120.00 USD from harbor-clinic: 120.00"
        " USD to inv-2026-11-02-harbor-clinic",
        "line 3  2026-11-04  HC-2  +504.00 USD  receipt: counterparty is the customer; received"
        " 504.00 USD from harbor-clinic: 504.00 USD to inv-2026-09-harbor-clinic",
    ]
    assert balances(entries(main))["Assets:Receivable:Harbor-Clinic"] == "504.00 USD"


# ---------------------------------------------------------------- Fava's import page

FAVA_CONFIG = """from onebox_ledger.importers.bank import BankImporter

CONFIG = [BankImporter({account!r}, {operating!r}, layout=None, fees={fees!r})]
"""
DATED = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2} ")


def option(options: tuple[str, ...], name: str) -> str | None:
    return options[options.index(name) + 1] if name in options else None


def appended(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """The entries the command wrote: what it added at the end of each file, one text each."""
    out = []
    for name in sorted(after):
        old = before.get(name, b"")
        assert after[name].startswith(old), name
        new = after[name][len(old) :].decode("utf-8")
        out += [chunk.strip("\n") + "\n" for chunk in new.split("\n\n") if DATED.match(chunk.strip("\n"))]  # fmt: skip
    return out


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.fixture)
def test_favas_import_page_offers_exactly_what_import_books(
    scenario: Scenario, tmp_path: Path, run: Run, ok: Ok, snapshot: Snapshot
) -> None:
    """Fava with import-config: each statement is listed under the one importer (any layout,
    the scenario's account and fee account), and extracting it offers the entries, and the
    accounts to open, that `onebox-ledger import` then writes."""
    from fava.core import FavaLedger

    main = build(tmp_path / "books", run, ok, scenario)
    account, fees = option(scenario.options, "--account"), option(scenario.options, "--fees")
    config = FAVA_CONFIG.format(account=account, operating=scenario.currency, fees=fees)
    (main.parent / "config.py").write_text(config, encoding="utf-8")
    (main.parent / "statements").mkdir()
    document = main.parent / "statements" / scenario.fixture
    document.write_bytes((FIXTURES / scenario.fixture).read_bytes())
    with main.open("a", encoding="utf-8") as text:
        text.write(
            '\n2026-01-01 custom "fava-option" "import-config" "config.py"\n'
            '2026-01-01 custom "fava-option" "import-dirs" "statements"\n'
        )
    name = f"onebox_ledger.importers.bank.BankImporter({account})" if account else (
        "onebox_ledger.importers.bank.BankImporter"
    )  # fmt: skip
    fava = FavaLedger(str(main))
    assert fava.errors == []
    listed = [(f.basename, [i.importer_name for i in f.importers]) for f in fava.ingest.import_data()]  # fmt: skip
    assert listed == [(scenario.fixture, [name])]
    offered = fava.ingest.extract(str(document), name)
    assert not any("__duplicate__" in entry.meta for entry in offered)

    before = snapshot(main.parent / "ledger")
    ok(run(main, "import", str(document), *scenario.options))
    written = appended(before, snapshot(main.parent / "ledger"))
    assert sorted(beans.format_entry(entry) for entry in offered) == sorted(written)
    assert len(written) == len(offered) > 0
    assert FavaLedger(str(main)).ingest.extract(str(document), name) == []


def test_a_customer_whose_name_starts_another_is_not_named_by_the_longer_one(
    tmp_path: Path, run: Run, ok: Ok, entries: Check
) -> None:
    """Harbor Clinic and Harbor Clinic East are two customers: a payment naming the id
    harbor-clinic-east is East's, not a reason to ask which of the two it is; naming both
    by name is."""
    scenario = next(s for s in SCENARIOS if s.fixture == "chase.csv")
    main = build(tmp_path / "books", run, ok, scenario)
    ok(run(main, *customer("harbor-clinic-east", "Harbor Clinic East", "2026-11-01")))
    ok(run(main, "sell", "harbor-clinic-east", "75 USD", "--date", "2026-11-02", "--memo", "Setup"))  # fmt: skip
    statement = tmp_path / "bank.csv"
    statement.write_text(
        "Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance\n"
        "2026-11-03,2026-11-03,HE-1,J. Smith,harbor-clinic-east setup,75.00,USD,\n"
        "2026-11-04,2026-11-04,HE-2,J. Smith,Harbor Clinic East and Harbor Clinic,75.00,USD,\n",
        encoding="utf-8",
    )
    assert ok(run(main, "import", str(statement)))[:2] == [
        "line 2  2026-11-03  HE-1  +75.00 USD  receipt: customer named in the description;"
        " received 75.00 USD from harbor-clinic-east: 75.00 USD to inv-2026-11-02-harbor-clinic-east",
        "line 3  2026-11-04  HE-2  +75.00 USD  review: customer named in the description: several"
        " customers (harbor-clinic, harbor-clinic-east) ('J. Smith', 'Harbor Clinic East and"
        " Harbor Clinic')",
    ]
    assert balances(entries(main))["Assets:Receivable:Harbor-Clinic-East"] == "0"
