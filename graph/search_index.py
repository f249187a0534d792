"""Character bigrams: the index behind ``/search``'s substring search.

``/search`` finds any substring of a measure's title or body, and full-text
indexes match tokens, not substrings (FalkorDB's Chinese analyser splits text
into words: a search for 电子营业执照 misses 电子营业执照“一照通”).  So each
Measure and PolicyDocument carries ``search_grams``: the distinct pairs of
adjacent characters of its searched text as ONE string, the pairs separated by
spaces, and FalkorDB's full-text index (RediSearch) on it with no stemming and
no stop words, so that every pair is one token of the index.  A lookup of a
term's pairs (``电子 营业 执照``: RediSearch intersects the terms of a query) is
then an index intersection.

Why a string with a full-text index and not a list with a range index (the
first version): the list made the database's write of a measure ~10x slower
and took three times the memory (measured, bench/RESULTS.md); the string is
one value and RediSearch indexes it in C.

A text that contains a term contains every bigram of the term, so the nodes
holding all of a term's bigrams are a superset of the nodes containing it;
the exact ``CONTAINS`` then runs on those candidates only, and the results
are exactly those of a scan.  Only pairs of letters, digits or ideographs
(``str.isalnum``) are kept, on both sides: RediSearch splits tokens only at
ASCII punctuation and spaces, none of which is alphanumeric, so a pair is
always one token, and the same case folding is applied to the index and the
query (a subset of a term's bigrams still selects a superset).  A term with
no such pair (one character, or punctuation) has no bigram to look up: the
caller scans.

Pure functions, no I/O: ``graph/build.py`` stores ``index_text`` of the very
strings the search compares with; ``api/routers/search.py`` and the measure
lists (``api/routers/measures.py``) look up ``candidate_query`` of their terms.
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


def index_text(*texts: str | None) -> str | None:
    """The stored property: the distinct bigrams of the texts, sorted, separated by spaces (None: none)."""
    return " ".join(index_grams(*texts)) or None


def grams_for(label: str, props: dict) -> str | None:
    """The ``search_grams`` a node of ``label`` with ``props`` must carry (None: none), for any
    path that writes such nodes without ``graph/build.py`` (the RDF import)."""
    if label not in SEARCHED:
        return None
    return index_text(*(props.get(name) for name in SEARCHED[label]))


def query_grams(term: str, limit: int = MAX_QUERY_GRAMS) -> list[str]:
    """Bigrams of ``term`` that a node containing it must hold (empty: none, scan instead).

    At most ``limit``, spread over the term (first, last and evenly between), in a
    deterministic order so that the same term always gives the same query text."""
    ordered = list(dict.fromkeys(a + b for a, b in pairwise(term) if a.isalnum() and b.isalnum()))
    if len(ordered) <= limit:
        return ordered
    step = (len(ordered) - 1) / (limit - 1)
    return list(dict.fromkeys(ordered[round(i * step)] for i in range(limit)))


def fulltext_query(grams: list[list[str]]) -> str:
    """The RediSearch query for nodes holding every bigram of any one term: ``(a b) | (c d)``.

    Bigrams are alphanumeric, so they carry no query syntax and need no escaping."""
    if not grams or not all(grams):
        raise ValueError("every term needs at least one bigram")
    for term in grams:
        for gram in term:
            if len(gram) != 2 or not gram.isalnum():
                raise ValueError(f"not a bigram of the index: {gram!r}")
    return " | ".join("(" + " ".join(term) + ")" for term in grams)


def candidate_query(terms: list[str]) -> str | None:
    """The :func:`fulltext_query` finding the candidates of any of ``terms``, or None when there is no
    term or one has no bigram to look up (then the caller scans)."""
    grams = [query_grams(t) for t in terms]
    return fulltext_query(grams) if grams and all(grams) else None


def han_only(term: str) -> bool:
    """Two or more characters, all Han ideographs: a term Neo4j's CJK full-text index
    (character bigrams of Han runs) is sure to find in every text containing it."""
    return len(term) >= 2 and all(any(lo <= ord(ch) <= hi for lo, hi in _HAN) for ch in term)
