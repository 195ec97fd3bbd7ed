"""Import configuration: the partner's bank statements, for Fava's import page and beangulp.

Every layout of ``onebox_ledger.importers.layouts.LAYOUTS`` is offered: generic
(onebox-ledger's own CSV), monobank-card, monobank-fop, privatbank, privatbank-sum,
dkb, dkb-legacy, ing, chase, wise and wise-balance, and the structured formats camt053
(ISO 20022 camt.053 XML) and mt940 (SWIFT MT940). An importer reads the statements
of one bank account (``import --account``) in one layout, or in whichever fits
the file (``layout=None``), and extracts exactly what ``onebox-ledger import``
would book: receipts, payments to OneBox, bank fees (to ``FEES``, as ``import
--fees``: Expenses:Bank-Fees by default), and the ``open`` directives of accounts
they first post to. Rows left for a person (review, unrelated, skipped) are
logged, not extracted.

This file is your configuration: copy it next to ``main.beancount`` and list
your accounts in ``ACCOUNTS``. The default, one importer for any layout whose
rows go to the bank account of their currency, is ``onebox-ledger import FILE``
without ``--account``. With several accounts, give each its layout, so a
statement is identified by one importer only (beangulp refuses a file that two
importers identify)::

    ACCOUNTS = [("Assets:Bank", "chase"), ("Assets:Wise", "wise"), ("Assets:DKB", "dkb")]

Fava: add these two lines to main.beancount (``onebox-ledger verify`` accepts
them: they are ``custom`` directives, not options or plugins), put statements in
``statements/`` and open the Import page. It shows, per statement, what the
import would book. Saving from the page is refused by ``onebox-ledger serve``
(read-only) and would bypass the tool's checked, atomic write in a writable
Fava: record a statement with ``onebox-ledger import FILE``::

    2026-01-01 custom "fava-option" "import-config" "config.py"
    2026-01-01 custom "fava-option" "import-dirs" "statements"

beangulp, from the ledger's folder (``-e`` passes the ledger, whose customers
and open invoices and bills the rows are matched against)::

    python config.py identify statements/
    python config.py extract -e main.beancount statements/
"""

from __future__ import annotations

import beangulp
from beancount import loader

from onebox_ledger.importers.bank import BankImporter

OPERATING = "USD"  # main.beancount's operating_currency
FEES = "Expenses:Bank-Fees"  # the expense account bank fees go to, as import --fees
# (bank account, layout): None as account books each row on the bank account of its
# currency; None as layout takes whichever layout fits the file.
ACCOUNTS: list[tuple[str | None, str | None]] = [(None, None)]

importers = [
    BankImporter(account, OPERATING, layout=layout, fees=FEES) for account, layout in ACCOUNTS
]

CONFIG = importers  # what Fava reads
HOOKS: list[object] = []

if __name__ == "__main__":
    loader.initialize(use_cache=False)  # its pickle cache misses new files of an include glob
    beangulp.Ingest(importers)()
