"""beangulp importers: documents from outside (bank statements) as onebox-ledger money events.

``statements.read_statement`` reads a bank's statement in any layout of
``layouts.LAYOUTS`` (Monobank, Privat24, DKB, ING, Chase, Wise and the tool's
own CSV) or structured format of ``formats.FORMATS`` (ISO 20022 camt.053 in
``camt``, SWIFT MT940 in ``swift``) into uniform rows, oldest first; ``bank.BankImporter`` turns each row
into what ``onebox-ledger receive`` or ``onebox-ledger onebox pay`` would
write, for Fava's import page (``importers/config.py``) and for
``onebox-ledger import``.
"""

from __future__ import annotations

from .bank import BankImporter, Planned, Recognised, plan, recognise
from .layouts import LAYOUTS, Layout
from .statements import Row, Statement, StatementError, identify, read_statement

__all__ = [
    "LAYOUTS",
    "BankImporter",
    "Layout",
    "Planned",
    "Recognised",
    "Row",
    "Statement",
    "StatementError",
    "identify",
    "plan",
    "read_statement",
    "recognise",
]
