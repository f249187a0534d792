"""Pilot zones mentioned in a measure's text: a spaCy EntityRuler built from the
ontology's zone labels, over a blank ``zh`` pipeline with the jieba segmenter.

jieba is told every label as a word, so a label is one token (or a run of
tokens the ruler's phrase patterns match) wherever it occurs.  The pipeline is
built on first use only: spaCy and jieba cost about two seconds to load.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from ontology.vocab import vocabulary


@cache
def pipeline():
    """The blank zh pipeline (jieba segmenter, zone labels as words) with the zone EntityRuler; built once."""
    import logging

    import jieba
    import spacy

    jieba.setLogLevel(logging.WARNING)
    zones = vocabulary().zones
    labels = {label for z in zones.values() for label in (z.name, *z.aliases)}
    for label in labels:
        jieba.add_word(label, freq=200000)
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


def zone_mentions(text: str, on: date | None) -> list[tuple[str, int, int]]:
    """(zone id, start, end) for each zone mention in ``text`` (Simplified).

    A label shared by two zones ("横琴": the FTZ area until 2021, the
    cooperation zone after) resolves to the zone valid on the document's date.
    """
    if not text:
        return []
    zones = vocabulary().zones
    labels = {label for z in zones.values() for label in (z.name, *z.aliases)}
    if not any(label in text for label in labels):  # the ruler matches labels only: nothing to find
        return []
    out = []
    for offset, piece in _pieces(text, labels):
        for ent in pipeline()(piece).ents:
            candidates = [z for z in zones.values() if ent.text in (z.name, *z.aliases)]
            valid = [z for z in candidates if z.valid_on(on)] or candidates
            if valid:
                out.append((valid[0].id, offset + ent.start_char, offset + ent.end_char))
    return out


PIECE = 2000  # characters: spaCy's zh tokenizer takes time quadratic in the tokens of one call


def _pieces(text: str, labels: set[str]) -> list[tuple[int, str]]:
    """``text`` as (offset, piece) of about PIECE characters, never cut inside a label occurrence.

    A text of PIECE characters or less (every real measure) is one piece, so the pipeline sees it
    whole as before; a hostile one-megabyte cell costs linear time instead of quadratic.
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
