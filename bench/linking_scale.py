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

With ``--corpus DIR`` the measures are instead those of a corpus written by
bench/corpus.py (parsed and built as a load would, outside the timings), and
the links are checked against its truth.json: precision and recall of the
links between measures the truth knows.

    python bench/linking_scale.py               # N=100000, 3 runs
    python bench/linking_scale.py -n 20000 --runs 5 --threshold 0.115
    python bench/linking_scale.py --corpus /tmp/sc/c100k --runs 1
    python bench/linking_scale.py --corpus /tmp/sc/c100k --runs 1 --no-corroboration   # links of method /1

Prints for each phase, tokenisation (:func:`graph.linking.measure_bags`) and
linking (:func:`graph.linking.links_from_bags`), the median wall time over the
runs and the CPU time of this process and of its worker processes (the wall time
says little on a shared machine; CPU time says how much work was done); the
number of links and candidate pairs; the peak resident memory of this process
and of its largest worker.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus as gen  # bench/corpus.py

from graph import linking
from graph.linking import MeasureText
from loaders.terms import terms, tokenizer

# Common characters of Chinese policy text, for the long tail of new words.
_CHARS = ("华海港湾城新东西南北中山河湖江林金银宝龙凤兴盛昌隆泰安康宁和平丰源泉德信诚达通汇联合"
          "创智慧科技数云链网融贸商航运物流园谷岛桥路门")
_CLAUSE_END = frozenset("。;;,,")
REPLACE = 0.3  # share of a clause's words swapped for words of the long tail
TAIL_WORDS = 60_000


def _clauses(text: str) -> list[list[str]]:
    """The text as clauses of jieba's words (the linker's tokenizer), punctuation kept.  The seed
    texts have no whitespace, so these are the tokens spaCy's zh tokenizer gave the first version."""
    clauses: list[list[str]] = [[]]
    for word in tokenizer().lcut(text):
        clauses[-1].append(word)
        if word in _CLAUSE_END:
            clauses.append([])
    return [c for c in clauses if c]


def _long_tail(rng: random.Random) -> tuple[list[str], list[float]]:
    """New words (registered with the linker's jieba tokenizer, so each stays one token) and
    cumulative Zipf weights."""
    words = sorted({"".join(rng.choice(_CHARS) for _ in range(rng.choice((2, 3, 3, 4))))
                    for _ in range(TAIL_WORDS)})
    rng.shuffle(words)
    for w in words:
        tokenizer().add_word(w, freq=50)
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


def _measures_of_file(path: Path) -> list[tuple[MeasureText, tuple[str, str]]]:
    """The measures of one corpus file as a load stores them, each with its (file, key) for the truth."""
    from graph.build import build
    from loaders.parse import parse_file

    g = build(parse_file(path), "https://w3id.org/reformkg/id/")
    doc = next(n for n in g.nodes if n.label == "PolicyDocument")
    day = doc.props.get("issued") or doc.props.get("published")
    when = date.fromisoformat(day) if day else None
    return [(MeasureText(n.uri, doc.uri, n.props.get("title", ""), n.props.get("body", ""), when,
                         doc.props.get("year")), (n.props["source_file"], n.props["key"]))
            for n in g.nodes if n.label == "Measure"]


def corpus_measures(directory: Path) -> tuple[list[MeasureText], dict[str, tuple[str, str]], dict]:
    """The measures of a bench/corpus.py directory (sorted by uri, as the lineage reads them),
    uri -> (file, key), and the truth."""
    truth = json.loads((directory / "truth.json").read_text(encoding="utf-8"))
    files = [directory / d["file"] for d in truth["documents"]]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        found = [item for items in pool.map(_measures_of_file, files, chunksize=8) for item in items]
    found.sort(key=lambda item: item[0].uri)
    return [m for m, _ in found], {m.uri: key for m, key in found}, truth


def precision_recall(links: list[linking.Link], key_of: dict[str, tuple[str, str]], truth: dict) -> str:
    true = gen.true_pairs(truth)
    found = {tuple(sorted((key_of[x.older], key_of[x.newer]))) for x in links}
    hits = len(found & true)
    return (f"precision {hits / len(found):.3f} ({hits} of {len(found)} links true), "
            f"recall {hits / len(true):.3f} (of {len(true)} true pairs)") if found and true else "no links"


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its finished worker processes."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, workers.ru_utime + workers.ru_stime


def _peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest worker process (kB on Linux)."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=100_000, help="number of synthetic measures")
    ap.add_argument("--corpus", type=Path, help="a bench/corpus.py directory instead of the synthetic measures")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20240101)
    ap.add_argument("--threshold", type=float, default=linking.THRESHOLD)
    ap.add_argument("--no-corroboration", action="store_true",
                    help="keep the links that graph.linking.corroborated would drop (the links of method /1)")
    args = ap.parse_args()

    terms("预热")  # load jieba and the stop words outside the timings
    t0 = time.perf_counter()
    if args.corpus:
        corpus, key_of, truth = corpus_measures(args.corpus)
    else:
        corpus, key_of, truth = synthetic_corpus(args.n, args.seed), {}, None
    print(f"corpus: {len(corpus)} measures, {len({m.document_uri for m in corpus})} documents, "
          f"{sum(len(m.title) + len(m.body) for m in corpus) / len(corpus):.0f} characters each, "
          f"built in {time.perf_counter() - t0:.1f} s", flush=True)

    tok_times, link_times, tok_cpu, link_cpu = [], [], [], []
    for run in range(args.runs):
        t, c = time.perf_counter(), _cpu()
        bags = linking.measure_bags(corpus)
        tok_times.append(time.perf_counter() - t)
        tok_cpu.append([b - a for a, b in zip(c, _cpu())])
        t, c = time.perf_counter(), _cpu()
        links = linking.links_from_bags(corpus, bags, threshold=args.threshold,
                                        corroborate=not args.no_corroboration)
        link_times.append(time.perf_counter() - t)
        link_cpu.append([b - a for a, b in zip(c, _cpu())])
        print(f"run {run + 1}: terms {tok_times[-1]:.1f} s (CPU {tok_cpu[-1][0]:.1f} s here + "
              f"{tok_cpu[-1][1]:.1f} s in workers), find_links {link_times[-1]:.1f} s (CPU {link_cpu[-1][0]:.1f} s + "
              f"{link_cpu[-1][1]:.1f} s), "
              f"{len(links)} links", flush=True)

    pairs = linking.candidate_pairs(linking.tfidf(bags), [m.document_uri for m in corpus])
    n = len(corpus)
    tok, link = statistics.median(tok_times), statistics.median(link_times)
    print(f"median over {args.runs} runs: terms (tokenisation) {tok:.1f} s ({n / tok:.0f} measures/s; CPU "
          f"{statistics.median(sum(c) for c in tok_cpu):.1f} s in all); find_links on the bags {link:.1f} s "
          f"(CPU {statistics.median(sum(c) for c in link_cpu):.1f} s); together {tok + link:.1f} s")
    print(f"candidate pairs scored: {len(pairs)} of {n * (n - 1) // 2} pairs "
          f"({len(pairs) / n:.1f} per measure); df cap {linking.df_cap(n)}; {len(links)} links at {args.threshold}"
          f"{' without' if args.no_corroboration else ', with'} corroboration")
    if truth:
        print(f"against the generator's truth: {precision_recall(links, key_of, truth)}")
    own, worker = _peak_mb()
    print(f"peak resident memory: {own:.0f} MB (largest worker process: {worker:.0f} MB)")


if __name__ == "__main__":
    main()
