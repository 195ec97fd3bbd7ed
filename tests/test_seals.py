"""seals: the digest's formula, worked out by hand, and what it covers field by field."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from beancount.core import data
from beancount.parser import booking, parser

from onebox_ledger import seals
from onebox_ledger.values import Month

NOV = Month(2026, 11)

RECEIPT = """\
2026-11-10 * "Acme Realty" "Payment received"
  id: "receive/BANK-1"
  Assets:Bank              125.00 USD
  Assets:Receivable:Acme  -125.00 USD
    invoice: "inv-2026-10-acme"
"""


def parse(text: str) -> list[data.Directive]:
    entries, errors, _ = parser.parse_string(text)
    assert errors == []
    return list(entries)


def test_the_digest_is_the_documented_formula() -> None:
    # one transaction, rendered by the documented canonical form, then the header parts
    line = (
        '2026-11-10 txn * "Acme Realty" "Payment received" tags{} links{} [id="receive/BANK-1"] '
        " Assets:Bank 125.00 USD ~ @~ []| Assets:Receivable:Acme -125.00 USD ~ @~"
        ' [invoice="inv-2026-10-acme"]'
    )
    assert seals.canonical(parse(RECEIPT)[0]) == line
    parts = ["onebox-seal/2", "sha256:prev", "USD", "2026-11", 'boxes=1;previous="sha256:prev"']
    expected = hashlib.sha256(b"".join(p.encode() + b"\0" for p in [*parts, line])).hexdigest()
    meta = {"boxes": Decimal(1), "previous": "sha256:prev"}
    assert seals.digest(NOV, "sha256:prev", "USD", meta, parse(RECEIPT)) == f"sha256:{expected}"


BASE = parse(RECEIPT)[0]


@pytest.mark.parametrize(
    "changed",
    [
        RECEIPT.replace("125.00 USD\n  Assets:Rec", "125.0 USD\n  Assets:Rec"),  # digits
        RECEIPT.replace("  Assets:Bank              125.00 USD", "  ! Assets:Bank  125.00 USD"),
        RECEIPT.replace("2026-11-10 *", "2026-11-10 !"),
        RECEIPT.replace('"Payment received"', '"Payment received" #late'),
        RECEIPT.replace('"Payment received"', '"Payment received" ^inv-2026-10-acme'),
        RECEIPT.replace('"inv-2026-10-acme"', '"inv-2026-09-acme"'),
        RECEIPT.replace('id: "receive/BANK-1"', 'id: "receive/BANK-1"\n  note: "x"'),
        RECEIPT.replace("125.00 USD\n  Assets:Rec", "125.00 USD @ 1.00 USD\n  Assets:Rec"),
        RECEIPT.replace("Acme Realty", "Acme Realty Inc"),
    ],
)
def test_every_field_changes_the_digest(changed: str) -> None:
    meta = {"previous": seals.FIRST}
    assert seals.canonical(parse(changed)[0]) != seals.canonical(BASE)
    assert seals.digest(NOV, seals.FIRST, "USD", meta, parse(changed)) != seals.digest(
        NOV, seals.FIRST, "USD", meta, [BASE]
    )


def test_file_line_order_and_uncovered_directives_do_not_change_it() -> None:
    other = parse("\n\n\n" + RECEIPT + '\n2026-11-11 note Assets:Bank "called"\n')
    meta = {"previous": seals.FIRST}
    assert seals.digest(NOV, seals.FIRST, "USD", meta, other) == seals.digest(
        NOV, seals.FIRST, "USD", meta, [BASE]
    )
    # the previous digest, the currency and the month are part of it
    digests = {
        seals.digest(NOV, previous, currency, meta, [BASE])
        for previous in (seals.FIRST, "sha256:a")
        for currency in ("USD", "EUR")
    }
    assert len(digests) == 4


def test_a_cost_reads_the_same_parsed_and_booked() -> None:
    text = """\
option "operating_currency" "USD"
2026-01-01 open Assets:Receivable:Berlin
2026-01-01 open Income:Cloud
2026-01-01 open Equity:Rounding
2026-01-31 * "Berlin Immo" "Cloud"
  Assets:Receivable:Berlin   92.00 EUR {1.0837 USD, 2026-01-31, "inv-2026-01-berlin"}
  Income:Cloud              -99.70 USD
  Equity:Rounding            -0.0004 USD
"""
    parsed, errors, options = parser.parse_string(text)
    assert errors == []
    booked, errors = booking.book(parsed, options)
    assert errors == []
    assert seals.complete(parsed[-1])
    assert seals.canonical(parsed[-1]) == seals.canonical(booked[-1])
    assert '{1.0837 USD, 2026-01-31, "inv-2026-01-berlin"}' in seals.canonical(booked[-1])


def test_an_amount_left_to_infer_is_not_complete() -> None:
    entry = parse('2026-11-10 * "x"\n  Assets:Bank  10.00 USD\n  Income:Services\n')[0]
    assert not seals.complete(entry)
    empty_cost = parse('2026-11-10 * "x"\n  Assets:A  -1 EUR {}\n  Assets:B  1.10 USD\n')[0]
    assert not seals.complete(empty_cost)
