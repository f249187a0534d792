"""A measure's passage in its source document, from the stored character span.

Source files are not in the graph: the bundled corpus (``reformkg/corpus``) is
read from the package, and only when the file's SHA-256 equals the document's
``source_sha256`` (otherwise the offsets may not fit the file on disk).  A
document whose file is not available gets ``None``; the page then shows the
stored body and says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from loaders.text import decode
from reformkg.load import bundled_corpus

CONTEXT = 160  # characters shown before and after the span


@dataclass(frozen=True, slots=True)
class Passage:
    before: str
    span: str
    after: str
    source_file: str
    start: int
    end: int
    clipped_start: bool
    clipped_end: bool


@lru_cache(maxsize=1)
def _bundled() -> dict[str, Path]:
    return {p.name: p for p in bundled_corpus()}


@lru_cache(maxsize=16)
def _text(path: str, sha256: str | None) -> str | None:
    raw = Path(path).read_bytes()
    if sha256 and hashlib.sha256(raw).hexdigest() != sha256:
        return None
    return decode(raw, path).text


def source_text(source_file: str | None, sha256: str | None) -> str | None:
    """The decoded text of a bundled source file, if it is the one the document was loaded from."""
    path = _bundled().get(Path(source_file).name) if source_file else None
    return _text(str(path), sha256) if path else None


def passage(source_file: str | None, sha256: str | None, start: int | None, end: int | None,
            context: int = CONTEXT) -> Passage | None:
    """The span [start, end) of the file with ``context`` characters either side (cut at line
    boundaries when one is near), or None when the file or the span is not available."""
    if start is None or end is None:
        return None
    text = source_text(source_file, sha256)
    if text is None or not (0 <= start < end <= len(text)):
        return None
    lo, hi = max(0, start - context), min(len(text), end + context)
    nl = text.find("\n", lo, start)  # start the context on a line when a line break is near
    if 0 <= nl < start and lo > 0:
        lo = nl + 1
    nl = text.rfind("\n", end, hi)
    if nl > end and hi < len(text):
        hi = nl
    return Passage(text[lo:start], text[start:end], text[end:hi], source_file or "", start, end, lo > 0, hi < len(text))
