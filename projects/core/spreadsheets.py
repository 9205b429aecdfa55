"""Cells written from people's text into any CSV or XLSX the tracker produces.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some read a
leading tab or carriage return the same way) as a formula, so text typed by one user could run in
another user's spreadsheet. Every writer passes user text through ``safe_cell``; numbers, dates and
other non-text values are left alone so they keep their type and format.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet shows it as text: a leading quote stops a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
