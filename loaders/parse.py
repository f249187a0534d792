"""Entry point of the loaders: bytes of a file to a Document.

Pure: no database, no global state besides the cached vocabulary and NLP
pipeline.  The genre is detected from the content, never from the file name.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from loaders import action_plan, opinions, replication_table, task_table
from loaders.errors import ParseError
from loaders.metadata import read_metadata
from loaders.tables import pipe_rows, tab_rows
from loaders.text import Line, decode, lines_of, normalise
from reformkg.model import Document, Genre

_PARSERS = {
    Genre.OPINIONS: opinions.parse,
    Genre.ACTION_PLAN: action_plan.parse,
    Genre.REPLICATION_TABLE: replication_table.parse,
    Genre.TASK_TABLE: task_table.parse,
}


def detect_genre(lines: list[Line]) -> Genre | None:
    """The genre whose structure the text shows most clearly."""
    has_pipes = sum(1 for ln in lines if ln.text.count("|") >= 2) >= 3
    has_tabs = sum(1 for ln in lines if ln.text.startswith("\t")) >= 5
    rows = (pipe_rows(lines) if has_pipes else []) + (tab_rows(lines) if has_tabs else [])
    if any(replication_table.is_header(r) for r in rows):
        return Genre.REPLICATION_TABLE
    if any(task_table.is_header(r) for r in rows):
        return Genre.TASK_TABLE
    scores = {
        Genre.OPINIONS: sum(1 for ln in lines if opinions.is_item_line(ln.text)),
        Genre.ACTION_PLAN: sum(1 for ln in lines if action_plan.is_item_line(ln.text)),
    }
    genre, score = max(scores.items(), key=lambda kv: kv[1])
    return genre if score >= 2 else None


def parse_bytes(raw: bytes, source: str) -> Document:
    decoded = decode(raw, source)
    orig = decoded.text
    norm = normalise(orig)
    lines = lines_of(norm)
    genre = detect_genre(lines)
    if genre is None:
        raise ParseError(source, 1, "no known genre: neither a replication table (序号 … 推广范围), a task "
                         "table (主要任务 … 完成时限), opinions with (…负责) items nor an action plan with "
                         "(…牵头) items")
    meta = read_metadata(lines)
    parsed = _PARSERS[genre](norm, orig, lines, meta, source)
    if not parsed.measures:
        raise ParseError(source, 1, f"no measures found in a {genre.value} document")
    notes = list(parsed.warnings)
    if decoded.encoding != "utf-8":
        notes.insert(0, f"{source}: decoded as {decoded.encoding}")
    script = "hant" if _is_traditional(orig, norm) else "hans"
    title_orig = orig[meta.title_span[0]:meta.title_span[1]].strip() if meta.title_span[1] else meta.title
    number_orig = orig[slice(*meta.doc_number_span)].strip() if meta.doc_number_span else None
    return Document(
        source_file=source, source_sha256=hashlib.sha256(raw).hexdigest(), encoding=decoded.encoding, genre=genre,
        title=meta.title, title_orig=title_orig, doc_number=meta.doc_number, doc_number_orig=number_orig,
        issuer=meta.issuer, issuer_printed=meta.issuer_printed, issued=meta.issued, published=meta.published,
        jurisdiction=meta.jurisdiction, zone=meta.zone, batch=meta.batch, year=meta.year, script=script,
        categories=tuple(parsed.categories), measures=tuple(parsed.measures), targets=tuple(parsed.targets),
        warnings=tuple(notes))


_CJK = re.compile("[\u4e00-\u9fff]")


def _is_traditional(orig: str, norm: str) -> bool:
    """More than 2% of the Chinese characters change under t2s (position by position).

    Counted with the regex engine and compared in blocks: only a block that differs is
    looked at character by character (most blocks of a Simplified text are equal).
    """
    n = min(len(orig), len(norm))
    cjk = len(_CJK.findall(orig, 0, n))
    changed = 0
    for i in range(0, n, 256):
        a, b = orig[i:min(i + 256, n)], norm[i:min(i + 256, n)]
        if a != b:
            changed += sum(1 for x, y in zip(a, b) if x != y and "\u4e00" <= x <= "\u9fff")
    return cjk > 0 and changed > cjk / 50


def parse_file(path: str | Path) -> Document:
    p = Path(path)
    return parse_bytes(p.read_bytes(), p.name)
