"""Exports of the programme report's figures (CSV and XLSX): exactly the figures the page
shows, hidden ones with the reason and no value, and each export written to the audit log."""

import csv
import io
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.feedback.reports import ProgrammeReport, report_rows
from cadre.feedback.services import FeedbackError

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if value is None else _safe(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def _xlsx(rows: list[list[object]], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    for row in rows:
        sheet.append([_safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_export(
    *, report: ProgrammeReport, format: str, by: User, request: HttpRequest | None = None
) -> Export:
    """The report's figures as a CSV or XLSX file; the export is audited (never its figures)."""
    if format not in FORMATS:
        raise FeedbackError(f"Format: choose one of {', '.join(FORMATS)}.")
    rows = report_rows(report)
    content = _csv(rows) if format == "csv" else _xlsx(rows, "Feedback")
    audit_record(
        actor=by,
        action="feedback.export",
        target=report.programme,
        request=request,
        details={
            "format": format,
            "department": report.department.key if report.department else "",
            "rows": len(rows) - 1,
        },
    )
    day = timezone.localdate().isoformat()
    name = f"feedback-{slugify(report.programme.name) or report.programme.pk}-{day}.{format}"
    return Export(content=content, content_type=FORMATS[format], filename=name)
