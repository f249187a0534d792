"""A bigger corpus for the crash harness: the bundled five documents plus copies
with another document number (or title, for the documents without one), in two
versions.

Version ``A`` is the corpus as bundled (copies included).  Version ``B`` is the
same documents (same file names, same numbers: each one *replaces* its ``A``
version) with one measure title changed in every file and, in the Qianhai table,
one row removed (37 measures instead of 38), so a crash while replacing ``A`` by
``B`` can be told apart from either whole version.
"""

from __future__ import annotations

import re
from pathlib import Path

from reformkg.load import bundled_corpus

NUMBERS = {  # file stem prefix -> (printed number pattern, format of the copy's number)
    "guangdong-2018": (r"粤府办〔2018〕(34)号", 34),
    "guangdong-2024": (r"粤府函〔2024〕(9)号", 9),
    "nansha": (r"穗府函〔2018〕(161)[號号]", 161),
}
TITLES = {  # documents without a number: their IRI is a hash of the title
    "hengqin": "总体方案任务分工表",
    "qianhai": "复制推广工作任务分工表",
}


def _copy(text: str, stem: str, k: int) -> str:
    for prefix, (pattern, base) in NUMBERS.items():
        if stem.startswith(prefix):
            return re.sub(pattern, lambda m: m.group(0).replace(m.group(1), str(base + 100 * k)), text)
    for prefix, title in TITLES.items():
        if stem.startswith(prefix):
            return text.replace(title, f"{title}（第{k + 1}稿）", 1)
    raise ValueError(stem)


def _version_b(text: str, stem: str) -> str:
    from loaders.parse import parse_bytes

    doc = parse_bytes(text.encode("utf-8"), stem + ".txt")
    title = doc.measures[1].title_orig
    idx = text.index(title)
    text = text[:idx] + title.rstrip("。") + "试行" + text[idx + len(title.rstrip("。")):]
    if stem.startswith("qianhai"):
        start, end = text.index("\t2\n"), text.index("\t3\n")
        text = text[:start] + text[end:]
    return text


def make_corpus(directory: Path, copies: int = 2, version: str = "A") -> list[Path]:
    """Write the corpus (5 * (1 + copies) files) into ``directory``; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for src in bundled_corpus():
        text = src.read_text(encoding="utf-8")
        for k in range(copies + 1):
            body = text if k == 0 else _copy(text, src.stem, k)
            if version == "B":
                body = _version_b(body, src.stem)
            name = src.name if k == 0 else f"{src.stem}-copy{k}{src.suffix}"
            path = directory / name
            path.write_text(body, encoding="utf-8")
            out.append(path)
    return sorted(out)
