"""Character bigrams: the index behind ``/search``'s substring search.

``/search`` finds any substring of a measure's title or body, and full-text
indexes match tokens, not substrings (FalkorDB's splits Chinese into words: a
search for 电子营业执照 misses 电子营业执照“一照通”).  So each Measure and
PolicyDocument carries ``search_grams``: the distinct pairs of adjacent
characters of its searched text, as a list of strings, with a range index on
it (FalkorDB indexes list elements, so ``$g IN m.search_grams`` is an index
lookup and several of them an intersection).

A text that contains a term contains every bigram of the term, so the nodes
holding all of a term's bigrams are a superset of the nodes containing it;
the exact ``CONTAINS`` then runs on those candidates only, and the results
are exactly those of a scan.  Only pairs of letters, digits or ideographs
(``str.isalnum``) are kept, on both sides, which keeps punctuation and spaces
out of the index without losing that guarantee (a subset of a term's bigrams
still selects a superset).  A term with no such pair (one character, or
punctuation) has no bigram to look up: the caller scans.

Pure functions, no I/O: ``graph/build.py`` stores ``index_grams`` of the very
strings the search compares with, ``api/routers/search.py`` looks up
``query_grams``.
"""

from __future__ import annotations

from itertools import pairwise

PROPERTY = "search_grams"
# The texts whose bigrams a node carries, per label: what /search compares with CONTAINS.
SEARCHED: dict[str, tuple[str, ...]] = {"Measure": ("title", "body"), "PolicyDocument": ("title", "doc_number")}

# A long term needs only a few of its bigrams to narrow the candidates to a handful; the
# exact CONTAINS does the rest.  Capping them bounds the query text (and its plan cache).
MAX_QUERY_GRAMS = 4

# Han ideographs (CJK Unified Ideographs and Extension A): what Lucene's CJK analyzer turns
# into bigrams (the Neo4j full-text index, graph/cypher.py).
_HAN = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF))


def _grams(text: str) -> set[str]:
    return {a + b for a, b in pairwise(text) if a.isalnum() and b.isalnum()}


def index_grams(*texts: str | None) -> list[str]:
    """The distinct bigrams of each text (none across two texts), sorted: the stored property."""
    out: set[str] = set()
    for text in texts:
        if text:
            out |= _grams(text)
    return sorted(out)


def grams_for(label: str, props: dict) -> list[str] | None:
    """The ``search_grams`` a node of ``label`` with ``props`` must carry (None: none), for any
    path that writes such nodes without ``graph/build.py`` (the RDF import)."""
    if label not in SEARCHED:
        return None
    return index_grams(*(props.get(name) for name in SEARCHED[label])) or None


def query_grams(term: str, limit: int = MAX_QUERY_GRAMS) -> list[str]:
    """Bigrams of ``term`` that a node containing it must hold (empty: none, scan instead).

    At most ``limit``, spread over the term (first, last and evenly between), in a
    deterministic order so that the same term always gives the same query text."""
    ordered = list(dict.fromkeys(a + b for a, b in pairwise(term) if a.isalnum() and b.isalnum()))
    if len(ordered) <= limit:
        return ordered
    step = (len(ordered) - 1) / (limit - 1)
    return list(dict.fromkeys(ordered[round(i * step)] for i in range(limit)))


def han_only(term: str) -> bool:
    """Two or more characters, all Han ideographs: a term Neo4j's CJK full-text index
    (character bigrams of Han runs) is sure to find in every text containing it."""
    return len(term) >= 2 and all(any(lo <= ord(ch) <= hi for lo, hi in _HAN) for ch in term)
