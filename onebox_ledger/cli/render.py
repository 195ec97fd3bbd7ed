"""Render a reports.Table as an aligned table, CSV or JSON (exact decimals, as strings in JSON)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from ..reports import Table, numeric_columns, payload
from ..reports import cell as _cell


def _grid(columns: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [[_cell(v) for v in row] for row in rows]
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
        writer.writerows([[_cell(v) for v in row] for row in table.rows])
        if table.total_columns:
            writer.writerow([])
            writer.writerow(table.total_columns)
        writer.writerows([[_cell(v) for v in row] for row in table.totals])
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
