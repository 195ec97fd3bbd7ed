"""How a reports.Table is shown, to a person or a program: each cell as text (exact decimals,
never a float; ISO dates; '' for None), which columns are numbers (right-aligned), and the
table as aligned text, CSV or JSON (every cell a string). The CLI prints ``render``; Fava's
OneBox page uses ``cell``, ``numeric_columns`` and ``payload``.

>>> print(render(Table("keep", ["stream", "kept"], [["cloud", Decimal("43.75")]]), "table"))
keep
<BLANKLINE>
stream   kept
------  -----
cloud   43.75
<BLANKLINE>
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal
from typing import Any

from .reports import Table


def cell(value: Any) -> str:
    """A table value as text: exact decimals (``1087.16``, never float), ISO dates, '' for None."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def numeric_columns(width: int, rows: list[list[Any]]) -> list[bool]:
    """Which of `width` columns hold numbers (right-aligned): every filled cell is a Decimal
    or an int, and at least one is filled."""
    out = []
    for i in range(width):
        values = [row[i] for row in rows if i < len(row) and row[i] not in ("", None)]
        out.append(bool(values) and all(_is_number(v) for v in values))
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, Decimal | int) and not isinstance(value, bool)


def payload(table: Table) -> dict[str, Any]:
    """A table as JSON-ready data: rows and totals as objects of text cells (see `cell`)."""
    return {
        "title": table.title,
        "columns": table.columns,
        "rows": [dict(zip(table.columns, map(cell, row), strict=True)) for row in table.rows],
        "totals": [
            dict(zip(table.total_columns or table.columns, map(cell, row), strict=True))
            for row in table.totals
        ],
        "notes": table.notes,
    }


def _grid(columns: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [[cell(v) for v in row] for row in rows]
    widths = [
        max([len(c)] + [len(r[i]) for r in cells if i < len(r)]) for i, c in enumerate(columns)
    ]
    numeric = numeric_columns(len(columns), rows)

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(widths[i]) if numeric[i] else v.ljust(widths[i]) for i, v in enumerate(values)
        ).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return out


def render(table: Table, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(payload(table), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows([[cell(v) for v in row] for row in table.rows])
        if table.total_columns:
            writer.writerow([])
            writer.writerow(table.total_columns)
        writer.writerows([[cell(v) for v in row] for row in table.totals])
        return buffer.getvalue()
    lines = [table.title, ""]
    if table.total_columns:
        lines += _grid(table.columns, table.rows) if table.rows else ["(none)"]
        lines += ["", *_grid(table.total_columns, table.totals)]
    else:
        grid = _grid(table.columns, table.rows + table.totals)
        body = grid[: 2 + len(table.rows)]
        lines += [*body, grid[1], *grid[2 + len(table.rows) :]] if table.totals else body
    lines += [f"note: {note}" for note in table.notes]
    return "\n".join(lines) + "\n"
