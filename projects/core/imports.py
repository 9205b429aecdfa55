"""Imports of tables (CSV or XLSX): every row through the domain's own service, all or nothing.

``run_import`` applies the rows in one transaction, each in its own savepoint so a refused row
leaves nothing behind and the next rows are still checked: the answer lists every bad row with
its line and reason. With any bad row, or on a dry run, the whole transaction is rolled back, so
a dry run runs every rule the import would (permissions, lifecycles, uniqueness) and saves
nothing. A row that matches a stored record by its natural key and changes nothing is counted
``unchanged``: importing the same file again changes nothing.
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from projects.core.errors import DomainError

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class ImportRejected(ValidationError):
    """A file refused as a whole; ``rows`` lists every bad line with its reason."""

    def __init__(self, rows: list[dict]):
        self.rows = rows
        super().__init__({"file": [_("Line %(line)s: %(reason)s") % row for row in rows]})


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(file) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, {column: text})`` for each non-empty row of a CSV (UTF-8) or XLSX file; the first
    row names the columns. Lines are counted as a spreadsheet shows them (the header is line 1)."""
    return open_table(file)[1]


def count_rows(file) -> int:
    """How many non-empty rows under the header a CSV or XLSX file holds (its size in rows, read
    without applying anything); the file is left at its start. An unreadable file counts 0."""
    try:
        _header, rows = open_table(file)
        return sum(1 for _row in rows)
    except ImportRejected:
        return 0
    finally:
        file.seek(0)


def open_table(file) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The column names of a CSV or XLSX file and its rows (see ``read_table``)."""
    content = file.read()
    if content[:2] == b"PK":  # an XLSX workbook is a zip file
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception:  # noqa: BLE001 - any unreadable workbook is the same refusal
            raise ImportRejected([{"line": 1, "reason": _("The file is not a readable XLSX workbook.")}]) from None
        rows = ([_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True))
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRejected([{"line": 1, "reason": _("The file is not UTF-8 text.")}]) from None
        rows = ([cell.strip() for cell in row] for row in csv.reader(io.StringIO(text)))
    header = [name.strip() for name in next(rows, [])]

    def named():
        for line, cells in enumerate(rows, start=2):
            if any(cells):
                yield line, {name: value for name, value in zip(header, cells, strict=False) if name}

    return header, named()


def describe(exc: Exception) -> str:
    """A refusal as one line: ``column: message`` for each problem."""
    detail = getattr(exc, "detail", None)  # DRF's ValidationError
    if detail is None and isinstance(exc, ValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    if detail is None:
        detail = getattr(exc, "message", None) or str(exc) or _("The row was refused.")

    def flatten(value, prefix=""):
        if isinstance(value, dict):
            for key, item in value.items():
                name = "" if key in ("non_field_errors", "__all__") else str(key)
                yield from flatten(item, f"{prefix}.{name}" if prefix and name else prefix or name)
        elif isinstance(value, list):
            for item in value:
                yield from flatten(item, prefix)
        elif value:
            yield f"{prefix}: {value}" if prefix else str(value)

    return "; ".join(flatten(detail))


def is_refusal(exc: Exception) -> bool:
    """Whether ``exc`` refuses a row (told on its line) rather than breaks the import."""
    # DRF's errors (serializer validation, 403, 404) carry a ``detail``.
    return isinstance(exc, (ValidationError, PermissionDenied, DomainError, IntegrityError)) or hasattr(exc, "detail")


def run_import(
    rows: Iterable[tuple[int, Callable[[], str] | str]],
    *,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Apply ``(line, apply)`` pairs (``apply`` returns created, updated or unchanged, or is that
    outcome already reached) all or nothing; raises ``ImportRejected`` naming every bad line, else
    returns the counts. ``progress`` is told how many rows are done after each row."""
    counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0}
    errors = []
    with transaction.atomic():
        for done, (line, apply) in enumerate(rows, start=1):
            if progress is not None:
                progress(done - 1)
            if apply in (CREATED, UPDATED, UNCHANGED):
                counts[apply] += 1  # already written (an import's batch)
                continue
            try:
                with transaction.atomic():
                    outcome = apply()
            except Exception as exc:
                if not is_refusal(exc):
                    raise
                errors.append({"line": line, "reason": describe(exc)})
                continue
            counts[outcome] += 1
        if not errors and not any(counts.values()):
            errors.append({"line": 1, "reason": _("The file holds no rows.")})
        if errors or dry_run:
            transaction.set_rollback(True)
    if errors:
        # In the file's order (a batch tells its rows after a refused row read later).
        raise ImportRejected(sorted(errors, key=lambda error: error["line"]))
    return {"dry_run": dry_run, **counts}
