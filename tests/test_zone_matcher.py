"""The spaCy-free zone matcher (loaders.zones.zone_mentions) finds exactly the mentions of the
reference spaCy EntityRuler pipeline (loaders.zones.pipeline): on every measure of the bundled
corpus and of a generated synthetic corpus, and on the edge cases of the method (label at an
edge of the text, overlapping labels, dictionary words across a label's edge, 横琴 on both sides
of 2021-09-17, Traditional text, texts longer than one piece)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

from loaders import zones
from loaders.parse import parse_bytes
from loaders.text import decode, normalise
from ontology.vocab import vocabulary
from reformkg.load import bundled_corpus
from reformkg.model import Document

ROOT = Path(__file__).resolve().parents[1]
DAYS = (None, date(2018, 7, 1), date(2021, 9, 16), date(2021, 9, 17), date(2024, 7, 1))


def reference(text: str, on: date | None) -> list[tuple[str, int, int]]:
    """Zone mentions as the EntityRuler pipeline finds them (the loaders' method before the matcher)."""
    if not text:
        return []
    found = vocabulary().zones
    labels = {label for z in found.values() for label in (z.name, *z.aliases)}
    if not any(label in text for label in labels):  # the ruler matches labels only: nothing to find
        return []
    out = []
    for offset, piece in zones._pieces(text, labels):
        for ent in zones.pipeline()(piece).ents:
            candidates = [z for z in found.values() if ent.text in (z.name, *z.aliases)]
            valid = [z for z in candidates if z.valid_on(on)] or candidates
            out.append((valid[0].id, offset + ent.start_char, offset + ent.end_char))
    return out


def measure_texts(raw: bytes, name: str) -> tuple[Document, list[str]]:
    """The texts of a document's measures: printed span (normalised), title, body, title。body."""
    doc = parse_bytes(raw, name)
    norm = normalise(decode(raw, name).text)
    texts = [doc.title]
    for m in doc.measures:
        texts += [norm[m.span.start:m.span.end], m.title, m.body, m.title + "。" + m.body]
    return doc, texts


def assert_same(texts: list[str], days=DAYS) -> int:
    mentions = 0
    for text in texts:
        for on in days:
            expected = reference(text, on)
            assert zones.zone_mentions(text, on) == expected, (text[:200], on)
            mentions += len(expected)
    return mentions


def test_the_boundary_word_list_is_current():
    """The shipped list is what the installed jieba dictionary and today's labels give."""
    seg = zones.segmenter()
    seg.check_initialized()
    assert zones._boundary_words() is not None  # its header matches the labels and the dictionary
    assert zones._boundary_words()[0] == zones.boundary_words(seg.FREQ, seg.total, frozenset(zones._zones_by_label())), \
        "run `python -m loaders.zones`"


def test_every_label_is_one_token_of_the_pipeline():
    """So the ruler's phrase patterns are single tokens, as the matcher assumes."""
    for label in zones._zones_by_label():
        assert [t.text for t in zones.pipeline().tokenizer(label)] == [label]


def test_same_mentions_on_the_bundled_corpus():
    mentions = 0
    for path in bundled_corpus():
        doc, texts = measure_texts(path.read_bytes(), path.name)
        days = (doc.issued or doc.published or (date(doc.year, 7, 1) if doc.year else None), None)
        mentions += assert_same(texts, days)
    assert mentions > 100


def test_jieba_alone_gives_the_pipeline_mentions():
    """The matcher's fallback (and its whole method when the word list is out of date)."""
    for path in bundled_corpus():
        for text in measure_texts(path.read_bytes(), path.name)[1]:
            if len(text) <= zones.PIECE:
                spans = [(zones.zone_for(label, None), s, e) for label, s, e in zones._jieba_spans(text)]
                assert spans == reference(text, None), text


def test_same_mentions_on_a_synthetic_corpus(tmp_path: Path):
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    sys.modules["bench_corpus"] = corpus  # dataclasses look their module up
    spec.loader.exec_module(corpus)
    truth = corpus.write_corpus(1000, tmp_path)
    texts = []
    for d in truth["documents"]:
        texts += measure_texts((tmp_path / d["file"]).read_bytes(), d["file"])[1]
    assert len(texts) > 4000
    assert assert_same(texts, (None, date(2020, 1, 1))) > 0


@pytest.mark.parametrize("text, on, expected", [
    ("", None, []),
    ("推进制度创新", None, []),
    ("南沙", None, [("nansha", 0, 2)]),  # the whole text
    ("南沙片区率先试点", None, [("nansha", 0, 4)]),  # at the start, the longest label
    ("支持深圳前海蛇口片区", None, [("qianhai-shekou", 2, 10)]),  # at the end
    ("广州南沙新区片区和前海蛇口自贸片区", None, [("nansha", 0, 8), ("qianhai-shekou", 9, 17)]),
    ("横琴", date(2021, 9, 16), [("hengqin", 0, 2)]),
    ("横琴", date(2021, 9, 17), [("hengqin-cooperation-zone", 0, 2)]),
    ("横琴片区", date(2024, 1, 1), [("hengqin", 0, 4)]),  # a label of the old zone alone
    ("目前海关监管", None, []),  # jieba cuts 目前/海关: no 前海
    ("华南沙滩", None, []),
    ("推进前海建设", None, [("qianhai-shekou", 2, 4)]),  # 进前 is a word, yet 前海 stays whole
])
def test_edge_cases(text, on, expected):
    assert zones.zone_mentions(text, on) == expected == reference(text, on)


@pytest.mark.parametrize("text", [
    "广州南沙新区", "南沙新区片区内", "横琴粤澳深度合作区横琴", "前海蛇口前海", "蛇口岸", "前海外汇", "题目前海关",
    "抵达南沙后", "南沙区政务中心", "前海湾保税港区", "南沙 片区", "南\n沙", "前海　蛇口", "前海|蛇口|横琴",
    "2015年前海", "A南沙B", "南沙2.0", "横琴粤澳深度合作区（横琴合作区）",
])
def test_overlaps_and_words_across_a_label_edge(text):
    assert assert_same([text]) >= 0


def test_traditional_text_is_normalised_before():
    text = normalise("支持橫琴粵澳深度合作區與前海蛇口片區、南沙新區合作")
    assert zones.zone_mentions(text, date(2022, 1, 1)) == reference(text, date(2022, 1, 1)) == [
        ("hengqin-cooperation-zone", 2, 11), ("qianhai-shekou", 12, 18), ("nansha", 19, 23)]


def test_long_texts_are_cut_into_the_same_pieces():
    """Longer than a piece: labels and words across a label's edge around the cuts."""
    filler = "推进制度创新和"  # 7 characters
    texts = []
    for shift in range(-3, 4):
        head = filler * (zones.PIECE // len(filler)) + "制" * shift
        for trap in ("目前海关", "前海蛇口片区", "广州南沙新区", "横琴粤澳深度合作区", "推进前海"):
            texts.append(head + trap + filler * 400 + trap + "。")
    texts.append(("南沙" + filler) * 1000)
    assert assert_same(texts, (None,)) > 1000
