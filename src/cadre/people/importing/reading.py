"""Reading files: the bytes of a CSV or XLSX export become a :class:`Table` of text cells, or
:class:`ImportFileError` says why they can't. Encodings and delimiters are detected, and
workbooks are checked before they are opened.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePath

import charset_normalizer
from django.conf import settings


class ImportFileError(ValueError):
    """The file can't be read as a table; the message says why, in the admin's words."""


@dataclass(frozen=True, slots=True)
class Table:
    """The cells of a file as text, with the row number a spreadsheet would show for each row
    (the header is row 1). Entirely empty rows are left out."""

    headers: tuple[str, ...]
    rows: list[tuple[int, list[str]]]
    file_format: str
    encoding: str = ""
    delimiter: str = ""

    def describe(self) -> str:
        if self.file_format == "XLSX":
            return "XLSX workbook"
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
        return f"CSV, {self.encoding}, {names.get(self.delimiter, repr(self.delimiter))}-separated"


def read_table(*, content: bytes, filename: str) -> Table:
    """Read a CSV or XLSX file. XLSX is recognised by its content, whatever the file's name."""
    if not content.strip():
        raise ImportFileError("The file is empty.")
    suffix = PurePath(filename).suffix.lower()
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "This is an old Excel workbook (.xls). Save it as .xlsx or as CSV and upload that."
        )
    if suffix in {".xlsx", ".xlsm"}:
        raise ImportFileError("The file is named .xlsx but is not an Excel workbook.")
    return _read_csv(content)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


# An XLSX is a zip archive; one that would unpack to more than this many times the upload
# limit is refused before it is opened, so that a small "zip bomb" can't exhaust memory.
XLSX_EXPANSION_LIMIT = 20


def _check_xlsx_archive(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFileError(f"The workbook can't be read ({error}).") from error
    if not any(member.filename == "xl/workbook.xml" for member in members):
        raise ImportFileError("The file is a zip archive, not an Excel workbook.")
    unpacked = sum(member.file_size for member in members)
    limit = XLSX_EXPANSION_LIMIT * settings.HRIS_IMPORT_MAX_BYTES
    if unpacked > limit:
        raise ImportFileError(
            f"The workbook would unpack to {unpacked / 1024**2:,.0f} MB, more than the "
            f"{limit / 1024**2:,.0f} MB Cadre accepts. Save the sheet as CSV and upload that."
        )


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    _check_xlsx_archive(content)
    # openpyxl reads rows lazily, so a damaged archive or sheet shows up while rows are read,
    # as any of zipfile's, zlib's, the XML parser's or openpyxl's own errors: all of them mean
    # the workbook can't be read.
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.active if workbook.active is not None else workbook.worksheets[0]
            cells = (
                [_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)
            )
            return _table(cells, file_format="XLSX")
        finally:
            workbook.close()
    except ImportFileError:
        raise
    except Exception as error:
        raise ImportFileError(
            f"The workbook can't be read ({type(error).__name__}: {error}). "
            "Open it in Excel and save it again, or save the sheet as CSV."
        ) from error


BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decode(content: bytes) -> tuple[str, str]:
    """The text and the name of its encoding: a byte order mark decides, then UTF-8 if the
    bytes are valid UTF-8, then charset-normalizer's detection."""
    for bom, encoding in BOMS:
        if content.startswith(bom):
            try:
                return content.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise ImportFileError(f"The file starts like {encoding} but isn't.") from error
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    matches = charset_normalizer.from_bytes(content)
    best = matches.best()
    if best is None:
        raise ImportFileError(
            "The file is not text in an encoding Cadre recognises. "
            "Save it as “CSV UTF-8” or as an Excel workbook (.xlsx)."
        )
    encoding = best.encoding
    # Short files often decode cleanly in several code pages, and the language guess that
    # ranks them is unreliable on a few names. Windows-1252 is what spreadsheets write in
    # Western locales, so it wins whenever it decodes as cleanly as the best guess.
    for match in matches:
        if match.encoding == "cp1252" and match.chaos <= best.chaos:
            encoding = "cp1252"
    return content.decode(encoding), encoding


DELIMITERS = (",", ";", "\t", "|")


def _delimiter(text: str) -> str:
    """The delimiter among , ; tab and | that splits the first lines into the most consistent
    and widest rows."""
    sample = text[:65536]
    truncated = len(text) > len(sample)
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))[:50]
        except csv.Error:
            continue
        if truncated and len(rows) > 1:
            rows = rows[:-1]
        widths = [len(row) for row in rows if any(cell.strip() for cell in row)]
        if not widths or widths[0] < 2:
            continue
        consistency = sum(1 for width in widths if width == widths[0]) / len(widths)
        score = (consistency, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(content: bytes) -> Table:
    text, encoding = _decode(content)
    if "\x00" in text:
        raise ImportFileError("The file holds binary data; upload a CSV or XLSX file.")
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table(reader, file_format="CSV", encoding=encoding, delimiter=delimiter)
    except csv.Error as error:
        raise ImportFileError(f"Line {reader.line_num} can't be read as CSV ({error}).") from error


def _table(
    rows: Iterable[list[str]], *, file_format: str, encoding: str = "", delimiter: str = ""
) -> Table:
    headers: tuple[str, ...] | None = None
    header_row = 0
    body: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(rows, start=1):
        if headers is None:
            if any(cell.strip() for cell in cells):
                headers = tuple(cell.strip().lstrip("\ufeff").strip() for cell in cells)
                header_row = number
            continue
        if any(cells) and any(cell.strip() for cell in cells):
            body.append((number, cells))
    if headers is None:
        raise ImportFileError("The file is empty.")
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        if not header:
            continue
        if header in seen:
            raise ImportFileError(
                f"Two columns are named “{header}” (columns {seen[header]} and {position}); "
                "rename one of them."
            )
        seen[header] = position
    if not seen:
        raise ImportFileError(f"Row {header_row}, the first row, has no column names.")
    if not body:
        raise ImportFileError("The file has column names but no rows of people.")
    return Table(
        headers=headers, rows=body, file_format=file_format, encoding=encoding, delimiter=delimiter
    )
