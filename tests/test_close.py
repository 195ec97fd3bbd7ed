"""close: a month's close as Beancount text, its seal, and what happens when either changes.

The book: Acme Realty (5 cloud users, monthly, and a 2,000.00 USD implementation sold
once in November) and Bolt Homes (3 cloud users billed annually from 2026-11-15, paying
in 14 days). OneBox lists a cloud user at 25.00 USD; two active boxes pay 65% of list.
The November journal file already holds one receipt (for October's invoice).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from beancount.core import data
from beancount.parser import parser
from conftest import SEED_CLOSE

from onebox_ledger import beans, model, seals
from onebox_ledger.billing import BillingError
from onebox_ledger.close import CloseError, CloseResult, close_month, diff_month, generate
from onebox_ledger.money import Rates
from onebox_ledger.values import Month

NOV = Month(2026, 11)

BOOK = """
2026-01-01 custom "onebox-item" "cloud-user" 25.00 USD
2026-01-01 custom "onebox-item" "data-records" 1.99 USD
  per: 1000
2026-01-01 custom "onebox-rate" 1 0.65
2026-01-01 custom "onebox-rate" 10 0.60
2026-01-01 custom "onebox-payment" 30
2026-01-15 custom "onebox-customer" "acme"
  name: "Acme Realty"
  currency: "USD"
2026-10-20 custom "onebox-customer" "bolt-homes"
  name: "Bolt \\"Homes\\" Ltd"
  currency: "USD"
  payment: 14
2026-02-01 custom "onebox-contract" "acme-cloud"
  customer: "acme"
  stream: "cloud"
  billing: "monthly"
  price: 25.00 USD
  quantity: 5
  item: "cloud-user"
2026-11-03 custom "onebox-contract" "acme-impl"
  customer: "acme"
  stream: "services"
  billing: "once"
  price: 2000.00 USD
2026-11-15 custom "onebox-contract" "bolt-cloud"
  customer: "bolt-homes"
  stream: "cloud"
  billing: "annual"
  price: 20.00 USD
  quantity: 3
  item: "cloud-user"
"""

# The November journal file before the close: money events recorded during the month.
RECEIPT = """\
2026-11-10 * "Acme Realty" "Payment received"
  id: "receive/2026-11-10/acme/1"
  customer: "acme"
  Assets:Bank                   125.00 USD
  Assets:Receivable:Acme       -125.00 USD
    invoice: "inv-2026-10-acme"
"""

# What the close adds, as an auditor reads it:
#   acme-cloud   5 x 25.00 = 125.00 to Income:Cloud; cost 5 x 25.00 x 0.65 = 81.25
#   acme-impl    2000.00 once to Income:Services; services cost nothing
#   bolt-cloud   year 3 x 20.00 x 12 = 720.00 to Deferred-Revenue, invoiced on its first day
#                (inv-2026-11-15-bolt-homes, due Nov 15 + 14 = Nov 29); the twelfth for the
#                days served from Nov 15, 720.00 / 12 x 16/30 = 32.00, recognised; cost for
#                the same days: 3 x 25.00 x 0.65 x 16/30 = 26.00
#   one OneBox bill onebox-2026-11: 81.25 + 26.00 = 107.25, due Nov 30 + 30 = Dec 30
GENERATED = (
    """\
2026-11-15 * "Bolt \\"Homes\\" Ltd" "Cloud: 3 x 20.00 USD x 12 months = 720.00, 2026-11-15 to 2027-11-14, November 2026"
  id: "close/2026-11/bolt-cloud/invoice"
  customer: "bolt-homes"
  contract: "bolt-cloud"
  period: "2026-11"
  invoice: "inv-2026-11-15-bolt-homes"
  due: 2026-11-29
  Assets:Receivable:Bolt-Homes                   720.00 USD
  Liabilities:Deferred-Revenue:Bolt-Homes       -720.00 USD

"""
    + SEED_CLOSE
    + """
2026-11-30 * "Bolt \\"Homes\\" Ltd" "Cloud: recognised the year from 2026-11-15 (3 x 20.00 USD x 12 months = 720.00): 1/12 x 16/30 days = 32.00, November 2026"
  id: "close/2026-11/bolt-cloud/recognise"
  customer: "bolt-homes"
  contract: "bolt-cloud"
  period: "2026-11"
  Liabilities:Deferred-Revenue:Bolt-Homes         32.00 USD
  Income:Cloud                                   -32.00 USD

2026-11-30 * "OneBox" "Cloud: 3 for 16/30 days x cloud-user at 25.00 USD x 65% of list for bolt-cloud, November 2026"
  id: "close/2026-11/bolt-cloud/cost"
  customer: "bolt-homes"
  contract: "bolt-cloud"
  period: "2026-11"
  bill: "onebox-2026-11"
  due: 2026-12-30
  Expenses:OneBox:Cloud              26.00 USD
  Liabilities:OneBox:Payable        -26.00 USD
"""
)


def seal_digest(*texts: str) -> str:
    """The seal's digest of the first seal of November (seals.digest over the parsed texts)."""
    entries = [e for text in texts for e in parse(text)]
    meta = {"boxes": Decimal(2), "rate": Decimal("0.65"), "previous": "none"}
    return seals.digest(NOV, seals.FIRST, "USD", meta, entries)


def seal_text(digest: str) -> str:
    return (
        f'2026-11-30 custom "onebox-close" "2026-11" "{digest}"\n  boxes: 2\n  rate: 0.65\n'
        '  previous: "none"\n'
    )


USD = Rates.of([], "USD")  # every amount of this book is in the operating currency


def close(book: model.Book, month: Month, entries: list[data.Directive]) -> CloseResult:
    """The first seal of the ledger, in USD."""
    return close_month(book, month, entries, previous=seals.FIRST, currency="USD", rates=USD)


def parse(text: str) -> list[data.Directive]:
    entries, errors, _ = parser.parse_string(text)
    assert errors == []
    return entries


def book_of(text: str = BOOK) -> model.Book:
    book, errors = model.parse_book(parse(text))
    assert [e.message for e in errors] == []
    return book


def closed_file() -> str:
    """The November journal file after the close: the receipt, the generated entries, the seal."""
    result = close(book_of(), NOV, parse(RECEIPT))
    return RECEIPT + "\n" + beans.format_entries(result.entries)


def message_of(error: str) -> str:
    return f"^{re.escape(error)}$"


# ---------------------------------------------------------------- the first close


def test_close_writes_the_ledger_an_auditor_expects() -> None:
    result = close(book_of(), NOV, parse(RECEIPT))
    digest = seal_digest(RECEIPT, GENERATED)
    assert beans.format_entries(result.entries) == GENERATED + "\n" + seal_text(digest)
    assert result.already_closed is False


def test_close_summary() -> None:
    summary = close(book_of(), NOV, parse(RECEIPT)).summary
    assert (summary.boxes, summary.rate) == (2, Decimal("0.65"))
    # cloud: invoiced 125.00 + 720.00 = 845.00, recognised 125.00 + 32.00 = 157.00,
    #        cost 81.25 + 26.00 = 107.25
    cloud = summary.streams["cloud"]
    assert (cloud.invoiced, cloud.recognised, cloud.cost) == (
        Decimal("845.00"),
        Decimal("157.00"),
        Decimal("107.25"),
    )
    services = summary.streams["services"]
    assert (services.invoiced, services.recognised, services.cost) == (
        Decimal("2000.00"),
        Decimal("2000.00"),
        0,
    )
    assert summary.bill == {"USD": Decimal("107.25")}
    assert str(summary.due) == "2026-12-30"


def test_generated_entries_balance() -> None:
    txns, _ = generate(book_of(), NOV, {}, USD)
    for txn in txns:
        assert sum(p.units.number for p in txn.postings) == 0, beans.entry_id(txn)


def test_generated_text_parses_back_to_the_same_text() -> None:
    # quotes in a customer name are escaped, so the file still parses
    text = closed_file()
    assert beans.format_entries(parse(text)) == text


def test_close_with_an_empty_file_seals_only_the_generated_entries() -> None:
    result = close(book_of(), NOV, [])
    assert beans.format_entries(result.entries) == (
        GENERATED + "\n" + seal_text(seal_digest(GENERATED))
    )


def test_close_of_a_month_with_no_contract_seals_nothing_billed() -> None:
    # October: only acme-cloud runs (acme-impl and bolt-cloud start in November)
    result = close(book_of(), Month(2026, 10), [])
    assert [beans.entry_id(e) for e in result.entries[:-1]] == [
        "close/2026-10/acme-cloud/invoice",
        "close/2026-10/acme-cloud/cost",
    ]
    seal = result.entries[-1]
    assert isinstance(seal, data.Custom)
    assert beans.format_entry(seal).splitlines()[1:] == [
        "  boxes: 1",
        "  rate: 0.65",
        '  previous: "none"',
    ]


# ---------------------------------------------------------------- closing again


def test_second_close_of_a_sealed_month_changes_nothing() -> None:
    result = close(book_of(), NOV, parse(closed_file()))
    assert result.already_closed is True
    assert result.entries == []


def test_second_close_does_not_depend_on_file_order() -> None:
    # the seal first, the receipt last: same month, same digest
    text = closed_file()
    entries = parse(text)
    reordered = [entries[-1], *entries[1:-1], entries[0]]
    assert close(book_of(), NOV, reordered).already_closed is True


def test_changed_contract_after_sealing_is_a_difference_not_a_duplicate() -> None:
    changed = book_of(
        BOOK
        + """
2026-11-20 custom "onebox-change" "acme-cloud"
  quantity: 8
"""
    )
    with pytest.raises(
        CloseError,
        match=message_of(
            "2026-11 is sealed but the contracts now give a different close"
            " (first difference: close/2026-11/acme-cloud/cost);"
            " run 'onebox-ledger verify' to see the drift"
        ),
    ):
        close(changed, NOV, parse(closed_file()))


def test_new_contract_after_sealing_names_its_entry() -> None:
    added = book_of(
        BOOK
        + """
2026-11-25 custom "onebox-contract" "acme-support"
  customer: "acme"
  stream: "services"
  price: 300.00 USD
"""
    )
    with pytest.raises(CloseError) as caught:
        close(added, NOV, parse(closed_file()))
    assert str(caught.value).startswith(
        "2026-11 is sealed but the contracts now give a different close"
        " (first difference: close/2026-11/acme-support/invoice)"
    )


def test_deleted_generated_entry_after_sealing_is_a_difference() -> None:
    entries = [
        e for e in parse(closed_file()) if beans.entry_id(e) != "close/2026-11/acme-impl/invoice"
    ]
    with pytest.raises(CloseError) as caught:
        close(book_of(), NOV, entries)
    assert str(caught.value).startswith(
        "2026-11 is sealed but the contracts now give a different close"
        " (first difference: close/2026-11/acme-impl/invoice)"
    )


DIGEST_MISMATCH = message_of(
    "2026-11 is sealed but what its seal covers changed since (digest mismatch);"
    " run 'onebox-ledger verify' to see the drift"
)


def test_tampered_sealed_amount_is_a_digest_mismatch() -> None:
    text = closed_file()
    tampered = text.replace(
        "  Assets:Bank                   125.00 USD\n  Assets:Receivable:Acme       -125.00 USD",
        "  Assets:Bank                   120.00 USD\n  Assets:Receivable:Acme       -120.00 USD",
    )
    assert tampered != text
    with pytest.raises(CloseError, match=DIGEST_MISMATCH):
        close(book_of(), NOV, parse(tampered))


def test_deleted_sealed_receipt_is_a_digest_mismatch() -> None:
    entries = [e for e in parse(closed_file()) if beans.entry_id(e) != "receive/2026-11-10/acme/1"]
    with pytest.raises(CloseError, match=DIGEST_MISMATCH):
        close(book_of(), NOV, entries)


def test_entry_added_inside_a_sealed_month_is_a_digest_mismatch() -> None:
    late = """
2026-11-20 * "OneBox" "Payment to OneBox"
  id: "pay/2026-11-20/1"
  Assets:Bank                  -10.00 USD
  Liabilities:OneBox:Payable    10.00 USD
    bill: "onebox-2026-10"
"""
    with pytest.raises(CloseError, match=DIGEST_MISMATCH):
        close(book_of(), NOV, parse(closed_file() + late))


def test_entries_after_the_month_do_not_touch_its_seal() -> None:
    december = """
2026-12-05 * "Acme Realty" "Payment received"
  id: "receive/2026-12-05/acme/1"
  customer: "acme"
  Assets:Bank                  2125.00 USD
  Assets:Receivable:Acme      -2125.00 USD
    invoice: "inv-2026-11-acme"
"""
    assert close(book_of(), NOV, parse(closed_file() + december)).already_closed is True


def test_generated_entries_without_a_seal_are_refused() -> None:
    text = RECEIPT + "\n" + GENERATED
    with pytest.raises(
        CloseError,
        match=message_of(
            "2026-11 is not sealed but its file already holds generated entries"
            " (close/2026-11/bolt-cloud/invoice); remove them or restore the file from git"
        ),
    ):
        close(book_of(), NOV, parse(text))


# ---------------------------------------------------------------- usage in the month file


DATA = """
2026-02-01 custom "onebox-contract" "acme-data"
  customer: "acme"
  stream: "data"
  billing: "metered"
  price: 1.99 USD
  item: "data-records"
"""


def test_close_bills_the_usage_recorded_in_the_month() -> None:
    usage = '2026-11-30 custom "onebox-usage" "acme-data" 1500\n'
    result = close(book_of(BOOK + DATA), NOV, parse(usage))
    texts = {beans.entry_id(e): beans.format_entry(e) for e in result.entries}
    # round_half_up(1500 / 1000) = 2 blocks: 2 x 1.99 = 3.98; cost 3.98 x 0.65 = 2.587 -> 2.59
    assert texts["close/2026-11/acme-data/invoice"] == (
        '2026-11-30 * "Acme Realty" "Data: 1500 units = 2 x 1000, x 1.99 USD, November 2026"\n'
        '  id: "close/2026-11/acme-data/invoice"\n'
        '  customer: "acme"\n'
        '  contract: "acme-data"\n'
        '  period: "2026-11"\n'
        '  invoice: "inv-2026-11-acme"\n'
        "  due: 2026-12-30\n"
        "  Assets:Receivable:Acme          3.98 USD\n"
        "  Income:Data                    -3.98 USD\n"
    )
    assert texts["close/2026-11/acme-data/cost"].splitlines()[-2:] == [
        "  Expenses:OneBox:Data                2.59 USD",
        "  Liabilities:OneBox:Payable         -2.59 USD",
    ]
    # the bill now totals 81.25 + 2.59 + 26.00 = 109.84
    assert result.summary.bill == {"USD": Decimal("109.84")}


def test_close_without_usage_of_a_metered_contract_fails() -> None:
    # the terms cannot price the month: billing's error reaches the caller (actions.close
    # turns it into "cannot close 2026-11: ...")
    with pytest.raises(
        BillingError,
        match=message_of(
            "no usage recorded for metered contract 'acme-data' in 2026-11"
            " (record it: onebox-ledger usage acme-data UNITS --month 2026-11)"
        ),
    ):
        close(book_of(BOOK + DATA), NOV, [])


def test_usage_of_a_contract_that_is_not_metered_is_refused() -> None:
    usage = '2026-11-30 custom "onebox-usage" "acme-cloud" 1500\n'
    with pytest.raises(
        CloseError,
        match=message_of("usage recorded for 'acme-cloud', which is not a metered contract"),
    ):
        close(book_of(), NOV, parse(usage))


def test_malformed_usage_is_refused_with_its_line() -> None:
    usage = '\n2026-11-30 custom "onebox-usage" "acme-data" "many"\n'
    with pytest.raises(
        CloseError,
        match=message_of('<string>:2: "onebox-usage" takes a contract id and a unit count'),
    ):
        close(book_of(BOOK + DATA), NOV, parse(usage))


# ---------------------------------------------------------------- verify's diff


def test_diff_month_of_a_faithful_month_is_empty() -> None:
    assert diff_month(book_of(), NOV, parse(closed_file()), USD) == []


def test_diff_month_shows_the_changed_amount() -> None:
    tampered = closed_file().replace(
        "  Assets:Receivable:Acme        125.00 USD\n  Income:Cloud                 -125.00 USD",
        "  Assets:Receivable:Acme        120.00 USD\n  Income:Cloud                 -120.00 USD",
    )
    lines = diff_month(book_of(), NOV, parse(tampered), USD)
    assert [line for line in lines if line[:1] in "-+"] == [
        "--- 2026-11 as written",
        "+++ 2026-11 as the contracts give it",
        "-  Assets:Receivable:Acme        120.00 USD",
        "-  Income:Cloud                 -120.00 USD",
        "+  Assets:Receivable:Acme        125.00 USD",
        "+  Income:Cloud                 -125.00 USD",
    ]
    assert lines[2].startswith("@@ ")


def test_diff_month_shows_a_changed_contract() -> None:
    changed = book_of(BOOK.replace("  quantity: 5\n", "  quantity: 6\n"))
    lines = diff_month(changed, NOV, parse(closed_file()), USD)
    # entries are compared sorted by id: acme-cloud/cost, acme-cloud/invoice, ...
    # 6 x 25.00 = 150.00; cost 6 x 25.00 x 0.65 = 97.50
    changes = [line for line in lines if line[:1] in "-+"]
    assert changes == [
        "--- 2026-11 as written",
        "+++ 2026-11 as the contracts give it",
        '-2026-11-30 * "OneBox" "Cloud: 5 x cloud-user at 25.00 USD x 65% of list for acme-cloud, November 2026"',
        '+2026-11-30 * "OneBox" "Cloud: 6 x cloud-user at 25.00 USD x 65% of list for acme-cloud, November 2026"',
        "-  Expenses:OneBox:Cloud              81.25 USD",
        "-  Liabilities:OneBox:Payable        -81.25 USD",
        "+  Expenses:OneBox:Cloud              97.50 USD",
        "+  Liabilities:OneBox:Payable        -97.50 USD",
        '-2026-11-30 * "Acme Realty" "Cloud: 5 x 25.00 USD, November 2026"',
        '+2026-11-30 * "Acme Realty" "Cloud: 6 x 25.00 USD, November 2026"',
        "-  Assets:Receivable:Acme        125.00 USD",
        "-  Income:Cloud                 -125.00 USD",
        "+  Assets:Receivable:Acme        150.00 USD",
        "+  Income:Cloud                 -150.00 USD",
    ]
