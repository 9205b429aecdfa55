"""docs/figures.md states each figure's rule with a worked example that a named test recomputes:
every test it names exists, so the examples cannot drift away from the tests unnoticed."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "figures.md"


def _tests_in(path: Path) -> set[str]:
    return set(re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_every_worked_example_names_a_test_that_exists():
    text = DOC.read_text(encoding="utf-8")
    files = re.findall(r"`(tests/[\w/]+\.py)(?:::(test_\w+))?`", text)
    assert len(files) >= 8
    every_test = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        every_test |= _tests_in(path)
    for file, name in files:
        assert (ROOT / file).exists(), file
        if name:
            assert name in _tests_in(ROOT / file), f"{file}::{name}"
    for name in re.findall(r"`(test_\w+)`", text):
        assert name in every_test, name
