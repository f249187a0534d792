"""Lineage links between measures of different documents: the same reform idea
announced, replicated or continued elsewhere.

Pure: no database.  The method (see docs/linking.md for how it was tuned):

1. Each measure is a bag of features: the informative words of its Simplified
   title and body (:func:`loaders.terms.terms`) and each pair of consecutive
   informative words (``电子·营业执照``, ``一次·放行``), a pair counted
   ``PAIR_WEIGHT`` times: a shared phrase says more than two shared words.
   Title features count ``TITLE_WEIGHT`` times more, unless the title is simply
   the body (as in the task tables).
2. Weights are TF-IDF over the measures passed in: ``(1 + ln tf) * idf`` with
   ``idf = ln((1 + n) / (1 + df)) + 1``, each vector scaled to unit length, so
   policy boilerplate that survived the stop list weighs little.
3. Candidates come from an inverted index, never from all pairs
   (:func:`candidate_pairs`): features whose document frequency is above a cap
   (:func:`df_cap`) are not indexed; each measure looks up its ``QUERY_TERMS``
   heaviest indexed features, accumulates the shared weight per measure of
   *another* document, and keeps the ``top_k`` best.
4. Each candidate pair gets its exact cosine over all features; pairs at or
   above the threshold become links, with the shared features that weigh most
   as evidence.
5. Direction comes from the documents' dates (:func:`orient`), never guessed.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter

METHOD = "tfidf-cosine-jieba-wordpairs/1"

# Chosen on the labelled sample tests/data/linking_sample.tsv: the lowest
# threshold at which the links emitted on the bundled corpus have a precision
# of at least 0.9 (see the table in docs/linking.md).
THRESHOLD = 0.115

TOP_K = 10  # candidates kept per measure
TITLE_WEIGHT = 2  # a title feature counts this many times more (titles name the reform)
PAIR_WEIGHT = 2  # a pair of consecutive words counts this many times
PAIR_JOINER = "·"
EVIDENCE_TERMS = 8
QUERY_TERMS = 12  # a measure looks up its 12 heaviest indexed features
DF_CAP_RATIO = 0.05  # a feature in more than 5% of the measures ...
DF_CAP_FLOOR = 10  # ... (and in more than 10) is not indexed,
DF_CAP_CEILING = 1000  # ... nor is any feature in more than 1000 measures

Vector = dict[str, float]


@dataclass(frozen=True, slots=True)
class MeasureText:
    """What the linker needs of a measure: its text and its document's date."""

    uri: str
    document_uri: str
    title: str  # Simplified
    body: str  # Simplified
    when: date | None = None  # the document's issued date, else its published date
    year: int | None = None  # the document's year


@dataclass(frozen=True, slots=True)
class Link:
    """A lineage link: ``older`` to ``newer`` when ``directed``, else an unordered pair."""

    older: str  # measure uri (undirected: the lexicographically smaller uri)
    newer: str
    score: float  # cosine similarity, rounded to 4 places
    evidence: tuple[str, ...]  # shared terms, most informative first
    directed: bool
    method: str


def features(words: Sequence[str]) -> Counter[str]:
    """The words, and each pair of consecutive words (``a·b``) counted ``PAIR_WEIGHT`` times."""
    counts = Counter(words)
    for a, b in itertools.pairwise(words):
        counts[a + PAIR_JOINER + b] += PAIR_WEIGHT
    return counts


def measure_terms(m: MeasureText, tokenize: Callable[[str], list[str]] | None = None) -> Counter[str]:
    """Feature frequencies of a measure: its body's, plus its title's ``TITLE_WEIGHT`` times."""
    if tokenize is None:
        from loaders.terms import terms as tokenize
    title, body = m.title.strip(), m.body.strip()
    counts = features(tokenize(body))
    if title and title != body and not body.startswith(title):
        for f, n in features(tokenize(title)).items():
            counts[f] += TITLE_WEIGHT * n
    return counts


def tfidf(bags: Sequence[Counter[str]]) -> tuple[list[Vector], Counter[str]]:
    """Unit-length TF-IDF vectors of the bags, and each feature's document frequency."""
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
    log_tf = [0.0] + [1.0 + math.log(k) for k in range(1, 64)]
    vectors = []
    for bag in bags:
        terms = list(bag)
        weights = [(log_tf[tf] if tf < 64 else 1.0 + math.log(tf)) * idf[t] for t, tf in bag.items()]
        norm = math.sqrt(sum(w * w for w in weights)) or 1.0
        vectors.append(dict(zip(terms, [w / norm for w in weights])))
    return vectors, df


def df_cap(n: int) -> int:
    """The highest document frequency of a term that may propose candidates among ``n`` measures."""
    return min(DF_CAP_CEILING, max(DF_CAP_FLOOR, math.ceil(DF_CAP_RATIO * n)))


def candidate_pairs(vectors: Sequence[Vector], groups: Sequence[str], df: Counter[str], *,
                    top_k: int = TOP_K, cap: int | None = None,
                    query_terms: int = QUERY_TERMS) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, worth scoring, found through an inverted index.

    Only features of document frequency at most ``cap`` are indexed.  Each
    measure queries the index with its ``query_terms`` heaviest indexed
    features, accumulates the shared weight ``w_i * w_j`` per measure of another
    group (document), and keeps the ``top_k`` measures with the most.  A pair is
    a candidate when either side kept the other.  Sorted; never all pairs.
    """
    cap = df_cap(len(vectors)) if cap is None else cap
    postings: dict[str, tuple[list[int], list[float]]] = {}
    queries: list[list[tuple[str, float]]] = []
    for i, v in enumerate(vectors):
        indexed = [(t, w) for t, w in v.items() if df[t] <= cap]
        for t, w in indexed:
            ids, weights = postings.setdefault(t, ([], []))
            ids.append(i)
            weights.append(w)
        indexed.sort(key=itemgetter(1), reverse=True)  # stable: ties keep the vector's order
        queries.append(indexed[:query_terms])
    group_ids = {g: n for n, g in enumerate(dict.fromkeys(groups))}
    group_of = [group_ids[g] for g in groups]
    pairs: set[tuple[int, int]] = set()
    for i, query in enumerate(queries):
        acc: defaultdict[int, float] = defaultdict(float)
        for t, w in query:
            ids, weights = postings[t]
            for j, wj in zip(ids, weights):
                acc[j] += w * wj
        own = group_of[i]
        others = [(j, s) for j, s in acc.items() if group_of[j] != own]
        pairs.update((i, j) if i < j else (j, i) for j, _ in heapq.nlargest(top_k, others, key=itemgetter(1)))
    return sorted(pairs)


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def evidence(a: Vector, b: Vector, limit: int = EVIDENCE_TERMS) -> tuple[str, ...]:
    """Shared terms by their share of the cosine, largest first (ties: by term)."""
    shared = sorted((-(w * b[t]), t) for t, w in a.items() if t in b)
    return tuple(t for _, t in shared[:limit])


def orient(a: MeasureText, b: MeasureText) -> tuple[MeasureText, MeasureText, bool]:
    """(older, newer, directed).  Directed when both dates are known and differ, or
    else both years are known and differ; otherwise (same day, same year without
    both dates, an undated side) undirected, ordered by uri."""
    if a.when is not None and b.when is not None:
        if a.when != b.when:
            return (a, b, True) if a.when < b.when else (b, a, True)
    elif a.year is not None and b.year is not None and a.year != b.year:
        return (a, b, True) if a.year < b.year else (b, a, True)
    return (a, b, False) if a.uri <= b.uri else (b, a, False)


def find_links(measures: Sequence[MeasureText], *, threshold: float = THRESHOLD, top_k: int = TOP_K,
               tokenize: Callable[[str], list[str]] | None = None) -> list[Link]:
    """Links between measures of different documents scoring at least ``threshold``,
    strongest first (ties: by uris).  ``tokenize`` defaults to :func:`loaders.terms.terms`."""
    bags = [measure_terms(m, tokenize) for m in measures]
    return links_from_bags(measures, bags, threshold=threshold, top_k=top_k)


def links_from_bags(measures: Sequence[MeasureText], bags: Sequence[Counter[str]], *,
                    threshold: float = THRESHOLD, top_k: int = TOP_K) -> list[Link]:
    """:func:`find_links` on measures already turned into term bags."""
    vectors, df = tfidf(bags)
    links = []
    for i, j in candidate_pairs(vectors, [m.document_uri for m in measures], df, top_k=top_k):
        score = round(cosine(vectors[i], vectors[j]), 4)
        if score >= threshold:
            older, newer, directed = orient(measures[i], measures[j])
            links.append(Link(older.uri, newer.uri, score, evidence(vectors[i], vectors[j]), directed, METHOD))
    links.sort(key=lambda link: (-link.score, link.older, link.newer))
    return links


def seed_measure_texts(base: str = "https://w3id.org/reformkg/id/") -> list[MeasureText]:
    """The measures of the bundled corpus, with the IRIs ``graph.build.build`` gives them."""
    from graph.build import build
    from loaders.parse import parse_file
    from reformkg.load import bundled_corpus

    out = []
    for path in bundled_corpus():
        g = build(parse_file(path), base)
        doc = next(n for n in g.nodes if n.label == "PolicyDocument")
        day = doc.props.get("issued") or doc.props.get("published")
        when = date.fromisoformat(day) if day else None
        out += [MeasureText(n.uri, doc.uri, n.props.get("title", ""), n.props.get("body", ""), when,
                            doc.props.get("year")) for n in g.nodes if n.label == "Measure"]
    return sorted(out, key=lambda m: m.uri)
