"""Hostile documents: Hypothesis mutations of the bundled corpus through the loaders.

Every input either parses into a Document or raises ParseError whose message starts with
``<file>:<line>``; any other exception fails.  Hangs are caught by Hypothesis' per-example
deadline (generous: a whole document parses in well under a second here, the first one pays for
loading OpenCC).  Time against size is measured by ``bench/parse_scaling.py`` and
``bench/hostile_parse.py``, not here: here the *work* of a parse (the function calls it makes,
which unlike time does not depend on the machine's load) must grow linearly with the size of the
hostile shapes of ``bench/hostile_parse.py``.
"""

from __future__ import annotations

import cProfile
import importlib.util
import os
import pstats
import random
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders import fields, task_table
from loaders.errors import ParseError
from loaders.parse import parse_bytes
from loaders.tables import MAX_CELLS, is_separator, pipe_rows
from loaders.text import CJK, CN_DIGITS, lines_of
from reformkg.load import Loader, bundled_corpus
from reformkg.settings import Settings

CORPUS = {p.name: p.read_bytes() for p in bundled_corpus()}
NAMES = sorted(CORPUS)
# CI: about 25 examples per strategy (the whole file in about a minute); more with REFORMKG_FUZZ_EXAMPLES.
EXAMPLES = int(os.environ.get("REFORMKG_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=20_000, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ_BIG = settings(FUZZ, max_examples=max(EXAMPLES // 5, 4), deadline=60_000)  # a 1 MB line: well under 5 s


def _hostile_bench():
    spec = importlib.util.spec_from_file_location("bench_hostile_parse", Path(__file__).resolve().parents[1]
                                                  / "bench" / "hostile_parse.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_hostile_parse"] = mod
    spec.loader.exec_module(mod)
    return mod


HOSTILE = _hostile_bench()
# Shapes that still take quadratic time (found with bench/hostile_parse.py, not fixed yet): skipped
# here, with the reason, until they are.  None left.
STILL_QUADRATIC: dict[str, str] = {}
LINEAR_SHAPES = [s for s in HOSTILE.SHAPES if s not in STILL_QUADRATIC]


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
@given(documents, st.floats(0, 1), st.sampled_from(["x", "改", "(", "（", "|", "\t", "-", "1.", "|---", "改革创新试点"]))
def test_a_line_of_one_megabyte(raw, frac, unit):
    text = raw.decode("utf-8")
    pos = text.rfind("\n", 0, int(len(text) * frac)) + 1
    line = unit * (1_000_000 // len(unit.encode("utf-8")))
    parses_or_says_where((text[:pos] + line + "\n" + text[pos:]).encode("utf-8"))


@FUZZ
@given(documents, st.floats(0, 1), st.sampled_from(LINEAR_SHAPES), st.integers(1, 128 * 1024))
def test_hostile_shapes_anywhere(raw, frac, shape, size):
    """The shapes of bench/hostile_parse.py, of any size up to 128 KB, at any line of any document."""
    text = raw.decode("utf-8")
    pos = text.rfind("\n", 0, int(len(text) * frac)) + 1
    parses_or_says_where((text[:pos] + HOSTILE.SHAPES[shape](text, size) + "\n" + text[pos:]).encode("utf-8"))


def _calls(raw: bytes) -> int:
    """The function calls (Python and built-in) of one parse: its work, counted, not timed."""
    prof = cProfile.Profile()
    prof.enable()
    try:
        parse_bytes(raw, "hostile.txt")
    except ParseError:
        pass
    finally:
        prof.disable()
    return pstats.Stats(prof).total_calls


@pytest.mark.parametrize("shape", [pytest.param(s, marks=pytest.mark.skip(reason=STILL_QUADRATIC[s]))
                                   if s in STILL_QUADRATIC else s for s in HOSTILE.SHAPES])
def test_work_grows_linearly_with_the_size_of_a_hostile_shape(shape):
    """Calls at 2, 8 and 32 KB of the shape in each bundled document: the growth from 8 to 32 KB
    is at most 5 times the growth from 2 to 8 KB (4 for linear work, 16 for quadratic).  Work
    that does not depend on the size (the rest of the document, an early error) cancels out in
    the differences.  A quadratic loop inside one C call (a regex backtracking, a string built by
    repeated +) is not counted: bench/hostile_parse.py times those."""
    make = HOSTILE.SHAPES[shape]
    for name in NAMES:
        host = CORPUS[name].decode("utf-8")
        sized = [HOSTILE.insert(host, make(host, n), shape in HOSTILE.AT_TOP) for n in (2048, 8192, 32768)]
        parses_or_says_where(sized[0])  # fills the caches (agency clauses, zone texts): all three start alike
        c2, c8, c32 = (_calls(raw) for raw in sized)
        assert c32 - c8 <= 5 * (c8 - c2) + 500, f"{name}: {c2}, {c8}, {c32} calls at 2, 8, 32 KB"


@FUZZ
@given(st.text(alphabet="|-: \tx", max_size=12))
def test_separator_check_is_the_old_regex(line):
    """is_separator replaced a regex that backtracked exponentially; on short lines (where the old
    regex is fast) they agree."""
    old = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-*:?\s*)*\|?\s*$")
    assert is_separator(line) == bool(old.match(line))


# The lazy regexes that the linear ones replaced (quadratic in a run of spaces or of metric
# characters, fast on the short strings below), and strings built of the pieces they turn on.
OLD_LABEL_REGEXES = {
    "HEADING": (re.compile(rf"^\s*([{CN_DIGITS}]+)\s*、\s*(.+?)\s*$"), fields.HEADING,
                ["", "一、", " 十二 、 ", "\n一、", "一、\n"], "一十〇、() \t\n\u3000\r\x0bx改。1"),
    "SUBHEADING": (re.compile(rf"^\s*\(\s*([{CN_DIGITS}]+)\s*\)\s*(.+?)\s*$"), fields.SUBHEADING,
                   ["", "(一)", " ( 三 ) ", "(一)\n", "\n(二)"], "一十、()（ \t\n\u3000\rx改。1"),
    "MEASURE": (re.compile(r"^\s*(\d{1,4})\s*[.．、]\s*(\S.*?)\s*$", re.DOTALL), task_table.MEASURE,
                ["", "1.", " 12 、", "1234．", "12345.", "1.\n", "\n3、"], "12.．、 \t\n\u3000\rx改|١"),
}


FUZZ_CHEAP = settings(FUZZ, max_examples=EXAMPLES * 20)  # a regex on a dozen characters: 500 in well under a second


def _same_match(a: re.Match | None, b: re.Match | None) -> bool:
    return (a is None) == (b is None) and (a is None or (a.span(), a.groups()) == (b.span(), b.groups()))


@FUZZ_CHEAP
@given(st.sampled_from(sorted(OLD_LABEL_REGEXES)), st.data())
def test_heading_and_measure_regexes_match_as_the_old_lazy_ones(name, data):
    old, new, prefixes, alphabet = OLD_LABEL_REGEXES[name]
    text = data.draw(st.sampled_from(prefixes)) + data.draw(st.text(alphabet=alphabet, max_size=12))
    assert _same_match(old.match(text), new.match(text))


OLD_TARGET = re.compile(rf"(?:争取)?(?P<metric>[{CJK}A-Za-z0-9()]+?)(?P<verb>突破|超过|达到|达)"
                        rf"(?P<value>\d+(?:\.\d+)?)(?P<unit>[{CJK}A-Za-z]*?)(?P<more>以上)?$")


@FUZZ_CHEAP
@given(st.lists(st.sampled_from(["争取", "争", "改", "达", "达到", "突破", "超过", "以上", "1", "5", ".", "A", "(",
                                 ")", "。", " ", "\n", "亿元", "，", "١", "-"]), max_size=14).map("".join))
def test_target_regex_finds_what_the_old_one_found(text):
    """The target regex starts only where a run of metric characters starts; the old one started
    anywhere and found the same leftmost match."""
    assert _same_match(OLD_TARGET.search(text), fields._TARGET.search(text))


def test_a_wrapped_row_and_a_huge_row_keep_their_text():
    """A row wrapped over many lines is one row whose last cell holds every line; a row of more
    than MAX_CELLS cells keeps the rest, pipes included, in its last cell."""
    text = "| 序号 | 名称 |\n| 1 | 甲\n" + "续\n" * 5000 + "乙 |\n| 2 |" + "|" * 10_000 + "\n"
    rows = pipe_rows(lines_of(text))
    assert [len(r.cells) for r in rows] == [2, 2, MAX_CELLS - 1]  # the empty cell before the first "|" dropped
    assert rows[1].cells[1].text == " 甲" + "续" * 5000 + "乙 "
    assert text[rows[1].cells[1].start:rows[1].cells[1].end].replace("\n", "") == rows[1].cells[1].text
    assert rows[2].cells[-1].text == "|" * (10_002 - MAX_CELLS + 1)  # 10,002 "|", MAX_CELLS - 1 of them cut at
    assert text[rows[2].cells[-1].start:rows[2].cells[-1].end] == rows[2].cells[-1].text


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
