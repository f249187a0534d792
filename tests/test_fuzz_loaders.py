"""Hostile documents: Hypothesis mutations of the bundled corpus through the loaders.

Every input either parses into a Document or raises ParseError whose message starts with
``<file>:<line>``; any other exception fails.  Hangs are caught by Hypothesis' per-example
deadline (generous: a whole document parses in well under a second here, the first one pays for
loading OpenCC).  Time linear in the size is measured by ``bench/parse_scaling.py``, not here.
"""

from __future__ import annotations

import os
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.errors import ParseError
from loaders.parse import parse_bytes
from reformkg.load import Loader, bundled_corpus
from reformkg.settings import Settings

CORPUS = {p.name: p.read_bytes() for p in bundled_corpus()}
NAMES = sorted(CORPUS)
# CI: about 25 examples per strategy (the whole file in about a minute); more with REFORMKG_FUZZ_EXAMPLES.
EXAMPLES = int(os.environ.get("REFORMKG_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=20_000, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ_BIG = settings(FUZZ, max_examples=max(EXAMPLES // 5, 4), deadline=120_000)  # a 1 MB line of "|": ~17 s


def parses_or_says_where(raw: bytes, name: str = "fuzz.txt") -> None:
    try:
        doc = parse_bytes(raw, name)
    except ParseError as exc:
        assert re.match(rf"{re.escape(name)}:\d+(:\d+)?: \S", str(exc)), str(exc)
        assert exc.line >= 1
        return
    assert doc.source_file == name and doc.measures


def _lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\n")


documents = st.sampled_from(NAMES).map(CORPUS.__getitem__)


@FUZZ
@given(documents, st.floats(0, 1))
def test_truncated_at_any_byte(raw, frac):
    parses_or_says_where(raw[: int(len(raw) * frac)])


@FUZZ
@given(documents, st.randoms(use_true_random=False), st.sampled_from(["shuffle", "duplicate", "drop", "swap"]))
def test_lines_shuffled_duplicated_dropped(raw, rnd, how):
    lines = _lines(raw)
    if how == "shuffle":
        i, j = sorted(rnd.sample(range(len(lines)), 2))
        part = lines[i:j]
        rnd.shuffle(part)
        lines[i:j] = part
    elif how == "duplicate":
        i = rnd.randrange(len(lines))
        lines[i:i] = lines[i:i + rnd.randint(1, 20)] * rnd.randint(1, 5)
    elif how == "drop":
        i = rnd.randrange(len(lines))
        del lines[i:i + rnd.randint(1, 30)]
    else:
        i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    parses_or_says_where(b"\n".join(lines))


@FUZZ
@given(documents, st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=8)), min_size=1, max_size=10))
def test_random_bytes_and_nul_inserted(raw, inserts):
    data = bytearray(raw)
    for frac, junk in inserts:
        pos = int(len(data) * frac)
        data[pos:pos] = junk
    parses_or_says_where(bytes(data))


@FUZZ
@given(documents, st.floats(0, 1), st.sampled_from("()（）[]【】〔〕《》|\t"), st.integers(1, 5000))
def test_brackets_unbalanced_or_nested_deeply(raw, frac, bracket, depth):
    text = raw.decode("utf-8")
    pos = int(len(text) * frac)
    opener = {"(": ")", "（": "）", "[": "]", "【": "】", "〔": "〕", "《": "》"}
    if bracket in opener and depth % 2:
        insert = bracket * depth + "负责" + opener[bracket] * depth  # nested deeply
    else:
        insert = bracket * depth  # unbalanced
    parses_or_says_where((text[:pos] + insert + text[pos:]).encode("utf-8"))


@FUZZ_BIG
@given(documents, st.floats(0, 1), st.sampled_from(["x", "改", "(", "|", "\t", "1."]))
def test_a_line_of_one_megabyte(raw, frac, unit):
    text = raw.decode("utf-8")
    pos = text.rfind("\n", 0, int(len(text) * frac)) + 1
    line = unit * (1_000_000 // len(unit.encode("utf-8")))
    parses_or_says_where((text[:pos] + line + "\n" + text[pos:]).encode("utf-8"))


@FUZZ
@given(documents, st.floats(0, 1), st.floats(0, 1))
def test_mixed_encodings(raw, a, b):
    """A GB18030 chunk inside UTF-8 (or the reverse): decoded as one of them or refused with the line."""
    text = raw.decode("utf-8")
    i, j = sorted((int(len(text) * a), int(len(text) * b)))
    parses_or_says_where(text[:i].encode("utf-8") + text[i:j].encode("gb18030") + text[j:].encode("utf-8"))
    parses_or_says_where(text[:i].encode("gb18030") + text[i:j].encode("utf-8") + text[j:].encode("gb18030"))


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(raw):
    parses_or_says_where(raw)


@FUZZ
@given(st.text(max_size=2000))
def test_arbitrary_text(text):
    parses_or_says_where(text.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("raw", [b"", b"\n\n  \t\n", b"\x00" * 100, bytes(range(256)) * 64,
                                 b"%PDF-1.7\n" + bytes(random.Random(1).randrange(256) for _ in range(50_000)),
                                 "\ufeff".encode("utf-8"), b"\xff\xfe" + "序号".encode("utf-16-le")])
def test_empty_and_binary(raw):
    parses_or_says_where(raw, "odd.txt")


def test_fifty_megabytes_is_refused_with_the_file_name(falkor, tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:
        chunk = CORPUS[NAMES[0]]
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(chunk)
    report = Loader(falkor, Settings(max_file_mb=20), lock_dir=tmp_path).load([big])
    assert len(report.errors) == 1
    assert report.errors[0].startswith("huge.txt:1: ") and "over the limit of 20 MB" in report.errors[0]
    assert "REFORMKG_MAX_FILE_MB" in report.errors[0]
    assert falkor.counts().get("nodes", {}) == {}


def test_a_refused_file_writes_nothing_and_the_others_load(falkor, tmp_path):
    good = tmp_path / NAMES[1]
    good.write_bytes(CORPUS[NAMES[1]])
    bad = []
    for i, raw in enumerate([CORPUS[NAMES[4]][: len(CORPUS[NAMES[4]]) // 2], b"\x00\x01\x02" * 100,
                             CORPUS[NAMES[2]][:5000] + b"\xff\xfe\xfa" + CORPUS[NAMES[2]][5000:]]):
        p = tmp_path / f"bad-{i}.txt"
        p.write_bytes(raw)
        bad.append(p)
    report = Loader(falkor, Settings(), lock_dir=tmp_path).load(bad)
    assert len(report.errors) == 3 and all(e.startswith(f"bad-{i}.txt:") for i, e in enumerate(report.errors))
    assert falkor.counts().get("nodes", {}) == {}
    report = Loader(falkor, Settings(), lock_dir=tmp_path).load([good, *bad])
    assert report.written == [good.name] and len(report.errors) == 3
    docs = falkor.run_read("MATCH (d:PolicyDocument) RETURN d.source_file AS f")
    assert [d["f"] for d in docs] == [good.name]
