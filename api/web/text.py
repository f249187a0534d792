"""Highlighting matches in Chinese text, with escaping done by Markup (never by hand).

Matches are found in the normalised text (NFKC, Simplified: ``loaders.text.normalise``
keeps every offset), so a Simplified query marks a Traditional title too.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from loaders.text import normalise

SNIPPET = 40  # characters of context either side of the first match in a body


def spans(text: str, terms: list[str] | None) -> list[tuple[int, int]]:
    """Merged [start, end) spans of every occurrence of any term."""
    if not text or not terms:
        return []
    norm = normalise(text)
    found: list[tuple[int, int]] = []
    for t in {t for t in terms if t}:
        for hay in {norm, text}:
            at = hay.find(t)
            while at >= 0:
                found.append((at, at + len(t)))
                at = hay.find(t, at + 1)
    merged: list[tuple[int, int]] = []
    for s, e in sorted(found):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlight(text: str | None, terms: list[str] | None) -> Markup:
    """``text`` escaped, each match wrapped in ``<mark>``."""
    text = text or ""
    out, at = [], 0
    for s, e in spans(text, terms):
        out += [escape(text[at:s]), Markup("<mark>{}</mark>").format(text[s:e])]
        at = e
    out.append(escape(text[at:]))
    return Markup("").join(out)


def snippet(text: str | None, terms: list[str] | None, width: int = SNIPPET) -> Markup | None:
    """The part of ``text`` around its first match, highlighted (None: no match)."""
    found = spans(text or "", terms)
    if not text or not found:
        return None
    s, e = found[0]
    lo, hi = max(0, s - width), min(len(text), e + width * 2)
    inner = [(a - lo, b - lo) for a, b in found if a >= lo and b <= hi]
    part = text[lo:hi]
    out, at = [Markup("…") if lo else Markup("")], 0
    for a, b in inner:
        out += [escape(part[at:a]), Markup("<mark>{}</mark>").format(part[a:b])]
        at = b
    out += [escape(part[at:]), Markup("…") if hi < len(text) else Markup("")]
    return Markup("").join(out)
