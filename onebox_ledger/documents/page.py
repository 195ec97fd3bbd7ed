"""The page of a document as fpdf2 draws it (DejaVu Sans, PDF/A-3B), used by documents.pdf;
a module of its own so that fpdf2 (and fontTools) are imported only when a document is made."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Sequence
from typing import Any

import segno
from fpdf import FPDF
from fpdf.enums import TextMode

from .content import Party
from .pdf import FACTURX, FONTS, PRODUCER, _xmp


class Page(FPDF):
    def __init__(self, title: str, date: datetime.date, language: str) -> None:
        super().__init__(format="A4", enforce_compliance="PDF/A-3B")
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans-subset.ttf"))
        self.created = datetime.datetime.combine(date, datetime.time(), datetime.UTC)
        self.set_creation_date(self.created)
        self.set_title(title)
        self.set_creator(PRODUCER)
        self.set_producer(PRODUCER)
        self.set_lang(language)
        self.set_auto_page_break(True, margin=20)
        self.add_page()
        self.set_margins(20, 20, 20)
        self.set_xy(20, 20)

    def style(self, size: float) -> None:
        self.set_font("DejaVu", "", size)

    def bold(self, on: bool = True) -> contextlib.AbstractContextManager[Any]:
        """Bold as the one font's glyphs filled and stroked, inside a saved graphics state (one
        font embedded instead of two: a document is made in half the time)."""
        if not on:
            return contextlib.nullcontext()
        width = self.font_size_pt * 0.012
        return self.local_context(text_mode=TextMode.FILL_STROKE, line_width=width)

    def text_line(self, text: str, size: float = 10, bold: bool = False, h: float = 5) -> None:
        self.style(size)
        with self.bold(bold):
            self.multi_cell(0, h, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def row(self, cells: Sequence[str], widths: Sequence[float], bold: bool = False) -> None:
        """One table row; the first cell wraps, the others are right-aligned numbers."""
        self.style(9)
        top = self.get_y()
        lines = self.multi_cell(widths[0] - 2, 5, cells[0], dry_run=True, output="LINES")
        assert isinstance(lines, list)
        if top + 5 * len(lines) > self.page_break_trigger:
            self.add_page()
            top = self.get_y()
        with self.bold(bold):
            self.multi_cell(widths[0] - 2, 5, cells[0], align="L", new_x="RIGHT", new_y="TOP")
        bottom = top + 5 * len(lines)
        x = self.l_margin + widths[0]
        for cell, width in zip(cells[1:], widths[1:], strict=True):
            self.set_xy(x, top)
            with self.bold(bold):
                self.cell(width, 5, cell, align="R")
            x += width
        self.set_xy(self.l_margin, bottom + 1)

    def heading(self, text: str, size: float, width: float, h: float) -> None:
        self.style(size)
        with self.bold():
            self.multi_cell(width, h, text, align="L", new_x="LEFT", new_y="NEXT")
        self.style(9)

    def party(self, party: Party, x: float, y: float, vat_label: str) -> None:
        self.set_xy(x, y)
        self.heading(party.name, 10, 80, 5)
        for text in (party.address, party.country):
            if text:
                self.multi_cell(80, 5, text, align="L", new_x="LEFT", new_y="NEXT")
        if party.vat_id:
            self.multi_cell(80, 5, f"{vat_label}: {party.vat_id}", align="L", new_x="LEFT",
                            new_y="NEXT")  # fmt: skip

    def qr(self, payload: segno.QRCode, x: float, y: float, size: float) -> None:
        """The code as filled squares (vector: sharp at any zoom, no image to encode)."""
        matrix = [list(row) for row in payload.matrix_iter(scale=1, border=0)]
        module = size / len(matrix)
        self.set_fill_color(0, 0, 0)
        for r, row in enumerate(matrix):
            c = 0
            while c < len(row):
                if row[c]:
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    self.rect(x + start * module, y + r * module, (c - start) * module,
                              module, style="F")  # fmt: skip
                else:
                    c += 1

    def finish(self, attachment: bytes | None) -> bytes:
        if attachment is not None:
            self.embed_file(
                bytes=attachment, basename=FACTURX, mime_type="text/xml",
                modification_date=self.created, associated_file_relationship="Data",
                desc="Factur-X XML file",
            )  # fmt: skip
        self.set_xmp_metadata(_xmp(self.title or "", self.created, attachment is not None))
        self.file_id = lambda: None  # type: ignore[method-assign]
        return bytes(self.output())
