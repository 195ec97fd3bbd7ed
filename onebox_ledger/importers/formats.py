"""The statement formats with readers of their own, beside the CSV layouts of ``layouts.py``.

``statements.read_statement`` and ``statements.identify`` try these first, by
content (an XML root in the camt.053 namespace; SWIFT ``:20:`` and ``:61:``
tags), then the CSV layouts; ``--layout camt053`` or ``--layout mt940`` takes
one of them whatever the file looks like.
"""

from __future__ import annotations

from . import camt, swift
from .statements.rows import Format

FORMATS: dict[str, Format] = {fmt.name: fmt for fmt in (camt.FORMAT, swift.FORMAT)}
