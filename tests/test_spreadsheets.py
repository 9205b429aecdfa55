import datetime
from decimal import Decimal

import pytest

from projects.core.spreadsheets import safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_text_that_a_spreadsheet_would_run_is_kept_as_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["长江", "a=b", "", None, 12, Decimal("-1.5"), datetime.date(2024, 1, 1)])
def test_other_values_are_written_as_they_are(value):
    assert safe_cell(value) == value
