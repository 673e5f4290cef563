"""Plain-text tables for the CLI: label/value rows, and columns padded to their widest cell (numbers on the right)."""
from __future__ import annotations

from typing import Iterable, Sequence


def label_rows(rows: Iterable[tuple[object, object]], gap: int = 2, min_width: int = 0) -> str:
    """One ``label  value`` line per row, the values lined up ``gap`` spaces after the longest label (or after
    ``min_width`` characters, when the labels are shorter)."""
    rows = list(rows)
    width = max(min_width, *(len(str(k)) for k, _ in rows)) if rows else min_width
    return "\n".join(f"{str(k):<{width}}{' ' * gap}{v}" for k, v in rows)


def text_table(heads: Sequence[str], rows: Iterable[Sequence[str]], right: Iterable[int] = ()) -> str:
    """``heads`` over ``rows`` of already formatted cells, two spaces between columns; the columns whose
    index is in ``right`` are aligned on the right (numbers), the others on the left."""
    rows = [[str(c) for c in row] for row in rows]
    right = set(right)
    widths = [max(len(r[i]) for r in [list(heads), *rows]) for i in range(len(heads))]

    def line(cells):
        padded = (c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
        return "  ".join(padded).rstrip()

    return "\n".join(line(r) for r in [list(heads), *rows])


def decimals(values: Iterable[float], most: int = 3) -> int:
    """The fewest decimals (up to ``most``) that write every one of ``values`` as stored, so that a
    column's numbers line up (41.13 and 62.00; 7.069 and 8.030)."""
    values = [v for v in values if v == v]
    return next((d for d in range(most) if all(round(v, d) == round(v, most) for v in values)), most)
