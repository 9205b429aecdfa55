"""A compact, exact difference between two texts, for the change history.

The history keeps a long text's later version whole (``ChangeRecord.after``) and its earlier
version as a difference from it (``ChangeRecord.before_diffs``), so ten small edits of a long
description store one description and ten small differences, not twenty descriptions.

A difference is a JSON list of operations applied in order to the later text, from its start:

- a positive int ``k``: copy the next ``k`` characters of the later text;
- a negative int ``-k``: skip the next ``k`` characters of the later text;
- a str ``s``: write ``s``.

Every character of the later text is copied or skipped (``apply`` refuses a difference that
does not account for it exactly, so one applied to the wrong text fails loudly). Characters are
Python's (code points), as JSON keeps them.

``difference`` matches lines first (``difflib``), then narrows each changed block to the
characters that changed by trimming what its two sides share at the start and end: a Chinese
paragraph is often one line of thousands of characters, and a one-character edit in it must
cost a few characters, not the paragraph.
"""

from difflib import SequenceMatcher

Operation = int | str


def _shared_start(a: str, b: str) -> int:
    limit = min(len(a), len(b))
    n = 0
    while n < limit and a[n] == b[n]:
        n += 1
    return n


def _shared_end(a: str, b: str, start: int) -> int:
    limit = min(len(a), len(b)) - start
    n = 0
    while n < limit and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _append(ops: list[Operation], op: Operation) -> None:
    """Add ``op``, joining it with the last operation of the same kind; drop empty ones."""
    if op == 0 or op == "":
        return
    if ops:
        last = ops[-1]
        same_kind = (isinstance(last, str) and isinstance(op, str)) or (
            isinstance(last, int) and isinstance(op, int) and (last > 0) == (op > 0)
        )
        if same_kind:
            ops[-1] = last + op
            return
    ops.append(op)


def difference(later: str, earlier: str) -> list[Operation]:
    """The operations that turn ``later`` back into ``earlier``."""
    later_lines = later.splitlines(keepends=True)
    earlier_lines = earlier.splitlines(keepends=True)
    ops: list[Operation] = []
    matcher = SequenceMatcher(None, later_lines, earlier_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old = "".join(later_lines[i1:i2])
        if tag == "equal":
            _append(ops, len(old))
            continue
        new = "".join(earlier_lines[j1:j2])
        start = _shared_start(old, new)
        end = _shared_end(old, new, start)
        _append(ops, start)
        _append(ops, -(len(old) - start - end))
        _append(ops, new[start : len(new) - end])
        _append(ops, end)
    return ops


def apply(later: str, ops: list[Operation]) -> str:
    """``earlier`` again, from ``later`` and ``difference(later, earlier)``."""
    parts, position = [], 0
    for op in ops:
        if isinstance(op, str):
            parts.append(op)
        elif isinstance(op, int) and not isinstance(op, bool) and op > 0:
            if position + op > len(later):
                raise ValueError("The difference copies past the end of the text.")
            parts.append(later[position : position + op])
            position += op
        elif isinstance(op, int) and not isinstance(op, bool) and op < 0:
            if position - op > len(later):
                raise ValueError("The difference skips past the end of the text.")
            position -= op
        else:
            raise ValueError(f"Not a text difference operation: {op!r}")
    if position != len(later):
        raise ValueError("The difference does not account for the whole text it was made from.")
    return "".join(parts)
