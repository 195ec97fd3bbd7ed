"""Import configuration: the partner's bank statements, for Fava's import page and beangulp.

One importer reads every layout of ``onebox_ledger.importers.layouts.LAYOUTS``
(Monobank card and FOP, Privat24 for business, DKB new and old, ING, Chase,
Wise transaction history and balance statement, and onebox-ledger's own CSV):
it identifies a file by its content, so Fava lists each statement once, under
one importer name, and extracts the same entries whatever the bank. (One
importer per layout would show ten names that Fava keys by class path, and a
file of one layout would still be offered to none of the others.)

Fava: add these two lines to main.beancount, put statements in ``statements/``
and open the Import page::

    2026-01-01 custom "fava-option" "import-config" "importers/config.py"
    2026-01-01 custom "fava-option" "import-dirs" "statements"

beangulp, from the repository root (``-e`` passes the ledger, whose customers
and open invoices and bills the rows are matched against)::

    python importers/config.py identify statements/
    python importers/config.py extract -e main.beancount statements/

Both show, for each matched row, exactly what ``onebox-ledger import`` writes;
``onebox-ledger import FILE`` is the way to record a statement.
"""

from __future__ import annotations

import beangulp
from beancount import loader

from onebox_ledger.importers.bank import BankImporter

# Rows whose file names no currency are in USD, the demo ledger's operating currency.
importers = [BankImporter("Assets:Bank", "USD", layout=None)]

CONFIG = importers  # what Fava reads
HOOKS: list[object] = []

if __name__ == "__main__":
    loader.initialize(use_cache=False)  # its pickle cache misses new files of an include glob
    beangulp.Ingest(importers)()
