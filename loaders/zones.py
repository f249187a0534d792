"""Pilot zones mentioned in a measure's text.

A *mention* is an occurrence of a zone label (a name or alias from the ontology) that the jieba
segmenter, told every label as a word, cuts as one token.  Usually that is every occurrence, but
not always: in "目前海关" jieba cuts 目前/海关, so 前海 there is no mention, while "推进前海" and
"前海外汇" keep 前海 whole.

:func:`pipeline` is the reference: a spaCy EntityRuler over a blank ``zh`` pipeline with the
jieba segmenter.  The load path does not use it (importing spaCy costs about a second, loading
jieba's dictionary about half a second): :func:`zone_mentions` finds the same mentions with one compiled regular expression of the labels
and falls back to jieba alone, on the rare piece of text where jieba could cut differently:

* jieba splits the text at every character outside ``[\\u4e00-\\u9fd5a-zA-Z0-9+#&._%-]`` and, in
  each block, takes the most probable path through the words of its dictionary (single
  characters are the only other steps).  If no dictionary word crosses either edge of a label's
  occurrence, every path passes through both edges, and between them the label (frequency
  200000) beats any split into two or more words (checked for the dictionary when the word list
  below is made).  So the occurrence is a token.
* The regular expression takes the leftmost, then longest, label; an overlapping label is a
  dictionary word crossing an edge, so overlaps fall back too.
* ``zone_boundary_words.txt`` lists the dictionary's words that can cross the edge of a label
  (2,646 words for jieba 0.42.1's dictionary and the labels of today; ``python -m loaders.zones``
  writes it, tests/test_zone_matcher.py checks it is current).  A text where one of them sits
  across an edge goes through jieba (:func:`segmenter`); if the list was made for other labels
  or another dictionary, every text with a label does.

tests/test_zone_matcher.py checks mention for mention against :func:`pipeline` on the bundled
and a synthetic corpus and on edge cases.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import re
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path

from ontology.vocab import ZoneInfo, vocabulary

LABEL_FREQ = 200000  # the frequency jieba is told for every label: far above any split of it
BOUNDARY_WORDS = Path(__file__).with_name("zone_boundary_words.txt")
log = logging.getLogger(__name__)


@cache
def pipeline():
    """The blank zh pipeline (jieba segmenter, zone labels as words) with the zone EntityRuler; built once.

    The reference that :func:`zone_mentions` is tested against; nothing on the load path runs it.
    It tells the *global* jieba the labels, as it always did.
    """
    import jieba
    import spacy

    jieba.setLogLevel(logging.WARNING)
    zones = vocabulary().zones
    labels = {label for z in zones.values() for label in (z.name, *z.aliases)}
    for label in labels:
        jieba.add_word(label, freq=LABEL_FREQ)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    patterns = []
    for z in zones.values():
        for label in sorted({z.name, *z.aliases}):
            patterns.append({"label": "PILOT_ZONE", "pattern": label, "id": z.id})
    ruler.add_patterns(patterns)
    # Only the segmenter and the ruler run, not a parser or NER: spaCy's default limit of a million
    # characters (it protects their memory) would refuse a long cell with ValueError.  The input is
    # bounded by the file size limit (REFORMKG_MAX_FILE_MB) instead.
    nlp.max_length = 1 << 31
    return nlp


@cache
def segmenter():
    """A jieba tokenizer of our own with every zone label as a word (as :func:`pipeline` tells the
    global one), for the texts the regular expression cannot decide.

    Its own, so words added to the global jieba elsewhere do not change the mentions; its
    dictionary (about half a second) loads on first use, so other users of the same words (the
    linker's terms) should share this one rather than load a second.
    """
    import jieba

    jieba.setLogLevel(logging.WARNING)
    seg = jieba.Tokenizer()
    for label in sorted(_zones_by_label()):
        seg.add_word(label, freq=LABEL_FREQ)
    return seg


@cache
def _zones_by_label() -> dict[str, tuple[ZoneInfo, ...]]:
    """Each label and the zones that carry it, in the vocabulary's order."""
    out: dict[str, list[ZoneInfo]] = {}
    for z in vocabulary().zones.values():
        for label in {z.name, *z.aliases}:
            out.setdefault(label, []).append(z)
    return {label: tuple(zs) for label, zs in out.items()}


@cache
def _label_pattern() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(_zones_by_label(), key=lambda s: (-len(s), s)))))


def _labels_digest() -> str:
    return hashlib.sha256("\n".join(sorted(_zones_by_label())).encode()).hexdigest()


def _jieba_dictionary() -> Path:
    return Path(importlib.util.find_spec("jieba").origin).with_name("dict.txt")


def _header() -> list[str]:
    return ["# Words of jieba's dictionary that can cross an edge of a zone label (see loaders/zones.py).",
            "# Written by `python -m loaders.zones`; do not edit.",
            f"# labels-sha256 {_labels_digest()}",
            f"# dictionary-bytes {_jieba_dictionary().stat().st_size}",
            f"# label-frequency {LABEL_FREQ}"]


@cache
def _boundary_words() -> tuple[frozenset[str], frozenset[str], int] | None:
    """The shipped word list, the character pairs in its words, its longest word's length; None
    when the list was written for other labels or another dictionary."""
    lines = BOUNDARY_WORDS.read_text(encoding="utf-8").splitlines() if BOUNDARY_WORDS.exists() else []
    head = [ln for ln in lines if ln.startswith("#")]
    if head != _header():
        log.warning("%s is out of date (run `python -m loaders.zones`): zone mentions go through jieba",
                    BOUNDARY_WORDS.name)
        return None
    words = frozenset(ln for ln in lines if ln and not ln.startswith("#"))
    return words, frozenset(w[i:i + 2] for w in words for i in range(len(w) - 1)), max(map(len, words))


def boundary_words(freq: dict[str, int], total: int, labels: set[str] | frozenset[str]) -> set[str]:
    """The words of a jieba dictionary (``freq``, labels added) that can cross an edge of a label.

    A word crosses the start of a label occurrence when a proper suffix of it is a prefix of the
    label or begins with the label; the end, when a proper prefix of it is a suffix of the label
    or ends with it.  Also checks what the matcher assumes: one label beats any two words.
    """
    biggest = max(freq.values())
    if biggest * biggest >= LABEL_FREQ * total:
        raise ValueError("a split of a label into two words could outweigh the label")
    prefixes = {label[:k] for label in labels for k in range(1, len(label) + 1)}
    suffixes = {label[k:] for label in labels for k in range(len(label))}
    lengths = sorted({len(label) for label in labels})

    def crosses(w: str) -> bool:
        for i in range(1, len(w)):
            if w[i:] in prefixes or w[:i] in suffixes:
                return True
            if any(w[i:i + n] in labels for n in lengths if i + n <= len(w)):
                return True
            if any(w[i - n:i] in labels for n in lengths if n <= i):
                return True
        return False

    return {w for w, f in freq.items() if f and len(w) > 1 and crosses(w)}


def write_boundary_words() -> int:
    """Write zone_boundary_words.txt for the installed jieba and today's labels; returns the number of words."""
    seg = segmenter()
    seg.check_initialized()
    words = sorted(boundary_words(seg.FREQ, seg.total, frozenset(_zones_by_label())))
    BOUNDARY_WORDS.write_text("\n".join(_header() + words) + "\n", encoding="utf-8")
    return len(words)


def _crossed(text: str, spans: list[tuple[str, int, int]]) -> bool:
    """True when a boundary word sits across an edge of one of the spans (or no word list is valid)."""
    known = _boundary_words()
    if known is None:
        return True
    words, pairs, longest = known
    for _, s, e in spans:
        for edge in (s, e):
            if not (0 < edge < len(text) and text[edge - 1:edge + 1] in pairs):
                continue  # a word across the edge would hold these two characters
            for a in range(max(0, edge - longest + 1), edge):
                for b in range(edge + 1, min(len(text), a + longest) + 1):
                    if text[a:b] in words:
                        return True
    return False


def _label_spans(text: str) -> list[tuple[str, int, int]]:
    """(label, start, end) of each label occurrence in ``text`` that jieba cuts as one token."""
    spans = [(m.group(), m.start(), m.end()) for m in _label_pattern().finditer(text)]
    if not spans or not _crossed(text, spans):
        return spans
    return _jieba_spans(text)


def _jieba_spans(text: str) -> list[tuple[str, int, int]]:
    """(label, start, end) of each word of :func:`segmenter`'s cut that is a label: the pipeline's way."""
    out, pos = [], 0
    for word in segmenter().cut(text):
        if word in _zones_by_label():
            out.append((word, pos, pos + len(word)))
        pos += len(word)
    return out


def zone_for(label: str, on: date | None) -> str:
    """The zone a label means on a day.

    A label shared by two zones ("横琴": the FTZ area until 2021, the cooperation zone after)
    resolves to the zone valid on the document's date.
    """
    candidates = _zones_by_label()[label]
    valid = [z for z in candidates if z.valid_on(on)] or candidates
    return valid[0].id


def zone_mentions(text: str, on: date | None) -> list[tuple[str, int, int]]:
    """(zone id, start, end) for each zone mention in ``text`` (Simplified), as :func:`pipeline` finds them."""
    if not text or not _label_pattern().search(text):
        return []
    out = []
    for offset, piece in _pieces(text, _zones_by_label().keys()):
        out += [(zone_for(label, on), offset + s, offset + e) for label, s, e in _label_spans(piece)]
    return out


PIECE = 2000  # characters: spaCy's zh tokenizer takes time quadratic in the tokens of one call


def _pieces(text: str, labels: Iterable[str]) -> list[tuple[int, str]]:
    """``text`` as (offset, piece) of about PIECE characters, never cut inside a label occurrence.

    A text of PIECE characters or less (every real measure) is one piece, so the pipeline sees it
    whole as before; a hostile one-megabyte cell costs linear time instead of quadratic.  The
    matcher cuts the same pieces: jieba never segments across a cut, so mentions near one depend on it.
    """
    if len(text) <= PIECE:
        return [(0, text)]
    covered = bytearray(len(text) + 1)  # 1 where a cut would split a label occurrence
    for label in labels:
        i = text.find(label)
        while i >= 0:
            covered[i + 1:i + len(label)] = b"\x01" * (len(label) - 1)
            i = text.find(label, i + 1)
    out, start = [], 0
    while len(text) - start > PIECE:
        cut = start + PIECE
        while covered[cut]:
            cut += 1
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out


def zones_in(text: str, on: date | None) -> list[str]:
    """Distinct zone ids mentioned, in order of first mention."""
    seen: dict[str, None] = {}
    for zid, _, _ in zone_mentions(text, on):
        seen.setdefault(zid)
    return list(seen)


def measure_zones(document_zone: str | None, text: str, on: date | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(all zones, zones found in the text): the document's zone first."""
    found = tuple(zones_in(text, on))
    ordered = dict.fromkeys(([document_zone] if document_zone else []) + list(found))
    return tuple(ordered), found


if __name__ == "__main__":
    print(f"{write_boundary_words()} words written to {BOUNDARY_WORDS}")
