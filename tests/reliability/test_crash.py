"""The kill harness, short (the long run: ``python -m tests.reliability.harness --trials 200``).

Each trial SIGKILLs ``reformkg load`` (or the database server) at a random moment of a load of the
bundled corpus, checks that every document is whole or absent (no orphans, nothing dangling), then
runs the load again and compares the graph with a clean load.  See tests/reliability/harness.py.
"""

from __future__ import annotations

import os
import random

import pytest

from tests.reliability import harness

SEED = int(os.environ.get("REFORMKG_HARNESS_SEED") or random.SystemRandom().randrange(2**32))


@pytest.mark.parametrize(("mode", "trials"), [("load-kill", 5), ("server-kill", 3)])
def test_kill_trials(mode, trials, tmp_path):
    lines: list[str] = []
    result = harness.run(trials, mode, copies=0, seed=SEED, work=tmp_path, fresh_every=3, log=lines.append)
    bad = [t for t in result["trials"] if not t["ok"]]
    assert not bad, f"seed {SEED} (REFORMKG_HARNESS_SEED to replay):\n" + "\n".join(lines)
    assert result["summary"]["lost_after_success"] == 0


def test_check_catches_a_half_document(tmp_path):
    """The invariant check itself: a document with one measure missing is reported."""
    from tests.reliability.corpus import make_corpus

    files = make_corpus(tmp_path / "c", copies=0)
    exp = harness.expectations(files)
    doc = next(iter(exp.values()))
    nodes = [(("PolicyDocument",), doc.uri)] + [((label,), uri) for label, uri in doc.owned if uri != doc.uri]
    rels = sorted(doc.owned_rels | doc.shared_rels)
    ends = {u for _, s, e in rels for u in (s, e)} - {u for _, u in nodes}
    nodes += [(("Agency",), u) for u in ends]  # labels of the shared ends do not matter to the check
    props = {doc.uri: doc.content_hash, **dict(doc.titles)}
    whole = harness.Snapshot(nodes, rels, props)
    bad, per_version = harness.check(whole, [{doc.uri: doc}])
    assert not bad and per_version["0"] == 1
    measure = next(s for t, s, e in rels if t == "PART_OF")
    half = harness.Snapshot(nodes, [r for r in rels if not (r[0] == "PART_OF" and r[1] == measure)], props)
    bad, _ = harness.check(half, [{doc.uri: doc}])
    assert any("not whole" in b for b in bad) and any("orphan Measure" in b for b in bad)
