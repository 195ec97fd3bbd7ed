"""beangulp importers: documents from outside (bank statements) as onebox-ledger money events.

``bank.BankImporter`` reads the partner's bank statement (CSV) and turns each
row into what ``onebox-ledger receive`` or ``onebox-ledger onebox pay`` would
write, for Fava's import page (``importers/config.py``) and for
``onebox-ledger import``.
"""

from __future__ import annotations

from .bank import BankImporter, Match, Planned, Row, StatementError, classify, plan

__all__ = ["BankImporter", "Match", "Planned", "Row", "StatementError", "classify", "plan"]
