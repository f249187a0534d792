"""Table rows from the two layouts found in the wild, as cells with offsets.

* pipe layout: ``a | b | c |`` one row per line (markdown tables included:
  separator lines are skipped); a row that does not end with ``|`` while the
  table's rows do is wrapped, and continues on the next line;
* tab-per-line layout: every cell on its own line starting with a tab, a
  line without the tab continues the cell above (headers wrapped as
  "试点\\n任务"), a blank line ends the row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.text import Line

_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-*:?\s*)*\|?\s*$")


@dataclass(frozen=True, slots=True)
class Cell:
    text: str  # normalised text, whitespace kept (wrapped lines joined)
    start: int
    end: int

    @property
    def empty(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    line: int  # first line
    last_line: int
    complete: bool = True  # False when the file ended inside the row

    def nonempty(self) -> list[Cell]:
        return [c for c in self.cells if not c.empty]


def is_pipe_line(text: str) -> bool:
    return text.count("|") >= 2


def pipe_rows(lines: list[Line]) -> list[Row]:
    rows: list[Row] = []
    pending: list[Line] = []
    ends_with_pipe = None

    def flush(complete: bool) -> None:
        cells: list[Cell] = []
        for ln in pending:
            pos = [i for i, ch in enumerate(ln.text) if ch == "|"]
            bounds = [-1, *pos, len(ln.text)]
            for k in range(len(bounds) - 1):
                s, e = bounds[k] + 1, bounds[k + 1]
                piece = Cell(ln.text[s:e], ln.start + s, ln.start + e)
                if k == 0 and cells and ln is not pending[0]:
                    # continuation of the previous line's last cell
                    prev = cells.pop()
                    piece = Cell(prev.text + piece.text, prev.start, piece.end)
                cells.append(piece)
        # drop the empty outer cells of "| a | b |"
        if cells and pending[0].text.lstrip().startswith("|") and cells[0].empty:
            cells = cells[1:]
        if cells and pending[-1].text.rstrip().endswith("|") and cells[-1].empty:
            cells = cells[:-1]
        rows.append(Row(tuple(cells), pending[0].no, pending[-1].no, complete))
        pending.clear()

    for ln in lines:
        text = ln.text
        if pending:
            if not text.strip():
                flush(False)  # a wrapped row cut short by a blank line
                continue
            pending.append(ln)
            if text.rstrip().endswith("|"):
                flush(True)
            continue
        if not is_pipe_line(text) or _SEPARATOR.match(text):
            continue
        if ends_with_pipe is None:
            ends_with_pipe = text.rstrip().endswith("|")
        pending.append(ln)
        if not ends_with_pipe or text.rstrip().endswith("|"):
            flush(True)
    if pending:
        flush(False)
    return rows


def tab_rows(lines: list[Line]) -> list[Row]:
    rows: list[Row] = []
    cells: list[Cell] = []
    first = last = 0

    def flush() -> None:
        if cells:
            rows.append(Row(tuple(cells), first, last))
        cells.clear()

    for ln in lines:
        text = ln.text
        if not text.strip():
            flush()
            continue
        if text.startswith("\t"):
            if not cells:
                first = ln.no
            body = text.lstrip("\t")
            s = ln.start + (len(text) - len(body))
            cells.append(Cell(body, s, ln.end))
            last = ln.no
        elif cells:
            prev = cells.pop()
            cells.append(Cell(prev.text + text, prev.start, ln.end))
            last = ln.no
    flush()
    return rows
