"""A small streaming XLSX writer: sheets of typed cells (text, numbers, booleans, date-times),
a bold frozen header row with an autofilter, and two number formats. Nothing else.

A sheet with more rows than Excel holds goes on in sheets of its own (« Réponses (2) »).

Why not openpyxl: it spends about 25 µs per cell, and the « Réponses » sheet of ten thousand
audits has millions of cells (minutes instead of seconds). XlsxWriter, measured here on
10,000 audits: 45.8 s (constant-memory mode), against about 6 s for this writer and a 10 s
target. This writes the same SpreadsheetML as plain text straight into the zip; the tests read
every file back with openpyxl.
"""

from __future__ import annotations

import functools
import itertools
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import IO, Any

from auditor_tui.text.safe_text import FORMULA_STARTS

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EPOCH = datetime(1899, 12, 30)  # Excel's day 0 (1900 date system, leap-year bug included)

# Style indexes in styles.xml's cellXfs. TEXT: quotePrefix, a text cell that a spreadsheet
# keeps as text even when it is edited, for text that would read as a formula (safe_text.py).
DATE, DECIMAL, BOLD, TEXT = 1, 2, 3, 4
STYLES = f"""{HEAD}<styleSheet xmlns="{MAIN}">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/>\
<numFmt numFmtId="165" formatCode="0.0"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""

# Characters a cell's XML cannot hold (XML 1.0), and CR, which an XML reader turns into LF:
# written as Excel writes them, `_xHHHH_` (ECMA-376 ST_Xstring); an `_xHHHH_` already in the
# text has its underscore written `_x005F_`, so that reading `_xHHHH_` back is exact.
_UNFIT = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")


def _hex(match: re.Match[str]) -> str:
    return f"_x{ord(match.group()):04X}_"


@functools.lru_cache(maxsize=65536)  # question texts, labels and names repeat on every row
def escape(text: str) -> str:
    if _UNFIT.search(text):
        text = _UNFIT.sub(_hex, text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def unescape(text: str) -> str:
    """A text cell's value as written, from what a reader that leaves `_xHHHH_` as it is
    (openpyxl) gives back; Excel decodes it itself."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def absolute(cells: str) -> str:
    """A1:N20 → $A$1:$N$20."""
    return re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", cells)


ROW = "\x00"  # a row number still to fill in: never in a cell's text (escape writes _x0000_)


def cell(column: str, value: Any, decimal: bool = False) -> str:
    """A cell of column `column` (« F ») made ahead of its row, its number left as `ROW`: a
    sheet's row may be given as such cells joined (what repeats from row to row is made
    once). An empty cell (None) is left out."""
    return "" if value is None else _cell(column + ROW, value, decimal)


def _cell(ref: str, value: Any, decimal: bool) -> str:
    if type(value) is not str:  # most cells are text (labels, options, names): checked first
        if value is None:
            return ""
        if isinstance(value, bool):
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int):
            return f'<c r="{ref}"><v>{value}</v></c>'
        if isinstance(value, float):
            style = f' s="{DECIMAL}"' if decimal else ""
            return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
        if isinstance(value, datetime):
            serial = (value.replace(tzinfo=None) - EPOCH).total_seconds() / 86400
            return f'<c r="{ref}" s="{DATE}"><v>{serial!r}</v></c>'
    text = str(value)
    if len(text) > CELL_CHARS // 2:  # a character is one or two UTF-16 units: maybe too long
        text = fitted(text)
    style = f' s="{TEXT}"' if text.startswith(FORMULA_STARTS) else ""
    if text[:1] in _EDGES or text[-1:] in _EDGES or "\n" in text or "\t" in text or "  " in text:
        # Spaces a reader could drop: said to be kept (Excel writes it only then, too).
        return f'<c r="{ref}"{style} t="inlineStr"><is>{_KEPT}{escape(text)}</t></is></c>'
    return f'<c r="{ref}"{style} t="inlineStr"><is><t>{escape(text)}</t></is></c>'


_KEPT = '<t xml:space="preserve">'


_EDGES = ("", " ", "\t", "\n")  # a text empty, or starting or ending with white space


MAX_ROWS = 1_048_576  # Excel's rows per sheet, the header's included

# Excel holds 32,767 characters (UTF-16 units) in a cell, and asks to « repair » a workbook with
# a longer one, cutting it. A longer text (a note pasted whole: a record may hold 1 MB) is cut
# here, saying so in the cell; the JSON Lines export keeps it whole.
CELL_CHARS = 32_767
CUT = " […] (coupé : une cellule Excel tient 32 767 caractères ; texte entier dans l'export JSONL)"


def fitted(text: str) -> str:
    """`text` if Excel holds it in a cell, else its beginning and CUT, within CELL_CHARS."""
    units = text.encode("utf-16-le", "surrogatepass")
    if len(units) <= CELL_CHARS * 2:
        return text
    keep = units[: (CELL_CHARS - len(CUT)) * 2]
    # A pair of surrogates cut in two loses its first half: the text stays within the limit.
    return keep.decode("utf-16-le", "ignore") + CUT


class Sheet:
    def __init__(
        self,
        title: str,
        header: Sequence[str],
        rows: Iterable[Sequence[Any] | str],
        decimal: Sequence[str] = (),
        part: int = 1,
    ) -> None:
        """`rows`: each a row's values, or its cells made already (`cell`). `decimal`:
        columns whose numbers show one decimal (percents). `part`: the sheet's number when its
        rows go on past Excel's last row (« Réponses (2) »)."""
        self.name = title
        self.title = title if part == 1 else f"{title} ({part})"
        self.header = list(header)
        self.rows = iter(rows)
        self.decimal = {i for i, name in enumerate(header) if name in decimal}
        self.decimal_names = tuple(decimal)
        self.part = part
        self.count = 0  # data rows, known once written

    def write(self, out: IO[bytes], max_rows: int = MAX_ROWS) -> Sheet | None:
        """Write the sheet, at most `max_rows` rows with its header; the sheet that goes on
        with the rows left, if any (to be written after this one), else None."""
        letters = [column_letter(i) for i in range(1, len(self.header) + 1)]
        widths = "".join(
            f'<col min="{i}" max="{i}" width="{max(10, min(40, len(name) + 2))}" customWidth="1"/>'
            for i, name in enumerate(self.header, start=1)
        )
        out.write(
            (
                f'{HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetViews>'
                '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                f"<cols>{widths}</cols><sheetData>"
            ).encode()
        )
        head = "".join(
            f'<c r="{letter}1" s="{BOLD}" t="inlineStr"><is><t>{escape(name)}</t></is></c>'
            for letter, name in zip(letters, self.header, strict=True)
        )
        chunk = [f'<row r="1">{head}</row>']
        number = 1
        decimal = self.decimal
        rows = itertools.islice(self.rows, max_rows - 1)
        for row in rows:
            number += 1
            n = str(number)
            if type(row) is str:  # made already (`cell`), the row number left to fill in
                cells = row.replace(ROW, n)
            else:
                cells = "".join(
                    [
                        _cell(letters[i] + n, value, i in decimal)
                        for i, value in enumerate(row)
                        if value is not None  # an empty cell is left out
                    ]
                )
            chunk.append(f'<row r="{n}">{cells}</row>')
            if len(chunk) >= 500:
                out.write("".join(chunk).encode())
                chunk.clear()
        self.count = number - 1
        chunk.append(f'</sheetData><autoFilter ref="{self.filter_range}"/></worksheet>')
        out.write("".join(chunk).encode())
        following = next(self.rows, None)
        if following is None:
            return None
        rest = itertools.chain([following], self.rows)
        return Sheet(self.name, self.header, rest, self.decimal_names, self.part + 1)

    @property
    def filter_range(self) -> str:
        return f"A1:{column_letter(len(self.header))}{self.count + 1}"


def write_workbook(
    sheets: Sequence[Sheet], out: IO[bytes], max_rows: int = MAX_ROWS
) -> list[Sheet]:
    """The workbook as an XLSX (zip) into `out`; each sheet's rows are consumed once, in the
    order of `sheets`. A sheet with more rows than Excel holds (`max_rows`, its header
    included) goes on in sheets of its own beside it, « Réponses (2) »…; returns every sheet
    written, in order."""
    if max_rows < 2:
        raise ValueError("une feuille tient au moins l'en-tête et une ligne")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        written: list[Sheet] = []
        for first in sheets:
            sheet: Sheet | None = first
            while sheet is not None:
                written.append(sheet)
                name = f"xl/worksheets/sheet{len(written)}.xml"
                with zf.open(name, "w", force_zip64=True) as part:
                    sheet = sheet.write(part, max_rows)
        sheets = written
        entries = "".join(
            f'<sheet name="{escape(s.title)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, s in enumerate(sheets, start=1)
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
            f"'{escape(s.title)}'!{absolute(s.filter_range)}"
            "</definedName>"
            for n, s in enumerate(sheets)
        )
        zf.writestr(
            "xl/workbook.xml",
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{entries}</sheets>'
            f"<definedNames>{names}</definedNames></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        styles_id = len(sheets) + 1
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{HEAD}<Relationships xmlns="{PKG_REL}">{rels}'
            f'<Relationship Id="rId{styles_id}" Type="{REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        zf.writestr("xl/styles.xml", STYLES)
        zf.writestr(
            "_rels/.rels",
            f'{HEAD}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{CT}.worksheet+xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        zf.writestr(
            "[Content_Types].xml",
            f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>'
            f"{overrides}</Types>",
        )
    return written
