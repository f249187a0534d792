"""How the lineage linker scales: tokenisation and linking timed apart on a
synthetic corpus of N measures (default 100,000).

The corpus is made from the bundled seeds so that the term statistics are those
of real policy text: each synthetic measure takes the clauses of one seed
measure (about 70% of them, shuffled) and one to three clauses of other seed
measures, then swaps 30% of the words (title too) for words of a long tail: a
pool of 60,000 random two- to four-character words drawn by a Zipf law (and
told to jieba, so each stays one token), as the place, body and scheme names of
a national corpus would be.  Without the swap every seed phrase would recur in
N/234 measures, far more often than in real text.  Measures come 50 to a document,
documents get random dates (some undated).  Everything is seeded: the same N
and seed give the same corpus.

    python bench/linking_scale.py               # N=100000, 3 runs
    python bench/linking_scale.py -n 20000 --runs 5 --threshold 0.115

Prints the median wall time of each phase over the runs, the number of links
and candidate pairs, and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph import linking
from graph.linking import MeasureText
from loaders.terms import terms

# Common characters of Chinese policy text, for the long tail of new words.
_CHARS = ("华海港湾城新东西南北中山河湖江林金银宝龙凤兴盛昌隆泰安康宁和平丰源泉德信诚达通汇联合"
          "创智慧科技数云链网融贸商航运物流园谷岛桥路门")
_CLAUSE_END = frozenset("。;;,,")
REPLACE = 0.3  # share of a clause's words swapped for words of the long tail
TAIL_WORDS = 60_000


def _clauses(text: str) -> list[list[str]]:
    """The text as clauses of tokens (the project's spaCy/jieba tokenizer), punctuation kept."""
    from loaders.zones import pipeline

    clauses: list[list[str]] = [[]]
    for tok in pipeline().tokenizer(text):
        clauses[-1].append(tok.text)
        if tok.text in _CLAUSE_END:
            clauses.append([])
    return [c for c in clauses if c]


def _long_tail(rng: random.Random) -> tuple[list[str], list[float]]:
    """New words (registered with jieba, so each stays one token) and cumulative Zipf weights."""
    import jieba

    words = sorted({"".join(rng.choice(_CHARS) for _ in range(rng.choice((2, 3, 3, 4))))
                    for _ in range(TAIL_WORDS)})
    rng.shuffle(words)
    for w in words:
        jieba.add_word(w, freq=50)
    total, cum = 0.0, []
    for r in range(len(words)):
        total += 1.0 / (r + 1)
        cum.append(total)
    return words, cum


def synthetic_corpus(n: int, seed: int = 20240101) -> list[MeasureText]:
    """``n`` measures recombined from the seed measures (see the module docstring)."""
    rng = random.Random(seed)
    seeds = linking.seed_measure_texts()
    pools = [_clauses(m.body) for m in seeds]
    titles = [_clauses(m.title) for m in seeds]
    tail, cum = _long_tail(rng)

    def perturb(clauses: list[list[str]]) -> str:
        return "".join(rng.choices(tail, cum_weights=cum)[0] if len(t) > 1 and rng.random() < REPLACE else t
                       for c in clauses for t in c)

    out = []
    doc_dates: dict[int, date | None] = {}
    for k in range(n):
        doc = k // 50
        if doc not in doc_dates:
            doc_dates[doc] = None if rng.random() < 0.1 else date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
        base = rng.randrange(len(seeds))
        own = [c for c in pools[base] if rng.random() < 0.7] or pools[base][:1]
        rng.shuffle(own)
        extra = [rng.choice(pools[rng.randrange(len(seeds))]) for _ in range(rng.randint(1, 3))]
        when = doc_dates[doc]
        out.append(MeasureText(f"urn:bench:m{k}", f"urn:bench:d{doc}", perturb(titles[base]), perturb(own + extra),
                               when, when.year if when else None))
    return out


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=100_000, help="number of synthetic measures")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20240101)
    ap.add_argument("--threshold", type=float, default=linking.THRESHOLD)
    args = ap.parse_args()

    terms("预热")  # load spaCy and jieba outside the timings
    t0 = time.perf_counter()
    corpus = synthetic_corpus(args.n, args.seed)
    print(f"corpus: {len(corpus)} measures, {len({m.document_uri for m in corpus})} documents, "
          f"{sum(len(m.title) + len(m.body) for m in corpus) / len(corpus):.0f} characters each, "
          f"built in {time.perf_counter() - t0:.1f} s", flush=True)

    tok_times, link_times = [], []
    for run in range(args.runs):
        t = time.perf_counter()
        bags = [linking.measure_terms(m) for m in corpus]
        tok_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        links = linking.links_from_bags(corpus, bags, threshold=args.threshold)
        link_times.append(time.perf_counter() - t)
        print(f"run {run + 1}: terms {tok_times[-1]:.1f} s, find_links {link_times[-1]:.1f} s, "
              f"{len(links)} links", flush=True)

    vectors, df = linking.tfidf(bags)
    pairs = linking.candidate_pairs(vectors, [m.document_uri for m in corpus], df)
    n = len(corpus)
    print(f"median over {args.runs} runs: terms (tokenisation) {statistics.median(tok_times):.1f} s "
          f"({n / statistics.median(tok_times):.0f} measures/s); find_links on the bags "
          f"{statistics.median(link_times):.1f} s")
    print(f"candidate pairs scored: {len(pairs)} of {n * (n - 1) // 2} pairs "
          f"({len(pairs) / n:.1f} per measure); df cap {linking.df_cap(n)}; {len(links)} links at {args.threshold}")
    print(f"peak resident memory: {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
