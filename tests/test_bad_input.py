"""Nothing lost on bad input: one line on stderr, exit 2 (bad argument) or 1 (the ledger
refuses), no traceback, and every file byte-identical.

Each case runs on the closed seed (2026-11 sealed; invoice inv-2026-11-acme open for
2125.00 USD; bill onebox-2026-11 open for 81.25 USD, due 2026-12-30; today 2026-12-15)::

    $ onebox-ledger sell acm "125 USD" --date 2026-12-05 --memo Setup
    onebox-ledger: error: unknown customer 'acm' (did you mean 'acme'?)       exit 2
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from beancount.core import data
from click.testing import CliRunner, Result

from onebox_ledger.cli import cli

Run = Callable[..., Result]
Setup = Callable[[Path, Run], Path]


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    code: int
    # after 'onebox-ledger: error: '; {root}: the seed's directory, {top}: tmp_path,
    # {ledger}: the --ledger path used
    message: str
    match: str = "exact"  # or "prefix", "contains"
    setup: Setup | None = None  # prepares the ledger; returns the --ledger path to use


def sell(amount: str, date: str = "2026-12-05", memo: str = "Setup") -> tuple[str, ...]:
    return ("sell", "acme", amount, "--date", date, "--memo", memo)


# ---------------------------------------------------------------- setups


def _file(name: str, content: bytes) -> Setup:
    def setup(main: Path, run: Run) -> Path:
        path = main.parent.parent / "elsewhere" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        return path

    return setup


def _missing(main: Path, run: Run) -> Path:
    return main.parent.parent / "missing" / "main.beancount"


def _directory(main: Path, run: Run) -> Path:
    path = main.parent.parent / "a-directory"
    path.mkdir()
    return path


def _loop(*through: str) -> Setup:
    """--ledger names a symbolic link that points at itself (``ln -s loop loop``), or a path
    through one."""

    def setup(main: Path, run: Run) -> Path:
        loop = main.parent.parent / "loop"
        loop.symlink_to("loop")
        return loop.joinpath(*through)

    return setup


def _unbalanced(main: Path, run: Run) -> Path:
    """An unbalanced transaction written by hand into an open month's journal file: line 1."""
    (main.parent / "ledger" / "journal" / "2026-12.beancount").write_text(UNBALANCED)
    return main


def _after(*commands: tuple[str, ...]) -> Setup:
    def setup(main: Path, run: Run) -> Path:
        for args in commands:
            result = run(main, *args)
            assert result.exit_code == 0, result.stderr
        return main

    return setup


def _statement(name: str, content: bytes, *more: Setup) -> Setup:
    """A bank statement in {top}/statements/NAME (after the setups `more`); the ledger as is."""

    def setup(main: Path, run: Run) -> Path:
        for other in more:
            other(main, run)
        path = main.parent.parent / "statements" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        return main

    return setup


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\xff\xfe"
INJECTION = 'X"\n2026-01-01 * "evil"\n  Assets:Bank  1000000.00 USD\n  Income:Services'
FORTY_DIGITS = "1234567890123456789012345678901234567890"
MEGABYTE = "a" * 1_000_000
PLAIN = "is not a plain decimal number (write it like 125.00)"
UNBALANCED = '2026-12-01 * "Hand-written"\n  Assets:Bank  10.00 USD\n  Income:Services  -9.00 USD\n'

HEADER = b"Date,Value date,Reference,Counterparty,Description,Amount,Currency,Balance\n"
STATEMENT = HEADER + b"2026-12-05,2026-12-05,TX-1,Acme Realty,inv-2026-11-acme,125.00,USD,\n"
IN_EUR = HEADER + b"2026-12-05,2026-12-05,TX-1,Acme Realty,inv-2026-11-acme,125.00,EUR,\n"
WISE_BALANCE = (
    b'"TransferWise ID",Date,Amount,Currency,Description,"Payment Reference","Running Balance",'
    b'"Exchange From","Exchange To","Exchange Rate","Payer Name","Payee Name",'
    b'"Payee Account Number",Merchant,"Card Last Four Digits","Card Holder Full Name",'
    b'Attachment,Note,"Total fees","Exchange To Amount"\n'
    b"TRANSFER-1,31-11-2026,125.00,USD,Received money,inv-2026-11-acme,125.00,,,,Acme Realty,"
    b",,,,,,,0.00,\n"
)
LAYOUT_NAMES = (
    "'generic', 'monobank-card', 'monobank-fop', 'privatbank', 'privatbank-sum', 'dkb',"
    " 'dkb-legacy', 'ing', 'chase', 'wise', 'wise-balance', 'camt053', 'mt940'"
)


def imports(name: str, *options: str) -> tuple[str, ...]:
    """onebox-ledger import {top}/statements/NAME OPTIONS..."""
    return ("import", f"{{top}}/statements/{name}", *options)


CASES = [
    # amounts
    pytest.param(
        Case(sell("0 USD"), 2, "amount '0' must be greater than zero"), id="amount-zero"
    ),
    pytest.param(
        Case(sell("0.00 USD"), 2, "amount '0.00' must be greater than zero"), id="amount-zero-cents"
    ),
    pytest.param(
        Case(
            ("sell", "acme", "--date", "2026-12-05", "--memo", "Setup", "--", "-5 USD"), 2,
            "amount '-5 USD' is negative; amounts are positive: to reduce an invoice use"
            " credit-note",
        ),
        id="amount-negative",
    ),
    # a negative amount is a value, not an option ('-1'), and says what to do instead
    pytest.param(
        Case(
            ("receive", "acme", "-100 USD", "--date", "2026-12-05"), 2,
            "amount '-100 USD' is negative; amounts are positive: to reverse a payment use refund",
        ),
        id="receive-negative-amount",
    ),
    pytest.param(
        Case(
            ("receive", "acme", "-5", "--date", "2026-12-05"), 2,
            "amount '-5' is negative; amounts are positive: to reverse a payment use refund",
        ),
        id="receive-negative-number",
    ),
    pytest.param(
        Case(
            sell("-5 USD"), 2,
            "amount '-5 USD' is negative; amounts are positive: to reduce an invoice use"
            " credit-note",
        ),
        id="sell-negative-amount",
    ),
    pytest.param(
        Case(
            ("refund", "acme", "-10 USD", "--date", "2026-12-05"), 2,
            "amount '-10 USD' is negative; amounts are positive: to record a payment use receive",
        ),
        id="refund-negative-amount",
    ),
    pytest.param(
        Case(
            ("credit-note", "inv-2026-11-acme", "-25 USD", "--date", "2026-12-05",
             "--memo", "x"), 2,
            "amount '-25 USD' is negative; amounts are positive: to bill more use sell",
        ),
        id="credit-note-negative-amount",
    ),
    pytest.param(
        Case(
            ("onebox", "pay", "-81.25 USD", "--date", "2026-12-05"), 2,
            "amount '-81.25 USD' is negative; amounts are positive",
        ),
        id="onebox-pay-negative-amount",
    ),
    pytest.param(
        Case(
            ("receive", "acme", "10 USD", "--date", "2026-12-05", "--paid", "-9 EUR"), 2,
            "--paid '-9 EUR' is negative; amounts are positive",
        ),
        id="receive-negative-paid",
    ),
    pytest.param(
        Case(("receive", "acme", "10 USD", "-x", "--date", "2026-12-05"), 2,
             "No such option '-x'."),
        id="unknown-short-option-still-refused",
    ),
    pytest.param(
        Case(sell("1.234 USD"), 2, "amount '1.234' has more than 2 decimal places"),
        id="amount-three-decimals",
    ),
    pytest.param(
        Case(sell("1e3 USD"), 2, f"amount '1e3' {PLAIN}"),
        id="amount-exponent",
    ),
    pytest.param(
        Case(sell("NaN USD"), 2, f"amount 'NaN' {PLAIN}"),
        id="amount-nan",
    ),
    pytest.param(
        Case(sell("Infinity USD"), 2, f"amount 'Infinity' {PLAIN}"),
        id="amount-infinity",
    ),
    pytest.param(
        Case(sell("10/0 USD"), 2, f"amount '10/0' {PLAIN}"),
        id="amount-division",
    ),
    pytest.param(
        Case(sell("1,000 USD"), 2, f"amount '1,000' {PLAIN}"),
        id="amount-thousands-separator",
    ),
    pytest.param(
        Case(
            sell(f"{FORTY_DIGITS} USD"), 2,
            f"amount '{FORTY_DIGITS}' has more than 15 integer digits",
        ),
        id="amount-40-digits",
    ),
    pytest.param(
        Case(sell("125"), 2, "amount 125 needs a currency, like '125 USD'"),
        id="amount-without-currency",
    ),
    # currencies
    pytest.param(
        Case(sell("125 EUR"), 2, "customer 'acme' is billed in USD, not EUR"),
        id="currency-not-the-customers",
    ),
    pytest.param(
        Case(sell("125 usd"), 2, "currency 'usd' is not a currency code (like USD or EUR)"),
        id="currency-lowercase",
    ),
    pytest.param(
        Case(
            ("customer", "add", "zed", "--name", "Zed", "--currency", "XYZ",
             "--date", "2026-12-01"), 2,
            "currency 'XYZ' is not an ISO 4217 currency code (like USD or EUR), nor declared by"
            " this ledger (a 'commodity XYZ' line)",
        ),
        id="currency-not-iso-4217",
    ),
    pytest.param(
        Case(
            sell("125 BTC"), 2,
            "currency 'BTC' is not an ISO 4217 currency code (like USD or EUR), nor declared by"
            " this ledger (a 'commodity BTC' line)",
        ),
        id="amount-currency-not-iso-4217",
    ),
    pytest.param(
        Case(
            ("price", "XYZ", "1.08 USD", "--date", "2026-12-01"), 2,
            "currency 'XYZ' is not an ISO 4217 currency code (like USD or EUR), nor declared by"
            " this ledger (a 'commodity XYZ' line)",
        ),
        id="price-currency-not-iso-4217",
    ),
    pytest.param(
        Case(
            ("price", "EUR", "1.08", "--date", "2026-12-01"), 2,
            "rate 1.08 needs a currency, like '1.08 USD'",
        ),
        id="price-rate-without-currency",
    ),
    pytest.param(
        Case(
            ("contract", "add", "acme-extra", "--customer", "acme", "--stream", "services",
             "--price", "25", "--start", "2026-12-01"), 2,
            "price 25 needs a currency, like '25 USD'",
        ),
        id="contract-price-without-currency",
    ),
    pytest.param(
        Case(
            ("terms", "item", "cloud-user", "25", "--date", "2026-12-01"), 2,
            "price 25 needs a currency, like '25 USD'",
        ),
        id="item-price-without-currency",
    ),
    pytest.param(
        Case(
            ("onebox", "pay", "10 EUR", "--date", "2026-12-05"), 2,
            "OneBox bills are in USD, not EUR (give what left your account with --paid)",
        ),
        id="currency-not-the-bills",
    ),
    pytest.param(
        Case(
            ("contract", "add", "acme-extra", "--customer", "acme", "--stream", "cloud",
             "--price", "25 EUR", "--start", "2026-12-01", "--item", "cloud-user"), 2,
            "customer 'acme' is billed in USD, not EUR",
        ),
        id="currency-contract-price",
    ),
    # unknown names
    pytest.param(
        Case(
            ("sell", "acm", "125 USD", "--date", "2026-12-05", "--memo", "Setup"), 2,
            "unknown customer 'acm' (did you mean 'acme'?)",
        ),
        id="unknown-customer",
    ),
    pytest.param(
        Case(
            ("contract", "change", "acme-clod", "--date", "2026-12-05", "--quantity", "3"), 2,
            "unknown contract 'acme-clod' (did you mean 'acme-cloud'?)",
        ),
        id="unknown-contract",
    ),
    pytest.param(
        Case(
            ("contract", "end", "zzz", "--date", "2026-12-31"), 2,
            "unknown contract 'zzz'",
        ),
        id="unknown-contract-no-hint",
    ),
    pytest.param(
        Case(
            ("onebox", "pay", "1 USD", "--date", "2026-12-05", "--bill", "onebox-2026-10"), 2,
            "unknown bill 'onebox-2026-10' for OneBox bills (did you mean 'onebox-2026-11'?)",
        ),
        id="unknown-bill-pay",
    ),
    pytest.param(
        Case(
            ("onebox", "grace", "onebox-2026-10", "--until", "2027-02-28", "--date", "2026-12-10"),
            2, "unknown bill 'onebox-2026-10' (did you mean 'onebox-2026-11'?)",
        ),
        id="unknown-bill-grace",
    ),
    pytest.param(
        Case(
            ("receive", "acme", "1 USD", "--date", "2026-12-05", "--invoice", "inv-2026-11-acm"),
            2,
            "unknown invoice 'inv-2026-11-acm' for customer 'acme'"
            " (did you mean 'inv-2026-11-acme'?)",
        ),
        id="unknown-invoice",
    ),
    pytest.param(
        Case(
            ("contract", "add", "acme-more", "--customer", "acme", "--stream", "cloud",
             "--price", "25 USD", "--start", "2026-12-01", "--item", "cloud-usr"), 2,
            "unknown item 'cloud-usr' (did you mean 'cloud-user'?)",
        ),
        id="unknown-item",
    ),
    # dates and months
    pytest.param(
        Case(sell("125 USD", date="12/05/2026"), 2,
             "date '12/05/2026' is not an ISO date (YYYY-MM-DD)"),
        id="date-not-iso",
    ),
    pytest.param(
        Case(
            sell("125 USD", date="2026-02-30"), 2, "date '2026-02-30' is not a real calendar date"
        ),
        id="date-impossible",
    ),
    pytest.param(
        Case(
            sell("125 USD", date="2026-11-20"), 1,
            "date 2026-11-20 is in sealed month 2026-11; the books are closed through 2026-11"
            " (use a date from 2026-12-01 on)",
        ),
        id="date-in-sealed-month",
    ),
    pytest.param(
        Case(
            ("contract", "change", "acme-cloud", "--date", "2026-11-15", "--quantity", "8"), 1,
            "date 2026-11-15 is in sealed month 2026-11; the books are closed through 2026-11"
            " (use a date from 2026-12-01 on)",
        ),
        id="contract-change-in-sealed-month",
    ),
    pytest.param(
        Case(("close", "2026-13"), 2, "month '2026-13' is not a valid YYYY-MM month"),
        id="month-invalid",
    ),
    pytest.param(
        Case(
            ("close", "2026-12"), 1,
            "2026-12 has not ended yet (today is 2026-12-15); close it from 2027-01-01 on,"
            " or pass --force",
        ),
        id="close-month-not-ended",
    ),
    pytest.param(
        Case(
            ("close", "2027-01", "--force"), 1,
            "close 2026-12 first: months close in order (last closed: 2026-11)",
        ),
        id="close-out-of-order",
    ),
    # idempotency and open items
    pytest.param(
        Case(
            (*sell("301 USD"), "--ref", "INV-1"), 1,
            "ref 'INV-1' was already used with amount 300.00 USD (asked 301.00 USD)",
            setup=_after((*sell("300 USD"), "--ref", "INV-1")),
        ),
        id="duplicate-ref-other-amount",
    ),
    # money that matches nothing open is never refused (it is credit or prepaid); these are
    pytest.param(
        Case(
            ("refund", "acme", "10 USD", "--date", "2026-12-05"), 1,
            "refund of 10.00 USD exceeds acme's credit of 0.00 USD on 2026-12-05",
        ),
        id="refund-more-than-credit",
    ),
    pytest.param(
        Case(
            ("refund", "acme", "10 EUR", "--date", "2026-12-05"), 2,
            "customer 'acme' is billed in USD, not EUR",
        ),
        id="refund-other-currency",
    ),
    pytest.param(
        Case(
            ("receive", "acme", "10 USD", "--date", "2026-12-05", "--account", "Assets:Safe"), 2,
            "Assets:Safe is not a bank account of this ledger (bank accounts: Assets:Bank; add"
            " one: onebox-ledger bank add Assets:Safe --currency USD)",
        ),
        id="receive-unknown-bank-account",
    ),
    pytest.param(
        Case(
            ("receive", "acme", "10 USD", "--date", "2026-12-05", "--account", "assets:bank"), 2,
            "--account 'assets:bank' is not an account name (like Assets:Wise:EUR or"
            " Expenses:Bank-Fees)",
        ),
        id="receive-bad-account-name",
    ),
    pytest.param(
        Case(
            ("receive", "acme", "10 USD", "--date", "2026-12-05", "--paid", "9"), 2,
            "--paid 9 needs a currency, like '9 USD'",
        ),
        id="receive-paid-without-currency",
    ),
    pytest.param(
        Case(
            ("receive", "acme", "10 USD", "--date", "2026-12-05", "--paid", "9 EUR"), 2,
            "no bank account holds EUR (add one: onebox-ledger bank add Assets:Bank-EUR"
            " --currency EUR)",
        ),
        id="receive-paid-in-a-currency-no-bank-holds",
    ),
    pytest.param(
        Case(
            ("credit-note", "inv-2026-11-acme", "3000 USD", "--date", "2026-12-05",
             "--memo", "x", "--stream", "cloud"), 1,
            "a credit note of 3000.00 USD exceeds what invoice inv-2026-11-acme billed and was"
            " not credited yet (2125.00 USD)",
        ),
        id="credit-note-more-than-billed",
    ),
    pytest.param(
        Case(
            ("credit-note", "inv-2026-11-acme", "30 USD", "--date", "2026-12-05", "--memo", "x"),
            2, "invoice inv-2026-11-acme bills cloud, services: say which with --stream",
        ),
        id="credit-note-stream-unclear",
    ),
    pytest.param(
        Case(
            ("credit-note", "inv-2026-11-acme", "30 USD", "--date", "2026-12-05", "--memo", "x",
             "--stream", "data"), 2,
            "invoice inv-2026-11-acme bills cloud, services, not data",
        ),
        id="credit-note-other-stream",
    ),
    pytest.param(
        Case(
            ("credit-note", "inv-2026-11-acm", "30 USD", "--date", "2026-12-05", "--memo", "x"),
            2, "unknown invoice 'inv-2026-11-acm' for this ledger (did you mean"
            " 'inv-2026-11-acme'?)",
        ),
        id="credit-note-unknown-invoice",
    ),
    pytest.param(
        Case(
            ("credit-note", "inv-2026-11-acme", "30 USD", "--date", "2026-11-20", "--memo", "x",
             "--stream", "cloud"), 2,
            "credit note dated 2026-11-20, before invoice inv-2026-11-acme of 2026-11-30",
        ),
        id="credit-note-before-invoice",
    ),
    pytest.param(
        Case(
            ("write-off", "inv-2026-11-acme", "--date", "2026-12-05"), 1,
            "invoice inv-2026-11-acme has nothing open to write off",
            setup=_after(("receive", "acme", "2125 USD", "--date", "2026-12-04")),
        ),
        id="write-off-paid-invoice",
    ),
    pytest.param(
        Case(
            ("write-off", "inv-2099-01-acme", "--date", "2026-12-05"), 2,
            "unknown invoice 'inv-2099-01-acme' for this ledger (did you mean"
            " 'inv-2026-11-acme'?)",
        ),
        id="write-off-unknown-invoice",
    ),
    pytest.param(
        Case(
            ("onebox", "bill", "onebox-2026-11", "81.26 EUR", "--date", "2026-12-05"), 2,
            "bill onebox-2026-11 is in USD, not EUR",
        ),
        id="onebox-bill-currency",
    ),
    pytest.param(
        Case(
            ("onebox", "bill", "onebox-2026-11", "50 USD", "--date", "2026-12-06"), 1,
            "bill onebox-2026-11: 50.00 USD is less than the 81.25 USD already paid (record what"
            " OneBox refunds as a receipt first)",
            setup=_after(("onebox", "pay", "81.25 USD", "--date", "2026-12-05")),
        ),
        id="onebox-bill-below-paid",
    ),
    pytest.param(
        Case(
            ("onebox", "bill", "onebox-2026-12", "50 USD", "--date", "2026-12-06"), 2,
            "unknown bill 'onebox-2026-12' for OneBox bills issued by 2026-12-06 (did you mean"
            " 'onebox-2026-11'?)",
        ),
        id="onebox-bill-unknown",
    ),
    pytest.param(
        Case(
            ("sell", "acme", "300 USD", "--date", "2026-12-05", "--memo", "x", "--stream",
             "cloud"), 2,
            "a cloud sale consumes OneBox items: give --item and --quantity (the units it uses),"
            " or sell it as services",
        ),
        id="sell-cloud-without-item",
    ),
    pytest.param(
        Case(
            ("sell", "acme", "300 USD", "--date", "2026-12-05", "--memo", "x", "--stream",
             "cloud", "--item", "cloud-user"), 2,
            "give --item and --quantity together (the units the sale consumes)",
        ),
        id="sell-item-without-quantity",
    ),
    pytest.param(
        Case(
            ("bank", "add", "Assets:Bank:EUR", "--currency", "EUR", "--date", "2026-12-01"), 2,
            "Assets:Bank:EUR and Assets:Bank would nest: Beancount's pedantic checks refuse"
            " postings to an account that has sub-accounts (like Assets:Bank-EUR)",
        ),
        id="bank-account-nested",
    ),
    pytest.param(
        Case(
            ("bank", "add", "Assets:Wise:EUR", "--currency", "EUR", "--date", "2026-11-15"), 1,
            "date 2026-11-15 is in sealed month 2026-11; the books are closed through 2026-11"
            " (use a date from 2026-12-01 on)",
        ),
        id="bank-account-in-sealed-month",
    ),
    pytest.param(
        Case(
            ("onebox", "grace", "onebox-2026-11", "--until", "2027-02-27", "--date", "2026-12-11"),
            2, "bill onebox-2026-11 is in grace until 2027-02-28; an extension must agree a later"
            " date than 2027-02-27",
            setup=_after(
                ("onebox", "grace", "onebox-2026-11", "--until", "2027-02-28",
                 "--date", "2026-12-10")
            ),
        ),
        id="grace-extension-not-later",
    ),
    pytest.param(
        Case(
            ("onebox", "grace", "onebox-2026-11", "--until", "2026-12-01", "--date", "2026-12-05"),
            2, "grace until 2026-12-01 must be after the agreement date 2026-12-05",
        ),
        id="grace-until-before-date",
    ),
    pytest.param(
        Case(
            ("onebox", "grace", "onebox-2026-11", "--until", "2026-12-20", "--date", "2026-12-10"),
            2, "grace until 2026-12-20 must be after the bill's due date 2026-12-30",
        ),
        id="grace-until-before-due",
    ),
    # text that tries to break out of its string
    pytest.param(
        Case(
            ("customer", "add", "bob", "--name", INJECTION, "--date", "2026-12-01"), 2,
            "name contains a control character (U+000A); remove it",
        ),
        id="name-injects-a-transaction",
    ),
    pytest.param(
        Case(
            sell("1 USD", memo='Setup\ninclude "/etc/passwd"'), 2,
            "memo contains a control character (U+000A); remove it",
        ),
        id="memo-include-line",
    ),
    pytest.param(
        Case(
            sell("1 USD", memo='Setup\u2028include "/etc/passwd"'), 2,
            "memo contains a control character (U+2028); remove it",
        ),
        id="memo-line-separator",
    ),
    pytest.param(
        Case(
            sell("1 USD", memo="Setup\rplugin"), 2,
            "memo contains a control character (U+000D); remove it",
        ),
        id="memo-carriage-return",
    ),
    # invisible format characters (Unicode Cf): text that reads otherwise than it is stored
    pytest.param(
        Case(
            ("customer", "add", "bob", "--name", "Bob \u202eevil", "--date", "2026-12-01"), 2,
            "name contains an invisible format character (U+202E RIGHT-TO-LEFT OVERRIDE);"
            " remove it",
        ),
        id="name-right-to-left-override",
    ),
    pytest.param(
        Case(
            ("customer", "add", "bob", "--name", "Acme\u200bRealty", "--date", "2026-12-01"), 2,
            "name contains an invisible format character (U+200B ZERO WIDTH SPACE); remove it",
        ),
        id="name-zero-width-space",
    ),
    pytest.param(
        Case(
            sell("1 USD", memo="\ufeffSetup"), 2,
            "memo contains an invisible format character (U+FEFF ZERO WIDTH NO-BREAK SPACE);"
            " remove it",
        ),
        id="memo-byte-order-mark",
    ),
    pytest.param(
        Case(
            sell("1 USD", memo="Setup \u2066x\u2069"), 2,
            "memo contains an invisible format character (U+2066 LEFT-TO-RIGHT ISOLATE);"
            " remove it",
        ),
        id="memo-isolate",
    ),
    pytest.param(
        Case(sell("1 USD", memo=MEGABYTE), 2,
             "memo is 1000000 characters long; at most 1000 are allowed"),
        id="memo-1mb",
    ),
    pytest.param(Case(sell("1 USD", memo="   "), 2, "memo is empty"), id="memo-blank"),
    # a trailing newline passes a regex anchored with '$': each must still be refused
    pytest.param(
        Case(
            (*sell("1 USD"), "--ref", "R1\n"), 2,
            "ref 'R1\\n' must be letters, digits and . _ : - (at most 64)",
        ),
        id="ref-trailing-newline",
    ),
    pytest.param(
        Case(
            ("customer", "add", "bob\n", "--name", "Bob", "--date", "2026-12-01"), 2,
            "customer id 'bob\\n' must start with a lowercase letter, then lowercase letters, digits and single hyphens,"
            " at most 48 characters (like 'acme-realty')",
        ),
        id="customer-id-trailing-newline",
    ),
    pytest.param(
        Case(
            ("customer", "add", "bob", "--name", "Bob", "--currency", "EUR\n",
             "--date", "2026-12-01"), 2,
            "currency 'EUR\\n' is not a currency code (like USD or EUR)",
        ),
        id="currency-trailing-newline",
    ),
    pytest.param(
        Case(
            sell("1 USD", date="2026-12-05\n"), 2,
            "date '2026-12-05\\n' is not an ISO date (YYYY-MM-DD)",
        ),
        id="date-trailing-newline",
    ),
    pytest.param(
        Case(
            ("contract", "add", "Acme-X", "--customer", "acme", "--stream", "services",
             "--price", "1 USD", "--start", "2026-12-01"), 2,
            "contract id 'Acme-X' must start with a lowercase letter, then lowercase letters, digits and single hyphens,"
            " at most 48 characters (like 'acme-realty')",
        ),
        id="contract-id-uppercase",
    ),
    # the ledger file itself
    pytest.param(
        Case(
            sell("1 USD"), 1,
            "ledger {top}/missing/main.beancount does not exist"
            " (create one: onebox-ledger init DIR)",
            setup=_missing,
        ),
        id="ledger-missing",
    ),
    pytest.param(
        Case(
            sell("1 USD"), 1,
            "ledger {ledger}/main.beancount does not exist (create one: onebox-ledger init DIR)",
            setup=_directory,
        ),
        id="ledger-is-a-directory-without-main-beancount",
    ),
    pytest.param(
        Case(
            sell("1 USD"), 1, "ledger {ledger} is not a Beancount file (not UTF-8 text)",
            setup=_file("picture.png", PNG),
        ),
        id="ledger-binary",
    ),
    pytest.param(
        Case(
            sell("1 USD"), 1, "ledger {ledger} is not a Beancount file: ", "prefix",
            setup=_file("notes.txt", b"hello, this is not beancount\n}}} {{{\n"),
        ),
        id="ledger-garbage-text",
    ),
    pytest.param(
        Case(
            sell("1 USD"), 1,
            "ledger {ledger} is not a onebox-ledger ledger (no ledger/customers.beancount;"
            " create one: onebox-ledger init DIR)",
            setup=_file("plain.beancount", b"2026-01-01 open Assets:Cash\n"),
        ),
        id="ledger-plain-beancount",
    ),
    pytest.param(
        Case(
            sell("1 USD"), 1,
            "the ledger already has 1 error(s); fix them first (bean-check main.beancount):"
            " {root}/ledger/journal/2026-12.beancount:1: Transaction does not balance:"
            " (1.00 USD)",
            setup=_unbalanced,
        ),
        id="ledger-already-invalid",
    ),
    # options and arguments
    pytest.param(
        Case(
            ("contract", "change", "acme-cloud", "--date", "2026-12-16"), 2,
            "nothing to change: give --quantity and/or --price",
        ),
        id="contract-change-nothing",
    ),
    pytest.param(
        Case(
            ("contract", "change", "acme-cloud", "--date", "2026-12-16", "--quantity", "0"), 2,
            "quantity '0' must be a whole number of at least 1",
        ),
        id="contract-change-quantity-zero",
    ),
    pytest.param(
        Case(
            ("terms", "rate", "1", "1.5", "--date", "2026-12-01"), 2,
            "rate 1.5 must be above 0 and at most 1 (0.65 is 65% of list)",
        ),
        id="rate-above-one",
    ),
    pytest.param(
        Case(
            ("terms", "rate", "1", "150%", "--date", "2026-12-01"), 2,
            "rate '150%' must be above 0 and at most 1 (0.65 is 65% of list)",
        ),
        id="rate-percentage-above-100",
    ),
    pytest.param(
        Case(
            ("terms", "rate", "1", "65.125%", "--date", "2026-12-01"), 2,
            "rate '65.125%' is not a share of list price (write it like 0.65 or 65%, at most 2"
            " decimals in a percentage)",
        ),
        id="rate-percentage-three-decimals",
    ),
    pytest.param(
        Case(
            ("customer", "add", "acme", "--name", "Acme Again", "--date", "2026-12-01"), 1,
            "customer 'acme' already exists (Acme Realty)",
        ),
        id="customer-exists",
    ),
    pytest.param(
        Case(
            ("usage", "acme-cloud", "10", "--month", "2026-12"), 2,
            "contract 'acme-cloud' is billed monthly, not metered",
        ),
        id="usage-not-metered",
    ),
    pytest.param(
        Case(("usage", "acme-data", "1.5", "--month", "2026-12"), 2,
             "usage is a whole number of units, not 1.5"),
        id="usage-not-whole",
    ),
    pytest.param(
        Case(("usage", "acme-data", "-5", "--month", "2026-12"), 2,
             "usage is a whole number of units, not -5"),
        id="usage-negative",
    ),
    pytest.param(
        Case(("usage", "acme-data", "1,500", "--month", "2026-12"), 2,
             "usage is a whole number of units, not '1,500'"),
        id="usage-thousands-separator",
    ),
    pytest.param(
        Case(("usage", "acme-data", "1" * 16, "--month", "2026-12"), 2,
             f"usage '{'1' * 16}' has more than 15 digits"),
        id="usage-16-digits",
    ),
    pytest.param(
        Case(("init", "{top}/more-books", "--currency", "XYZ"), 2,
             "currency 'XYZ' is not an ISO 4217 currency code (like USD or EUR)"),
        id="init-currency-not-iso-4217",
    ),
    pytest.param(
        Case(
            ("terms", "item", "data-records", "1.99 USD", "--per", "1.5", "--date",
             "2026-12-01"), 2,
            "--per '1.5' must be a whole number of at least 1",
        ),
        id="item-per-not-whole",
    ),
    pytest.param(
        Case(
            (*sell("300 USD"), "--stream", "cloud", "--item", "cloud-user", "--quantity", "1.5"),
            2, "--quantity '1.5' must be a whole number of at least 1",
        ),
        id="sell-quantity-not-whole",
    ),
    pytest.param(
        Case(
            ("receive", "acme", "100 USD", "--date", "2026-12-06", "--invoice",
             "inv-2026-11-acme"), 1,
            "invoice inv-2026-11-acme is paid (receive/BANK-1 on 2026-12-05); to apply this"
            " payment to the oldest open invoices, or hold it as credit, leave out --invoice",
            setup=_after(("receive", "acme", "2125 USD", "--date", "2026-12-05", "--ref",
                          "BANK-1")),
        ),
        id="receive-a-paid-invoice",
    ),
    pytest.param(
        Case(("terms", "payment", "99999"), 2, "days '99999' must be a whole number from 0 to 3650"),
        id="terms-payment-beyond-max-days",
    ),
    pytest.param(
        Case(
            ("customer", "add", "bob", "--name", "Bob", "--payment", "3651"), 2,
            "--payment '3651' must be a whole number from 0 to 3650",
        ),
        id="customer-payment-beyond-max-days",
    ),
    pytest.param(
        Case(
            ("report", "keep"), 1,
            "ledger {ledger} leads into a loop of symbolic links;"
            " point --ledger at the real main.beancount",
            setup=_loop(),
        ),
        id="ledger-symlink-loop",
    ),
    pytest.param(
        Case(
            ("verify",), 1,
            "ledger {ledger} leads into a loop of symbolic links;"
            " point --ledger at the real main.beancount",
            setup=_loop("main.beancount"),
        ),
        id="ledger-through-a-symlink-loop",
    ),
    # ---- billing: timing, changes, ends, advance invoices, quotes
    pytest.param(
        Case(("contract", "add", "x", "--customer", "acme", "--stream", "cloud", "--price",
              "25 USD", "--start", "2026-12-01", "--item", "cloud-user", "--timing", "early"), 2,
             "Invalid value for '--timing': 'early' is not one of 'arrears', 'advance'."),
        id="timing-unknown",
    ),
    pytest.param(
        Case(("contract", "change", "acme-cloud", "--date", "2026-12-20", "--quantity", "3",
              "--downgrade", "later"), 2,
             "Invalid value for '--downgrade': 'later' is not one of 'credit', 'anniversary'."),
        id="downgrade-unknown",
    ),
    pytest.param(
        Case(("contract", "end", "acme-cloud", "--date", "2026-12-20", "--unearned", "credit"),
             2, "--unearned applies to annual contracts; 'acme-cloud' is monthly"),
        id="unearned-on-monthly",
    ),
    pytest.param(
        Case(("contract", "change", "acme-cloud", "--date", "2026-12-20", "--quantity", "7"), 1,
             "contract 'acme-cloud' already changes on 2026-12-20; give the quantity and the"
             " price in one change",
             setup=_after(("contract", "change", "acme-cloud", "--date", "2026-12-20",
                           "--quantity", "6"))),
        id="change-twice-one-day",
    ),
    pytest.param(
        Case(("invoice", "2026-11"), 1, "2026-11 is closed; its invoices were issued by its close"),
        id="invoice-closed-month",
    ),
    pytest.param(
        Case(("invoice", "2027-05"), 1,
             "2027-05 has not begun (today is 2026-12-15); issue its invoices from 2027-05-01 on,"
             " or pass --force"),
        id="invoice-future-month",
    ),
    pytest.param(
        Case(("invoice", "2026-13"), 2, "month '2026-13' is not a valid YYYY-MM month"),
        id="invoice-bad-month",
    ),
    pytest.param(
        Case(("quote", "--item", "cloud-usr", "--quantity", "5", "--price", "25 USD"), 1,
             "item 'cloud-usr' has no list price on 2026-12-15"),
        id="quote-unknown-item",
    ),
    pytest.param(
        Case(("quote", "--item", "cloud-user", "--quantity", "0", "--price", "25 USD"), 2,
             "--quantity '0' must be a whole number of at least 1"),
        id="quote-zero-quantity",
    ),
    pytest.param(
        Case(("quote", "--item", "cloud-user", "--quantity", "5", "--price", "25"), 2,
             "--price 25 needs a currency, like '25 USD'"),
        id="quote-price-without-currency",
    ),
    pytest.param(
        Case(("quote", "--item", "cloud-user", "--quantity", "5", "--price", "23 EUR"), 1,
             "no exchange rate EUR->USD on or before 2026-12-15 for the price (add one:"
             ' onebox-ledger price EUR "1.00 USD" --date 2026-12-15)'),
        id="quote-price-without-rate",
    ),
    pytest.param(
        Case(("quote", "--stream", "services", "--item", "cloud-user", "--quantity", "5",
              "--price", "25 USD"), 1, "a services contract consumes no OneBox item; drop --item"),
        id="quote-services-with-item",
    ),
    pytest.param(
        Case(("quote", "--quantity", "5", "--price", "25 USD"), 1,
             "a cloud sale consumes a OneBox item: give --item (cloud-user)"),
        id="quote-cloud-without-item",
    ),
    pytest.param(
        Case(("quote", "--item", "cloud-user", "--quantity", "5", "--price", "25 USD",
              "--as-of", "2026-02-30"), 2, "--as-of '2026-02-30' is not a real calendar date"),
        id="quote-bad-date",
    ),
    # money dated after today (2026-12-15) has not moved: refused without --future
    *[
        pytest.param(
            Case(args, 2, f"--date {date} is after today (2026-12-15): money is recorded once it"
                          " has moved; pass --future to record it ahead"),
            id=f"future-{name}",
        )
        for name, date, args in [
            ("sell", "2026-12-16", sell("1 USD", date="2026-12-16")),
            ("receive", "2027-01-10", ("receive", "acme", "125 USD", "--date", "2027-01-10")),
            ("refund", "2026-12-16", ("refund", "acme", "1 USD", "--date", "2026-12-16")),
            ("credit-note", "2026-12-16", ("credit-note", "inv-2026-11-acme", "25 USD", "--date",
                                           "2026-12-16", "--memo", "Outage")),
            ("write-off", "2026-12-16", ("write-off", "inv-2026-11-acme", "--date", "2026-12-16")),
            ("onebox-pay", "2026-12-20", ("onebox", "pay", "81.25 USD", "--date", "2026-12-20")),
            ("onebox-bill", "2026-12-16", ("onebox", "bill", "onebox-2026-11", "81.26 USD",
                                           "--date", "2026-12-16")),
            ("onebox-grace", "2026-12-16", ("onebox", "grace", "onebox-2026-11", "--until",
                                            "2027-02-28", "--date", "2026-12-16")),
        ]
    ],
    pytest.param(
        Case(("sell", "acme", "1 USD", "--date", "2026-12-05"), 2, "Missing option '--memo'."),
        id="missing-option",
    ),
    pytest.param(
        Case(("receive", "acme"), 2, "Missing argument 'AMOUNT'."), id="missing-argument"
    ),
    pytest.param(
        Case((*sell("1 USD"), "--stream", "hosting"), 2,
             "Invalid value for '--stream': 'hosting' is not one of 'cloud', 'data', 'product',"
             " 'services'."),
        id="bad-choice",
    ),
    pytest.param(
        Case((*sell("1 USD"), "--bogus"), 2, "No such option '--bogus'."), id="unknown-option"
    ),
    # ---- import: the statement, the layout, the accounts
    pytest.param(
        Case(imports("bank.csv", "--layout", "sparkasse"), 2,
             f"Invalid value for '--layout': 'sparkasse' is not one of {LAYOUT_NAMES}.",
             setup=_statement("bank.csv", STATEMENT)),
        id="import-unknown-layout",
    ),
    pytest.param(
        Case(imports("export.csv"), 2,
             "export.csv: not a statement in any known layout (generic: line 1 lacks Value date,"
             " Reference, Counterparty and 2 more; monobank-card: line 1 lacks Дата і час"
             " операції, MCC, Сума в валюті картки (UAH); monobank-fop: line 1 lacks Деталі"
             " операції, Контрагент; privatbank: header not found; privatbank-sum: header not"
             " found; dkb: header not found;"
             " dkb-legacy: header not found; ing: header not found; chase: line 1 lacks Posting"
             " Date, Type; wise: header not found; wise-balance: line 1 lacks TransferWise ID,"
             " Currency, Running Balance and 4 more; camt053: not XML; mt940: no SWIFT :20: and"
             " :61: lines)",
             setup=_statement("export.csv", b"Date,Description,Amount\n2026-12-05,Rent,-1500.00\n")),
        id="import-file-in-no-known-layout",
    ),
    pytest.param(
        Case(imports("bank.csv", "--layout", "dkb"), 2,
             "bank.csv: not a bank statement in the expected layout (dkb): no header line like"
             " 'Buchungsdatum;Wertstellung;Status;Zahlungspflichtige*r;Zahlungsempfänger*in;V...'"
             " in its first lines",
             setup=_statement("bank.csv", STATEMENT)),
        id="import-file-in-another-layout",
    ),
    pytest.param(
        Case(imports("statement.csv"), 2,
             "statement.csv: not a bank statement: a binary file, not text",
             setup=_statement("statement.csv", PNG)),
        id="import-file-not-text",
    ),
    pytest.param(
        Case(imports("statement.csv"), 2, "statement.csv: not a bank statement: the file is empty",
             setup=_statement("statement.csv", b"")),
        id="import-file-empty",
    ),
    pytest.param(
        Case(imports("statement.csv"), 2, "statement.csv: not a bank statement: the file is empty",
             setup=_statement("statement.csv", b"\r\n \n")),
        id="import-file-blank",
    ),
    pytest.param(
        Case(imports("statement_1.csv"), 2,
             "statement_1.csv: line 2: Date '31-11-2026' is not a date"
             " (DD-MM-YYYY [HH:MM[:SS]])",
             setup=_statement("statement_1.csv", WISE_BALANCE)),
        id="import-bad-date-in-a-bank-layout",
    ),
    pytest.param(
        Case(imports("missing.csv"), 2, "Invalid value for 'FILE': File '", "prefix"),
        id="import-missing-file",
    ),
    pytest.param(
        Case(imports("bank.csv", "--account", "Assets:Safe"), 2,
             "--account Assets:Safe is not a bank account of this ledger (Assets:Bank)",
             setup=_statement("bank.csv", STATEMENT)),
        id="import-account-unknown",
    ),
    pytest.param(
        Case(imports("bank.csv", "--account", "Assets:Receivable:Acme"), 2,
             "--account Assets:Receivable:Acme is not a bank account of this ledger (Assets:Bank)",
             setup=_statement("bank.csv", STATEMENT)),
        id="import-account-not-a-bank-account",
    ),
    pytest.param(
        Case(imports("bank.csv", "--account", "Assets:Bank"), 2,
             "--account Assets:Bank holds USD, but the statement's rows are in EUR (name the bank"
             " account this statement is of)",
             setup=_statement("bank.csv", IN_EUR)),
        id="import-account-other-currency",
    ),
    pytest.param(
        Case(imports("bank.csv", "--account", "Assets:Bank", "--dry-run"), 2,
             "--account Assets:Bank holds USD, but the statement's rows are in EUR (name the bank"
             " account this statement is of)",
             setup=_statement("bank.csv", IN_EUR)),
        id="import-account-other-currency-dry-run",
    ),
    pytest.param(
        Case(imports("bank.csv", "--account", "assets:bank"), 2,
             "--account 'assets:bank' is not an account name (like Assets:Wise:EUR or"
             " Expenses:Bank-Fees)",
             setup=_statement("bank.csv", STATEMENT)),
        id="import-account-bad-name",
    ),
    pytest.param(
        Case(imports("bank.csv", "--fees", "Income:Services"), 2,
             "--fees Income:Services must be an expense account (like Expenses:Bank-Fees)",
             setup=_statement("bank.csv", STATEMENT)),
        id="import-fees-not-an-expense",
    ),
    pytest.param(
        Case(imports("bank.csv", "--fees", "Expenses:OneBox:Cloud", "--dry-run"), 2,
             "--fees Expenses:OneBox:Cloud is where onebox-ledger books OneBox cost; name an"
             " expense account of your own (like Expenses:Bank-Fees)",
             setup=_statement("bank.csv", STATEMENT)),
        id="import-fees-onebox-cost",
    ),
    pytest.param(
        Case(imports("bank.csv", "--fees", "Expenses:bank fees"), 2,
             "--fees 'Expenses:bank fees' is not an account name (like Assets:Wise:EUR or"
             " Expenses:Bank-Fees)",
             setup=_statement("bank.csv", STATEMENT)),
        id="import-fees-bad-name",
    ),
    pytest.param(
        Case(imports("bank.csv", "--format", "csv"), 2,
             "Invalid value for '--format': 'csv' is not one of 'table', 'json'.",
             setup=_statement("bank.csv", STATEMENT)),
        id="import-bad-format",
    ),
    pytest.param(
        Case(imports("bank.csv"), 1,
             "the ledger already has 1 error(s); fix them first (bean-check main.beancount):"
             " {root}/ledger/journal/2026-12.beancount:1: Transaction does not balance:"
             " (1.00 USD)",
             setup=_statement("bank.csv", STATEMENT, _unbalanced)),
        id="import-into-an-invalid-ledger",
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_and_changes_nothing(
    case: Case, closed_seed, tmp_path, run, refused, snapshot
):
    main = closed_seed
    target = case.setup(main, run) if case.setup else main
    before = snapshot(tmp_path)

    result = run(target, *(arg.replace("{top}", str(main.parent.parent)) for arg in case.args))

    message = refused(result, case.code)
    expected = case.message.format(root=main.parent, top=main.parent.parent, ledger=target)
    if case.match == "exact":
        assert message == expected
    elif case.match == "prefix":
        assert message.startswith(expected)
    else:
        assert expected in message
    assert snapshot(tmp_path) == before


def test_the_catalogue_is_big_enough():
    assert len(CASES) >= 30
    assert {c.values[0].code for c in CASES} == {1, 2}


def test_a_title_with_an_invisible_format_character_creates_no_ledger(
    fixed_today, tmp_path, refused
):
    target = tmp_path / "books"
    result = CliRunner().invoke(
        cli, ["init", str(target), "--title", "Books\u2067"], catch_exceptions=False
    )
    assert refused(result, 2) == (
        "title contains an invisible format character (U+2067 RIGHT-TO-LEFT ISOLATE); remove it"
    )
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- text that is not an error


@pytest.mark.parametrize(
    "memo",
    [
        pytest.param('Setup "phase 1", 50% \\ done', id="quotes-and-backslash"),
        pytest.param('include "/etc/passwd"', id="include-on-one-line"),
    ],
)
def test_a_memo_with_quotes_is_written_escaped_and_reads_back(
    closed_seed, run, ok, bean_check, entries, memo
):
    count = len(entries(closed_seed))

    out = ok(run(closed_seed, *sell("10 USD", memo=memo), "--ref", "Q-1"))

    assert out == ["invoice inv-2026-12-05-acme: 10.00 USD services to acme"]
    assert bean_check(closed_seed) == []
    loaded = entries(closed_seed)
    assert len(loaded) == count + 1
    [entry] = [e for e in loaded if e.meta.get("id") == "sell/Q-1"]
    assert isinstance(entry, data.Transaction)
    assert entry.narration == memo
    text = (closed_seed.parent / "ledger" / "journal" / "2026-12.beancount").read_text("utf-8")
    escaped = memo.replace("\\", "\\\\").replace('"', '\\"')
    assert f'2026-12-05 * "Acme Realty" "{escaped}"\n' in text


def test_a_month_whose_own_file_is_unbalanced_is_not_sealed(
    closed_seed, run, refused, snapshot, monkeypatch
):
    """The close reads the month's own file; it must not seal an unbalanced transaction."""
    december = closed_seed.parent / "ledger" / "journal" / "2026-12.beancount"
    december.write_text(
        '2026-12-01 * "Hand-written"\n  Assets:Bank  10.00 USD\n  Income:Services  -9.00 USD\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("ONEBOX_TODAY", "2027-01-15")
    before = snapshot(closed_seed.parent)

    message = refused(run(closed_seed, "close", "2026-12"), 1)

    assert "does not balance" in message
    assert snapshot(closed_seed.parent) == before


@pytest.mark.slow  # a Python process
def test_a_full_standard_output_is_one_line_naming_it(closed_seed, snapshot):
    """/dev/full: every write fails with ENOSPC, as printing to a full disk does."""
    before = snapshot(closed_seed.parent)
    env = {**os.environ, "ONEBOX_TODAY": "2026-12-15", "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "onebox_ledger", "--ledger", str(closed_seed), "report", "keep"],
            stdout=full, stderr=subprocess.PIPE, text=True, env=env, check=False,
        )  # fmt: skip
    assert (result.returncode, result.stderr) == (
        1,
        "onebox-ledger: error: No space left on device: standard output\n",
    )
    assert snapshot(closed_seed.parent) == before
