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
   as evidence, if they are corroborated (:func:`corroborated`): a link that
   rests on one shared word pair alone needs that pair to be a fixed phrase of
   the corpus, not two common words that happen to stand side by side (which
   they do in more and more measures as the corpus grows).
5. Direction comes from the documents' dates (:func:`orient`), never guessed.

At 100,000 measures the work is laid out for speed, with the same result to the
last bit: features are numbered (:class:`Bags`, :class:`Vectors`: flat arrays),
every distinct text is tokenised once, the candidate search is vectorised with
numpy, summing in the order the plain loops would, and tokenising, the candidate
search and the cosines are split over two forked worker processes when the
measures are many (``processes``).  :func:`measure_terms` and :func:`cosine`
state the definitions; tests check the fast paths against them.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import operator
import os
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import numpy as np

METHOD = "tfidf-cosine-jieba-wordpairs/2"

# Chosen on the labelled sample tests/data/linking_sample.tsv: the lowest
# threshold at which the links emitted on the bundled corpus have a precision
# of at least 0.9 (see the table in docs/linking.md).
THRESHOLD = 0.115

# Corroboration (see _corroborated): a link needs this much of its cosine from features other than its
# strongest shared word pair and that pair's two words ...
CORROBORATION = 0.01
# ... unless that word pair is a fixed phrase: found in at least this share of the measures that have
# the rarer of its two words.
COLLOCATION = 0.1

TOP_K = 10  # candidates kept per measure
TITLE_WEIGHT = 2  # a title feature counts this many times more (titles name the reform)
PAIR_WEIGHT = 2  # a pair of consecutive words counts this many times
PAIR_JOINER = "·"
EVIDENCE_TERMS = 8
QUERY_TERMS = 12  # a measure looks up its 12 heaviest indexed features
DF_CAP_RATIO = 0.05  # a feature in more than 5% of the measures ...
DF_CAP_FLOOR = 10  # ... (and in more than 10) is not indexed,
DF_CAP_CEILING = 1000  # ... nor is any feature in more than 1000 measures

PARALLEL_FROM_CHARS = 200_000  # characters to tokenise from which worker processes pay (~2,000 measures)
PARALLEL_FROM_MEASURES = 20_000  # measures to link from which worker processes pay
MAX_PROCESSES = 2
CHUNKS_PER_PROCESS = 2  # more chunks balance a busy core better, fewer cut more recurring text once
ACCUMULATE_BLOCK = 1_000_000  # postings walked per vectorised block of the candidate search
SCORE_CHUNK = 50_000  # candidate pairs scored per piece of work


@dataclass(frozen=True, slots=True)
class MeasureText:
    """What the linker needs of a measure: its text and its document's date."""

    uri: str
    document_uri: str
    title: str  # Simplified
    body: str  # Simplified
    when: date | None = None  # the document's issued date, else its published date
    year: int | None = None  # the document's year
    terms: str | None = None  # its words as stored at load time (:func:`link_terms`); None: tokenise the text


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


def _title_counts(m: MeasureText) -> bool:
    """Whether the title adds features: it is there and is not simply (the start of) the body."""
    title, body = m.title.strip(), m.body.strip()
    return bool(title) and title != body and not body.startswith(title)


def measure_terms(m: MeasureText, tokenize: Callable[[str], list[str]] | None = None) -> Counter[str]:
    """Feature frequencies of a measure: its body's, plus its title's ``TITLE_WEIGHT`` times.

    The definition; :func:`measure_bags` computes the same for many measures at once."""
    if tokenize is None:
        from loaders.terms import terms as tokenize
    counts = features(tokenize(m.body.strip()))
    if _title_counts(m):
        for f, n in features(tokenize(m.title.strip())).items():
            counts[f] += TITLE_WEIGHT * n
    return counts


# A measure's stored words (the node property ``link_terms``): the body's words separated by spaces, then,
# when the title adds features (:func:`_title_counts`), this separator and the title's words.  Words are
# runs of jieba's characters (loaders/terms.py ``_RUNS``): never a space or this separator.
TITLE_SEPARATOR = "|"


def link_terms(title: str | None, body: str | None) -> str:
    """The words the linker reads from a measure, computed once when the measure is loaded (in the parse
    workers, alongside the writes), so that the lineage refresh after a load tokenises nothing."""
    m = MeasureText("", "", title or "", body or "")
    from loaders.terms import cached_terms

    stored = " ".join(cached_terms(m.body.strip()))
    if _title_counts(m):
        stored += TITLE_SEPARATOR + " ".join(cached_terms(m.title.strip()))
    return stored


def _stored_words(stored: str) -> tuple[list[str], list[str] | None]:
    """(body words, title words or None) of a :func:`link_terms` string."""
    body, separator, title = stored.partition(TITLE_SEPARATOR)
    return body.split(), (title.split() if separator else None)


@dataclass(frozen=True, slots=True, eq=False)
class Bags:
    """:func:`measure_terms` of measures, each feature interned as an int (``names[f]`` is feature
    ``f``): measure ``i`` has the features ``fids[offsets[i]:offsets[i + 1]]``, in the order of its
    Counter, with their frequencies ``counts`` alongside.  Flat arrays: 100,000 Counters of
    strings took gigabytes."""

    names: list[str]
    fids: np.ndarray  # int32
    counts: np.ndarray  # int32
    offsets: np.ndarray  # int64, one more than the measures

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def counter(self, i: int) -> Counter[str]:
        """Measure ``i``'s bag as :func:`measure_terms` returns it."""
        s, e = self.offsets[i], self.offsets[i + 1]
        return Counter(dict(zip([self.names[f] for f in self.fids[s:e].tolist()], self.counts[s:e].tolist())))


def measure_bags(measures: Sequence[MeasureText], tokenize: Callable[[str], list[str]] | None = None,
                 processes: int | None = None) -> Bags:
    """:func:`measure_terms` of every measure, as :class:`Bags`.

    jieba's cut is most of the work, and pure Python: with the default tokenizer the measures are
    tokenised in chunks by ``processes`` forked worker processes (by default two when there are
    many measures and two cores), each chunk's features numbered on their own (:func:`_local_bags`)
    and renumbered here.
    """
    if processes is None:
        processes = _processes(sum(len(m.body) + len(m.title) for m in measures), PARALLEL_FROM_CHARS)
    if tokenize is None and processes > 1 and measures:
        if any(m.terms is None for m in measures):
            from loaders.terms import stop_words, tokenizer

            tokenizer(), stop_words()  # loaded here, so that the forked workers start with them
        size = -(-len(measures) // (CHUNKS_PER_PROCESS * processes))
        chunks = [measures[k:k + size] for k in range(0, len(measures), size)]
        parts: Iterable[_LocalBags] = _forked_map(_local_bags, chunks, processes)
    else:
        parts = [_local_bags(tokenize, measures)]
    index: dict[str, int] = {}
    fids, counts, offsets = [], [], [np.zeros(1, dtype=np.int64)]
    for names, local_fids, local_counts, lengths in parts:
        to_global = np.array([index.setdefault(f, len(index)) for f in names], dtype=np.int32)
        fids.append(to_global[np.frombuffer(local_fids, dtype=np.int32)])
        counts.append(np.frombuffer(local_counts, dtype=np.int32))
        offsets.append(offsets[-1][-1] + np.cumsum(np.frombuffer(lengths, dtype=np.int64)))
    return Bags(list(index), np.concatenate(fids), np.concatenate(counts), np.concatenate(offsets))


# A chunk's bags: feature names (in order of first use), then as arrays: features by their number
# in those names, frequencies, and the number of features of each measure.
_LocalBags = tuple[list[str], array, array, array]


def _local_bags(tokenize: Callable[[str], list[str]] | None, measures: Sequence[MeasureText]) -> _LocalBags:
    """:func:`measure_terms` of the measures, features numbered in order of first use.

    Each distinct text is tokenised once (titles and clauses recur); the features of a text that
    recurs are kept for its next use, those of the others dropped as soon as they are counted.
    A measure with stored words (``terms``, :func:`link_terms`) is not tokenised: its words are read
    (without a ``tokenize`` of the caller's own, which then applies to every measure).
    """
    texts: list[tuple[str | tuple[str, ...], str | tuple[str, ...] | None]] = []
    for m in measures:
        if m.terms is not None and tokenize is None:  # words as keys: tuples, never equal to a text
            body_words, title_words = _stored_words(m.terms)
            texts.append((tuple(body_words), tuple(title_words) if title_words is not None else None))
        else:
            texts.append((m.body.strip(), m.title.strip() if _title_counts(m) else None))
    uses = Counter(t for pair in texts for t in pair if t is not None)
    to_cut = [t for t in uses if isinstance(t, str)]
    if not to_cut:
        cut: Iterator[list[str]] = iter(())
    elif tokenize is None:
        from loaders.terms import iter_terms

        cut = iter_terms(to_cut)
    else:
        cut = map(tokenize, to_cut)
    words = (list(t) if isinstance(t, tuple) else next(cut) for t in uses)
    # texts are asked for below in the order of their first use, the order of `uses`
    index: dict[str, int] = {}
    memo: dict[str, tuple[list[int], list[int]]] = {}

    def counted(text: str | tuple[str, ...]) -> tuple[list[int], list[int]]:
        """The numbered features of ``text`` and their frequencies, in the order of :func:`features`."""
        if text in memo:
            return memo[text]
        bag = features(next(words))
        numbered = [index.setdefault(f, len(index)) for f in bag], list(bag.values())
        if uses[text] > 1:
            memo[text] = numbered
        return numbered

    fids, freqs, lengths = array("i"), array("i"), array("q")
    for body, title in texts:
        ids, counts = counted(body)
        if title is not None:
            bag = dict(zip(ids, counts))
            for fid, n in zip(*counted(title)):
                bag[fid] = bag.get(fid, 0) + TITLE_WEIGHT * n
            ids, counts = bag.keys(), bag.values()
        fids.extend(ids)
        freqs.extend(counts)
        lengths.append(len(ids))
    return list(index), fids, freqs, lengths


def _forked_map(fn: Callable, items: list, processes: int, shared: object = None) -> Iterator:
    """``fn(shared, item)`` for each item, over forked worker processes; results in order as they come.

    Fork, as reformkg.load does for parsing: the workers start with what this process has loaded,
    and ``shared``, however large, reaches them through the fork instead of being pickled; only
    items and results are.
    """
    with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork"),
                             initializer=_inherit, initargs=(shared,)) as pool:
        yield from pool.map(_call_with_inherited, itertools.repeat(fn), items)


_inherited: object = None  # in a worker process of _forked_map: its `shared`


def _inherit(shared: object) -> None:
    global _inherited
    _inherited = shared


def _call_with_inherited(fn: Callable, item: object) -> object:
    return fn(_inherited, item)


@dataclass(frozen=True, slots=True, eq=False)
class Vectors:
    """Unit-length TF-IDF vectors, laid out as :class:`Bags` (``weights`` where it has ``counts``),
    and each feature's document frequency ``df``."""

    names: list[str]
    fids: np.ndarray
    weights: np.ndarray  # float64
    offsets: np.ndarray
    df: np.ndarray  # int64, by feature
    # views for cutting out one vector cheaply: hundreds of thousands of cosines each take two
    _fids: memoryview = field(init=False, repr=False)
    _weights: memoryview = field(init=False, repr=False)
    _bounds: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_fids", memoryview(self.fids))
        object.__setattr__(self, "_weights", memoryview(self.weights))
        object.__setattr__(self, "_bounds", self.offsets.tolist())

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def vector(self, i: int) -> tuple[memoryview, memoryview]:
        """Measure ``i``'s features and weights, in the order of its bag."""
        s, e = self._bounds[i], self._bounds[i + 1]
        return self._fids[s:e], self._weights[s:e]

    def length(self, i: int) -> int:
        """How many features measure ``i`` has."""
        return self._bounds[i + 1] - self._bounds[i]

    def weight_of(self, i: int) -> Callable[[int, float], float]:
        """Feature -> its weight in measure ``i`` (``dict.get``: the default where it has none)."""
        return dict(zip(*self.vector(i))).get

    def as_dict(self, i: int) -> dict[str, float]:
        """Measure ``i``'s vector by feature name."""
        fids, weights = self.vector(i)
        return dict(zip([self.names[f] for f in fids], weights))


def tfidf(bags: Bags) -> Vectors:
    """Unit-length TF-IDF vectors of the bags: ``(1 + ln tf) * idf``, ``idf = ln((1 + n) / (1 + df)) + 1``.

    Every number is computed with the same operations in the same order as the plain per-measure
    Python of this formula (logarithms and sums by ``math``, a norm summed feature by feature in the
    bag's order), so the scores do not change in the last bit with the layout.
    """
    n = len(bags)
    df = np.bincount(bags.fids, minlength=len(bags.names))
    dfs, by_df = np.unique(df, return_inverse=True)
    idf = np.array([math.log((1 + n) / (1 + d)) + 1.0 for d in dfs.tolist()])[by_df]
    log_tf = np.array([0.0] + [1.0 + math.log(k) for k in range(1, int(bags.counts.max(initial=0)) + 1)])
    weights = log_tf[bags.counts] * idf[bags.fids]
    squares = weights * weights
    norms = [math.sqrt(sum(squares[s:e].tolist())) or 1.0 for s, e in itertools.pairwise(bags.offsets.tolist())]
    weights /= np.repeat(np.array(norms), np.diff(bags.offsets))
    return Vectors(bags.names, bags.fids, weights, bags.offsets, df)


def df_cap(n: int) -> int:
    """The highest document frequency of a term that may propose candidates among ``n`` measures."""
    return min(DF_CAP_CEILING, max(DF_CAP_FLOOR, math.ceil(DF_CAP_RATIO * n)))


def _queries(v: Vectors, cap: int, query_terms: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(measure, feature, weight) of each measure's ``query_terms`` heaviest indexed features,
    measure by measure, heaviest first (ties: in the vector's order)."""
    rows = np.repeat(np.arange(len(v)), np.diff(v.offsets))
    at = np.flatnonzero(v.df[v.fids] <= cap)
    at = at[np.lexsort((-v.weights[at], rows[at]))]  # by measure, weight down (stable: then position)
    qrows = rows[at]
    first = np.searchsorted(qrows, qrows, side="left")  # where each measure's run starts
    at = at[np.arange(len(at)) - first < query_terms]
    return rows[at], v.fids[at], v.weights[at]


@dataclass(frozen=True, slots=True, eq=False)
class _Index:
    """The inverted index and the queries of the candidate search (see :func:`_candidates`)."""

    n: int
    top_k: int
    qrows: np.ndarray  # query entries, measure by measure, heaviest first: the measure,
    qfids: np.ndarray  # ... the feature
    qweights: np.ndarray  # ... and its weight
    post_start: np.ndarray  # feature -> where its postings start (and end, at feature + 1)
    post_rows: np.ndarray  # postings: measures (ascending for each feature)
    post_weights: np.ndarray  # ... and the feature's weight in them
    group: np.ndarray  # measure -> number of its group (document)


def _candidates(v: Vectors, groups: Sequence[str], *, top_k: int = TOP_K, cap: int | None = None,
                query_terms: int = QUERY_TERMS, processes: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of :func:`candidate_pairs`, as two arrays ``i`` and ``j``, found through an inverted index.

    Only features of document frequency at most ``cap`` are indexed.  Each
    measure queries the index with its ``query_terms`` heaviest indexed
    features, accumulates the shared weight ``w_i * w_j`` per measure of another
    group (document), and keeps the ``top_k`` measures with the most (ties: the
    measure met first).  A pair is a candidate when either side kept the other.
    Sorted by ``(i, j)``; never all pairs.

    Vectorised over blocks of measures (:func:`_block_pairs`, in ``processes``
    forked worker processes); the sums are taken in the same order as a loop
    over the query features and their postings would take them.
    """
    n = len(v)
    cap = df_cap(n) if cap is None else cap
    qrows, qfids, qweights = _queries(v, cap, query_terms)
    # the postings of the features some measure queries: feature -> measures (ascending), weights
    queried = np.zeros(len(v.names), dtype=bool)
    queried[qfids] = True
    rows = np.repeat(np.arange(n), np.diff(v.offsets))
    at = np.flatnonzero(queried[v.fids] & (v.df[v.fids] <= cap))
    at = at[np.argsort(v.fids[at], kind="stable")]
    post_start = np.zeros(len(v.names) + 1, dtype=np.int64)
    np.cumsum(np.bincount(v.fids[at], minlength=len(v.names)), out=post_start[1:])
    group_ids = {g: k for k, g in enumerate(dict.fromkeys(groups))}
    index = _Index(n, top_k, qrows, qfids, qweights, post_start, rows[at], v.weights[at],
                   np.array([group_ids[g] for g in groups], dtype=np.int64))
    walks = post_start[qfids + 1] - post_start[qfids]
    size = max(1, min(ACCUMULATE_BLOCK, int(walks.sum()) // (2 * processes)))  # at least two blocks per process
    blocks = list(_blocks(qrows, walks, size))
    if processes > 1 and len(blocks) > 1:
        kept = list(_forked_map(_block_pairs, blocks, processes, shared=index))
    else:
        kept = [_block_pairs(index, block) for block in blocks]
    pairs = np.unique(np.concatenate(kept)) if kept else np.zeros(0, dtype=np.int64)
    return pairs // n, pairs % n


def _block_pairs(index: _Index, block: tuple[int, int]) -> np.ndarray:
    """The candidate pairs ``i * n + j`` (``i < j``) that the query entries ``block`` keep."""
    x, n, (lo, hi) = index, index.n, block
    q_len = x.post_start[x.qfids[lo:hi] + 1] - x.post_start[x.qfids[lo:hi]]
    q = np.repeat(np.arange(lo, hi), q_len)  # query entry of each (query feature, posting) step
    step = np.arange(len(q)) - np.repeat(np.cumsum(q_len) - q_len, q_len)
    post = x.post_start[x.qfids[q]] + step
    i, j = x.qrows[q], x.post_rows[post]
    other = x.group[i] != x.group[j]
    i, j, shared = i[other], j[other], x.qweights[q[other]] * x.post_weights[post[other]]
    keys, first, inverse = np.unique(i * n + j, return_index=True, return_inverse=True)
    sums = np.bincount(inverse, weights=shared, minlength=len(keys))  # in order, like acc[j] += w * wj
    ki, kj = keys // n, keys % n
    order = _top_first(ki, sums, first)
    ki, kj = ki[order], kj[order]
    best = np.arange(len(ki)) - np.searchsorted(ki, ki, side="left") < x.top_k  # rank within measure
    return np.minimum(ki[best], kj[best]) * n + np.maximum(ki[best], kj[best])


def candidate_pairs(v: Vectors, groups: Sequence[str], *, top_k: int = TOP_K, cap: int | None = None,
                    query_terms: int = QUERY_TERMS) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, worth scoring, found through an inverted index (sorted;
    see :func:`_candidates`)."""
    i, j = _candidates(v, groups, top_k=top_k, cap=cap, query_terms=query_terms)
    return list(zip(i.tolist(), j.tolist()))


def _top_first(rows: np.ndarray, sums: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The order: by row (``rows`` ascending), then most shared weight, then met first (``first``,
    all different): ``np.lexsort((first, -sums, rows))``.  Computed as one sort of the three packed
    in an integer, the sums by rank: a third less time on millions of pairs."""
    levels, level = np.unique(sums, return_inverse=True)
    row = rows - rows[0] if len(rows) else rows
    bits_first, bits_level = int(first.max(initial=0)).bit_length(), len(levels).bit_length()
    if int(row.max(initial=0)).bit_length() + bits_level + bits_first > 62:
        return np.lexsort((first, -sums, rows))
    return np.argsort((row << (bits_level + bits_first)) | ((len(levels) - 1 - level) << bits_first) | first)


def _blocks(qrows: np.ndarray, lengths: np.ndarray, size: int) -> Iterator[tuple[int, int]]:
    """Ranges of query entries, cut between measures, of about ``size`` postings each."""
    if not len(qrows):
        return
    cuts = np.append(np.flatnonzero(np.diff(qrows)) + 1, len(qrows))  # where a measure's queries end
    walked = np.cumsum(lengths)[cuts - 1]  # postings walked up to each cut
    lo, done = 0, 0
    while lo < len(qrows):
        k = min(int(np.searchsorted(walked, done + size)), len(cuts) - 1)
        hi = int(cuts[k])
        yield lo, hi
        lo, done = hi, walked[k]


def _dot(v: Vectors, run_over: int, weight_in: Callable[[int, float], float]) -> tuple[float, memoryview, list[float]]:
    """Sum of the products of measure ``run_over``'s weights with ``weight_in`` (the other measure's
    ``weight_of``), in ``run_over``'s order; with its features and the products, 0.0 where the other
    measure lacks the feature (such a 0.0 leaves the sum as it is)."""
    fids, weights = v.vector(run_over)
    products = list(map(operator.mul, weights, map(weight_in, fids, itertools.repeat(0.0))))
    return sum(products), fids, products


def cosine(v: Vectors, i: int, j: int) -> float:
    """The cosine of measures ``i`` and ``j``: the products of the shared weights, summed in the order
    of the shorter vector (``i``'s when they are as long), the other one looked up."""
    run_over, looked_up = (j, i) if v.length(i) > v.length(j) else (i, j)
    return _dot(v, run_over, v.weight_of(looked_up))[0]


def _evidence(names: list[str], fids: memoryview, products: list[float], limit: int) -> tuple[str, ...]:
    shared = sorted((-p, names[f]) for f, p in zip(fids, products) if p)
    return tuple(t for _, t in shared[:limit])


def evidence(v: Vectors, i: int, j: int, limit: int = EVIDENCE_TERMS) -> tuple[str, ...]:
    """Shared terms by their share of the cosine, largest first (ties: by term)."""
    return _evidence(v.names, *_dot(v, i, v.weight_of(j))[1:], limit)


def _corroborated(v: Vectors, fids: memoryview, products: list[float], score: float) -> bool:
    """Whether a pair whose shared features ``fids`` give the cosine ``products`` (summing to ``score``)
    is corroborated: see :func:`corroborated`."""
    shared = {v.names[f]: (f, p) for f, p in zip(fids, products) if p}
    best, best_name, phrase = 0.0, "", None
    for name, (f, p) in shared.items():
        first, joiner, second = name.partition(PAIR_JOINER)  # jieba never puts the joiner inside a word
        if joiner and first in shared and second in shared:
            share = p + sum(shared[word][1] for word in {first, second})  # 资料·资料: its word once
            if share > best or (share == best and name < best_name):
                best, best_name, phrase = share, name, (f, shared[first][0], shared[second][0])
    if phrase is None or score - best >= CORROBORATION:
        return True
    pair, first, second = phrase
    return bool(v.df[pair] >= COLLOCATION * min(v.df[first], v.df[second]))


def corroborated(v: Vectors, i: int, j: int) -> bool:
    """Whether the likeness of measures ``i`` and ``j`` rests on more than a chance phrase.

    Take the shared word pair that adds most to the cosine together with its two words.  The link is
    corroborated when the rest of what the two share adds at least ``CORROBORATION`` to the cosine,
    or when that word pair is a fixed phrase of the corpus: it is in at least ``COLLOCATION`` of the
    measures that have the rarer of its two words (among the seeds 电子·营业执照 is in 4 of the 6
    measures with 营业执照, 联动·发展 in 3 of the 14 with 联动).  Two words that each turn up in a
    share of the measures stand side by side somewhere by chance in more measures as the corpus
    grows: such a pair stays rare, so it weighs much, but it is a small share of its words' measures,
    smaller the larger the corpus.  A link without any shared word pair is corroborated.
    The definition; :func:`find_links` checks its links the same way as it scores them."""
    score, fids, products = _dot(v, i, v.weight_of(j))
    return _corroborated(v, fids, products, score)


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
               tokenize: Callable[[str], list[str]] | None = None, processes: int | None = None,
               corroborate: bool = True) -> list[Link]:
    """Links between measures of different documents scoring at least ``threshold`` and
    :func:`corroborated` (unless ``corroborate`` is false), strongest first (ties: by uris).
    ``tokenize`` defaults to :func:`loaders.terms.terms`.

    ``processes``: how many forked worker processes share the work (the result is the same);
    by default two when the measures are many and two cores are there, else none."""
    bags = measure_bags(measures, tokenize, processes)
    return _links(measures, tfidf(bags), threshold, top_k, processes, corroborate)


def links_from_bags(measures: Sequence[MeasureText], bags: Bags, *, threshold: float = THRESHOLD,
                    top_k: int = TOP_K, processes: int | None = None, corroborate: bool = True) -> list[Link]:
    """:func:`find_links` on measures already turned into :func:`measure_bags`."""
    return _links(measures, tfidf(bags), threshold, top_k, processes, corroborate)


def _processes(work: int, enough: int) -> int:
    """Worker processes for ``work``: two (or fewer cores) when it is at least ``enough``, else one."""
    return min(os.cpu_count() or 1, MAX_PROCESSES) if work >= enough else 1


def _links(measures: Sequence[MeasureText], vectors: Vectors, threshold: float, top_k: int,
           processes: int | None, corroborate: bool = True) -> list[Link]:
    """The links: candidates, then their cosines, each over ``processes`` worker processes."""
    processes = _processes(len(measures), PARALLEL_FROM_MEASURES) if processes is None else processes
    pi, pj = _candidates(vectors, [m.document_uri for m in measures], top_k=top_k, processes=processes)
    # As cosine() does: over the shorter vector, the other looked up; grouped by the one looked up,
    # so that its dict of weights is built once.
    lengths = np.diff(vectors.offsets)
    i_longer = lengths[pi] > lengths[pj]
    looked_up = np.where(i_longer, pi, pj)
    order = np.argsort(looked_up, kind="stable")
    pairs = _Pairs(vectors, pi[order], pj[order], looked_up[order], np.where(i_longer, pj, pi)[order], threshold,
                   corroborate)
    size = max(1, min(SCORE_CHUNK, -(-len(order) // (2 * processes))))  # at least two pieces per process
    spans = [(k, min(k + size, len(order))) for k in range(0, len(order), size)]
    if processes > 1 and len(spans) > 1:
        scored = itertools.chain.from_iterable(_forked_map(_scored, spans, processes, shared=pairs))
    else:
        scored = itertools.chain.from_iterable(_scored(pairs, span) for span in spans)
    links = []
    for i, j, score, shared in scored:
        older, newer, directed = orient(measures[i], measures[j])
        links.append(Link(older.uri, newer.uri, score, shared, directed, METHOD))
    links.sort(key=lambda link: (-link.score, link.older, link.newer))
    return links


@dataclass(frozen=True, slots=True, eq=False)
class _Pairs:
    """Candidate pairs to score: ``i``, ``j``, the measure whose weights are looked up and the one
    run over (see :func:`cosine`), grouped by the one looked up."""

    vectors: Vectors
    i: np.ndarray
    j: np.ndarray
    looked_up: np.ndarray
    run_over: np.ndarray
    threshold: float
    corroborate: bool  # keep only the corroborated pairs


def _scored(pairs: _Pairs, span: tuple[int, int]) -> list[tuple[int, int, float, tuple[str, ...]]]:
    """(i, j, score, evidence) of the pairs ``span`` that score at least the threshold (and are corroborated)."""
    v, (start, stop) = pairs.vectors, span
    out = []
    current, weight_in = -1, None
    for i, j, look, run in zip(*(a[start:stop].tolist() for a in (pairs.i, pairs.j, pairs.looked_up, pairs.run_over))):
        if look != current:
            current, weight_in = look, v.weight_of(look)
        cos, fids, products = _dot(v, run, weight_in)
        score = round(cos, 4)
        if score >= pairs.threshold and (not pairs.corroborate or _corroborated(v, fids, products, cos)):
            out.append((i, j, score, _evidence(v.names, fids, products, EVIDENCE_TERMS)))
    return out


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
