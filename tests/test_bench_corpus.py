"""The synthetic benchmark corpus (bench/corpus.py): every genre parses with the project's
loaders into the planned number of measures, and the truth file is consistent."""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
from collections import Counter
from pathlib import Path

from loaders.parse import parse_bytes
from reformkg.model import Genre

ROOT = Path(__file__).resolve().parents[1]


def _corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_corpus"] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


GENRE_OF = {"opinions": Genre.OPINIONS, "action-plan": Genre.ACTION_PLAN, "replication-tab": Genre.REPLICATION_TABLE,
            "replication-pipe": Genre.REPLICATION_TABLE, "task-table": Genre.TASK_TABLE}


def test_every_genre_parses_into_the_planned_measures(tmp_path: Path) -> None:
    corpus = _corpus_module()
    truth = corpus.write_corpus(1500, tmp_path)
    docs = truth["documents"]
    assert len(docs) == 15 and sum(d["measures"] for d in docs) == 1500
    assert Counter(d["genre"] for d in docs) == {g: 3 for g in corpus.GENRES}
    assert any(d["traditional"] for d in docs) and {d["zone"] for d in docs} == set(corpus.ZONES)
    keys: set[tuple[str, str]] = set()
    for d in docs:
        doc = parse_bytes((tmp_path / d["file"]).read_bytes(), d["file"])
        assert doc.genre is GENRE_OF[d["genre"]], d["file"]
        assert len(doc.measures) == d["measures"], d["file"]
        assert not doc.warnings, doc.warnings
        assert doc.zone == d["zone"] or d["genre"] in ("opinions", "action-plan")
        assert (doc.script == "hant") == d["traditional"], d["file"]
        if d["genre"].startswith("replication"):
            assert all(m.scope for m in doc.measures)
        if d["genre"] == "task-table":
            assert all(m.deadline or m.status for m in doc.measures)
        assert (doc.year if d["genre"] == "task-table" else doc.issued) is not None, d["file"]
        if not d["genre"].startswith("replication"):  # a table's lead may be a collective (各企业)
            assert all(m.agencies for m in doc.measures), d["file"]
        keys |= {(d["file"], m.key) for m in doc.measures}
    # the truth names measures that exist, each once, in different documents
    occurrences = [tuple(o) for occ in truth["ideas"].values() for o in occ]
    assert len(occurrences) == len(set(occurrences)) and set(occurrences) <= keys
    assert all(len({f for f, _ in occ}) == len(occ) >= 2 for occ in truth["ideas"].values())
    pairs = corpus.true_pairs(truth)
    assert len(pairs) == truth["true_pairs"] > 0
    assert 0.4 <= len(occurrences) / 1500 <= 0.6
    assert json.loads((tmp_path / "truth.json").read_text(encoding="utf-8")) == truth


def test_the_corpus_is_reproducible(tmp_path: Path) -> None:
    corpus = _corpus_module()
    a = [(d.file, d.text) for d in corpus.generate(300, seed=7)]
    b = [(d.file, d.text) for d in corpus.generate(300, seed=7)]
    c = [(d.file, d.text) for d in corpus.generate(300, seed=8)]
    assert a == b and a != c
    assert len(a) == 5 and all(x != y for (_, x), (_, y) in itertools.combinations(a, 2))
