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

_FIRST_RULE = re.compile(r"\s*:?-{2,}:?\s*")
_RULE = re.compile(r"\s*:?-*:?\s*")


def is_separator(text: str) -> bool:
    """A markdown rule line such as ``|---|:--:|`` (the first cell has at least two dashes).

    Checked cell by cell: one regex for the whole line, with a repeated group of optional parts
    (``(\\|\\s*:?-*:?\\s*)*``), backtracked exponentially on a line such as
    ``|--|  |  |  … x`` (60 bytes took minutes).
    """
    cells = text.lstrip().removeprefix("|").split("|")
    return bool(_FIRST_RULE.fullmatch(cells[0])) and all(_RULE.fullmatch(c) for c in cells[1:])


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


# Tables in the wild have under ten columns.  Every parser does some work per cell (the header
# search looks at each one), so a line of a million "|" cost a million cells and seconds per MB;
# past this many cells the rest of a row stays whole in its last cell, which the parsers then
# refuse as a row without a number or keep as text.
MAX_CELLS = 256


def is_pipe_line(text: str) -> bool:
    return text.count("|") >= 2


def pipe_rows(lines: list[Line]) -> list[Row]:
    rows: list[Row] = []
    pending: list[Line] = []
    ends_with_pipe = None

    def flush(complete: bool) -> None:
        cells = _cells_of(pending)
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
        if not is_pipe_line(text) or is_separator(text):
            continue
        if ends_with_pipe is None:
            ends_with_pipe = text.rstrip().endswith("|")
        pending.append(ln)
        if not ends_with_pipe or text.rstrip().endswith("|"):
            flush(True)
    if pending:
        flush(False)
    return rows


def _cells_of(lines: list[Line]) -> list[Cell]:
    """The cells of one pipe row: its lines cut at ``|``, each line after the first continuing
    the last cell of the line above.

    Time is linear in the row's size: ``str.split`` cuts a line, and a cell that spans lines
    is joined once from its pieces (adding every line to the text so far copied it again per
    line: quadratic in a wrapped row of many lines).  A row is cut into at most ``MAX_CELLS``
    cells, the rest stays whole in the last one: see ``MAX_CELLS``.
    """
    cells: list[Cell] = []
    more: dict[int, list[str]] = {}  # index of a cell that spans lines -> its pieces after the first
    for i, ln in enumerate(lines):
        pos = ln.start
        room = MAX_CELLS - len(cells) if i else MAX_CELLS - 1  # cuts left; a line after the first adds one cell per cut
        for k, piece in enumerate(ln.text.split("|", max(room, 0))):
            if k == 0 and i:
                more.setdefault(len(cells) - 1, []).append(piece)
                cells[-1] = Cell(cells[-1].text, cells[-1].start, pos + len(piece))
            else:
                cells.append(Cell(piece, pos, pos + len(piece)))
            pos += len(piece) + 1
    for j, pieces in more.items():
        cells[j] = Cell("".join([cells[j].text, *pieces]), cells[j].start, cells[j].end)
    return cells


def tab_rows(lines: list[Line]) -> list[Row]:
    rows: list[Row] = []
    cells: list[Cell] = []
    first = last = 0
    more: dict[int, list[str]] = {}  # cell index -> its continuation lines, joined once by flush

    def flush() -> None:
        if cells:
            for i, texts in more.items():
                cells[i] = Cell("".join([cells[i].text, *texts]), cells[i].start, cells[i].end)
            rows.append(Row(tuple(cells), first, last))
        cells.clear()
        more.clear()

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
            # continues the cell above: gather the pieces, join them once (see _cells_of)
            more.setdefault(len(cells) - 1, []).append(text)
            cells[-1] = Cell(cells[-1].text, cells[-1].start, ln.end)
            last = ln.no
    flush()
    return rows
