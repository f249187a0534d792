"""Kill harness: SIGKILL ``reformkg load`` (or the database server) at a random moment, again
and again, and check after every trial that the graph is consistent and that the next load
repairs it to exactly what a clean load gives.

    python -m tests.reliability.harness --trials 200 --mode load-kill --out load-kill.json
    python -m tests.reliability.harness --trials 50 --mode server-kill --out server-kill.json

Corpus: the bundled five documents plus ``--copies`` copies of each with another number or title
(15 documents by default), in two versions A and B (tests/reliability/corpus.py): B replaces every
document of A (same numbers and file names, one measure title changed, one Qianhai row removed).

Trials: every ``--fresh-every``-th trial loads into a new, empty data directory ("fresh"); the
others load into one persistent data directory that holds the other version whole ("replace": a
crash while replacing A by B, or B by A).  The kill comes after a delay drawn uniformly from
[0, T], T the time a whole load took in the calibration.

Invariants checked after the kill (on the graph as the restarted server has it):

- every document in the graph is whole: its owned nodes (document, measures, targets) and the
  relationships leaving them are exactly those of one version's parse + build payload, and the
  payload's relationships between shared nodes are all there; a replaced document is whole in
  its old or its new version, a fresh one in its only version;
- no document that is not in the corpus; no node without an IRI, no IRI twice;
- no orphans: no measure without its document, no target without its measure or document, no
  Category / Batch / Agency without any relationship;
- no dangling relationship (both ends exist and have an IRI);
- server-kill after ``load`` reported success: the graph equals the clean reference (nothing lost).

Then ``reformkg load`` runs again to completion and the graph must equal a clean load of the same
version: the same (label, IRI) nodes and the same (type, start IRI, end IRI) relationships,
derived lineage included.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from graph.build import build
from graph.cypher import DERIVED_REL_TYPES
from graph.falkor import FalkorBackend
from graph.server import EmbeddedFalkor
from loaders.parse import parse_file
from tests.reliability.corpus import make_corpus

REFORMKG = str(Path(sys.executable).with_name("reformkg"))
GRAPH = "reformkg"
CHECKED_ORPHAN_LABELS = ("Category", "Batch", "Agency")


# ------------------------------------------------------------------ expectations from the parse


@dataclass
class DocExpect:
    uri: str
    owned: frozenset[tuple[str, str]]  # (label, uri)
    owned_rels: frozenset[tuple[str, str, str]]  # (type, start, end), start owned
    shared_rels: frozenset[tuple[str, str, str]]  # between nodes the document does not own
    measures: int
    content_hash: str
    titles: frozenset[tuple[str, str]]  # (measure uri, title): tells the versions apart


def expectations(files: list[Path]) -> dict[str, DocExpect]:
    out = {}
    for f in files:
        doc = parse_file(f)
        g = build(doc)
        owned = frozenset((n.label, n.uri) for n in g.nodes if n.owned)
        owned_uris = {u for _, u in owned}
        rels = {(r.type, r.start, r.end) for r in g.rels}
        out[g.document_uri] = DocExpect(
            g.document_uri, owned,
            frozenset(r for r in rels if r[1] in owned_uris),
            frozenset(r for r in rels if r[1] not in owned_uris and r[2] not in owned_uris),
            len(doc.measures), g.content_hash,
            frozenset((n.uri, n.props.get("title")) for n in g.nodes if n.label == "Measure"))
    return out


# ------------------------------------------------------------------ the graph as it is


@dataclass
class Snapshot:
    nodes: list[tuple[tuple[str, ...], str | None]]
    rels: list[tuple[str, str | None, str | None]]
    props: dict[str, str | None] = field(default_factory=dict)  # document: content_hash, measure: title

    def node_set(self) -> set[tuple[str, str | None]]:
        return {(labels[0] if labels else "", uri) for labels, uri in self.nodes}

    def rel_set(self) -> set[tuple[str, str | None, str | None]]:
        return set(self.rels)

    def counts(self) -> dict[str, dict[str, int]]:
        return {"nodes": dict(Counter(labels[0] if labels else "" for labels, _ in self.nodes)),
                "relationships": dict(Counter(t for t, _, _ in self.rels))}


def snapshot(store: FalkorBackend) -> Snapshot:
    nodes = store.run_read("MATCH (n) RETURN labels(n) AS labels, n.uri AS uri")
    rels = store.run_read("MATCH (a)-[r]->(b) RETURN type(r) AS t, a.uri AS s, b.uri AS e")
    props = store.run_read("MATCH (d:PolicyDocument) RETURN d.uri AS uri, d.content_hash AS v "
                           "UNION ALL MATCH (m:Measure) RETURN m.uri AS uri, m.title AS v")
    return Snapshot([(tuple(r["labels"]), r["uri"]) for r in nodes], [(r["t"], r["s"], r["e"]) for r in rels],
                    {r["uri"]: r["v"] for r in props})


def open_store(home: Path) -> FalkorBackend:
    server = EmbeddedFalkor(home / "falkordb").start()  # reuses a running server, restarts a killed one
    return FalkorBackend(server.socket_path, GRAPH, server=server)


def read_graph(home: Path) -> Snapshot:
    store = open_store(home)
    try:
        return snapshot(store)
    finally:
        store.close()


def check(snap: Snapshot, allowed: list[dict[str, DocExpect]]) -> tuple[list[str], dict[str, int]]:
    """Violations of the invariants, and how many documents are in the graph per allowed version."""
    bad: list[str] = []
    uris = [u for _, u in snap.nodes]
    if None in uris:
        bad.append(f"{uris.count(None)} nodes without an IRI")
    dupes = [u for u, n in Counter(u for u in uris if u is not None).items() if n > 1]
    if dupes:
        bad.append(f"IRIs on more than one node: {dupes[:3]}")
    present = {u for u in uris if u is not None}
    dangling = [r for r in snap.rels if r[1] not in present or r[2] not in present]
    if dangling:
        bad.append(f"{len(dangling)} dangling relationships, e.g. {dangling[:2]}")
    label_of = {u: (labels[0] if labels else "") for labels, u in snap.nodes}
    rels = snap.rel_set()
    out_rels: dict[str, set[tuple[str, str, str]]] = {}
    degree: Counter[str] = Counter()
    for t, s, e in rels:
        degree[s] += 1
        degree[e] += 1
        if t not in DERIVED_REL_TYPES:
            out_rels.setdefault(s, set()).add((t, s, e))
    docs = sorted(u for u, lab in label_of.items() if lab == "PolicyDocument")
    per_version = {str(i): 0 for i in range(len(allowed))}
    owned_seen: set[str] = set()
    for d in docs:
        measures = {s for t, s, e in rels if t == "PART_OF" and e == d}
        targets = {e for t, s, e in rels if (t == "HAS_TARGET" and s in measures) or (t == "DOCUMENT_TARGET" and s == d)}
        owned = {(label_of[u], u) for u in {d} | measures | targets}
        owned_seen |= {u for _, u in owned}
        owned_rels = set().union(*(out_rels.get(u, set()) for _, u in owned))
        match = None
        for i, version in enumerate(allowed):
            exp = version.get(d)
            if (exp and exp.owned == owned and exp.owned_rels == owned_rels and exp.shared_rels <= rels
                    and snap.props.get(d) == exp.content_hash
                    and all(snap.props.get(u) == title for u, title in exp.titles)):
                match = i
                break
        if match is None:
            known = [v[d] for v in allowed if d in v]
            if not known:
                bad.append(f"document {d} is not in the corpus")
            else:
                e = known[0]
                bad.append(f"document {d} is not whole: {len(measures)} measures (expected {e.measures}), "
                           f"{len(owned_rels)} relationships (expected {len(e.owned_rels)})")
        else:
            per_version[str(match)] += 1
    for u, lab in label_of.items():
        if lab in ("Measure", "Target") and u not in owned_seen:
            bad.append(f"orphan {lab} {u}")
        elif lab in CHECKED_ORPHAN_LABELS and degree[u] == 0:
            bad.append(f"orphan {lab} {u}")
    return bad, per_version


def diff(a: Snapshot, b: Snapshot) -> list[str]:
    """Differences between two graphs (nodes by label and IRI, relationships by type and ends)."""
    out = []
    na, nb = a.node_set(), b.node_set()
    ra, rb = a.rel_set(), b.rel_set()
    if na != nb:
        out.append(f"nodes: {len(na - nb)} extra, {len(nb - na)} missing, e.g. {sorted(na ^ nb, key=str)[:3]}")
    if ra != rb:
        out.append(f"relationships: {len(ra - rb)} extra, {len(rb - ra)} missing, e.g. {sorted(ra ^ rb, key=str)[:3]}")
    if len(a.nodes) != len(b.nodes) or len(a.rels) != len(b.rels):
        out.append(f"counts: {len(a.nodes)}/{len(a.rels)} vs {len(b.nodes)}/{len(b.rels)}")
    return out


# ------------------------------------------------------------------ running the loader


def env_for(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["REFORMKG_HOME"] = str(home)
    env["REFORMKG_GRAPH_NAME"] = GRAPH
    # small write batches: a load of the harness corpus is several atomic writes, so a kill can
    # fall between two of them (with the default of 5,000 measures it would be one)
    env["REFORMKG_WRITE_BATCH_MEASURES"] = "120"
    env.pop("REFORMKG_BACKEND", None)
    return env


def start_load(home: Path, corpus: Path, log: Path) -> subprocess.Popen:
    fh = open(log, "wb")
    try:
        return subprocess.Popen([REFORMKG, "load", str(corpus)], env=env_for(home), stdout=fh, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    finally:
        fh.close()


def run_load(home: Path, corpus: Path, timeout: float = 300) -> tuple[int, float, str]:
    t0 = time.monotonic()
    done = subprocess.run([REFORMKG, "load", str(corpus)], env=env_for(home), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    return done.returncode, time.monotonic() - t0, (done.stdout + done.stderr)[-2000:]


def server_pid(home: Path) -> int | None:
    srv = EmbeddedFalkor(home / "falkordb")
    pid = srv.pid()
    return pid if srv._owns(pid) else None


def stop_server(home: Path) -> None:
    srv = EmbeddedFalkor(home / "falkordb")
    if srv.is_running() or srv._owns(srv.pid()):
        srv.stop()


def truncated_notes(home: Path) -> int:
    try:
        text = (home / "falkordb" / "falkordb.log").read_text(errors="replace")
    except OSError:
        return 0
    return text.count("aof-load-truncated") + text.count("truncated AOF")


# ------------------------------------------------------------------ trials


@dataclass
class Trial:
    n: int
    mode: str  # load-kill | server-kill
    kind: str  # fresh | replace
    version: str
    delay_s: float
    killed: bool  # the kill came while the load still ran
    load_rc: int | None
    docs_target: int = 0  # documents whole in the version being loaded
    docs_old: int = 0  # documents whole in the other version (replace trials)
    violations: list[str] = field(default_factory=list)
    lost_after_success: int | None = None  # server-kill after `load` returned 0: nodes+rels missing
    truncated_aof: int = 0
    recovery_rc: int | None = None
    recovery_s: float = 0.0
    recovery_diff: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.violations and not self.recovery_diff and self.recovery_rc == 0 and not self.lost_after_success


class Harness:
    def __init__(self, work: Path, copies: int = 2, seed: int | None = None, fresh_every: int = 4,
                 log=print):
        self.work = work
        self.rng = random.Random(seed)
        self.fresh_every = fresh_every
        self.log = log
        self.corpus = {v: work / f"corpus-{v}" for v in "AB"}
        for v, d in self.corpus.items():
            make_corpus(d, copies, v)
        self.expect = {v: expectations(sorted(d.iterdir())) for v, d in self.corpus.items()}
        self.ref: dict[str, Snapshot] = {}
        self.calibration: dict[str, float] = {}
        self.homes: list[Path] = []
        self.home = self._new_home("persistent")
        self.current = "A"

    def _new_home(self, name: str) -> Path:
        home = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.work))
        self.homes.append(home)
        return home

    def _drop_home(self, home: Path) -> None:
        stop_server(home)
        shutil.rmtree(home, ignore_errors=True)
        self.homes.remove(home)

    def calibrate(self) -> None:
        """Clean loads: the references for A and B, and T (the kill window)."""
        rc, secs, out = run_load(self.home, self.corpus["A"])
        assert rc == 0, out
        self.calibration["fresh_A_s"] = secs
        self.ref["A"] = read_graph(self.home)
        other = self._new_home("ref-B")
        rc, secs, out = run_load(other, self.corpus["B"])
        assert rc == 0, out
        self.calibration["fresh_B_s"] = secs
        self.ref["B"] = read_graph(other)
        self._drop_home(other)
        for v in "AB":
            bad, _ = check(self.ref[v], [self.expect[v]])
            assert not bad, (v, bad)
        rc, secs, out = run_load(self.home, self.corpus["A"])  # nothing to write: the lower bound
        self.calibration["unchanged_s"] = secs
        self.window = max(self.calibration["fresh_A_s"], self.calibration["fresh_B_s"])
        self.calibration["window_s"] = self.window

    def trial(self, n: int, mode: str) -> Trial:
        t0 = time.monotonic()
        fresh = n % self.fresh_every == 0
        if fresh:
            home, version = self._new_home(f"t{n}"), self.rng.choice("AB")
            allowed = [self.expect[version]]
        else:
            home, version = self.home, ("B" if self.current == "A" else "A")
            allowed = [self.expect[version], self.expect[self.current]]
        delay = self.rng.uniform(0, self.window)
        log = self.work / "last-load.log"
        truncated_before = truncated_notes(home)
        proc = start_load(home, self.corpus[version], log)
        try:
            proc.wait(timeout=delay)
            killed = False
        except subprocess.TimeoutExpired:
            killed = True
        rc = proc.returncode
        if mode == "load-kill":
            if killed:
                os.kill(proc.pid, signal.SIGKILL)
                rc = proc.wait()
        else:  # server-kill: the loader keeps running until it notices
            pid = server_pid(home)
            while pid is None and proc.poll() is None:  # a fresh directory: the loader starts its server
                time.sleep(0.02)
                pid = server_pid(home)
            killed = proc.poll() is None
            rc = proc.returncode
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
            try:
                rc = proc.wait(timeout=120)
            except subprocess.TimeoutExpired:  # a loader that hangs on a dead server is a failure too
                os.kill(proc.pid, signal.SIGKILL)
                rc = proc.wait()
            _wait_dead(pid)
        t = Trial(n, mode, "fresh" if fresh else "replace", version, round(delay, 3), killed, rc)
        snap = read_graph(home)  # restarts the server in server-kill mode (AOF replay)
        t.truncated_aof = truncated_notes(home) - truncated_before
        t.violations, per_version = check(snap, allowed)
        t.docs_target = per_version["0"]
        t.docs_old = per_version.get("1", 0)
        if mode == "server-kill" and rc == 0:
            # `load` had reported success before the server died: nothing of it may be lost
            missing = (self.ref[version].node_set() - snap.node_set()) | (self.ref[version].rel_set() - snap.rel_set())
            t.lost_after_success = len(missing)
        t.recovery_rc, secs, out = run_load(home, self.corpus[version])
        t.recovery_s = round(secs, 3)
        if t.recovery_rc != 0:
            t.recovery_diff.append(f"recovery load failed: {out[-500:]}")
        t.recovery_diff += diff(read_graph(home), self.ref[version])
        if fresh:
            self._drop_home(home)
        else:
            self.current = version
        t.seconds = round(time.monotonic() - t0, 3)
        return t

    def close(self) -> None:
        for home in list(self.homes):
            self._drop_home(home)


def _wait_dead(pid: int | None, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while pid and time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)


def summarize(trials: list[Trial], documents: int = 15) -> dict:
    def phase(t: Trial) -> str:
        if not t.killed:
            return "after-success"
        if t.kind == "fresh":
            return "before-any-write" if t.docs_target == 0 else "mid-load" if t.docs_target < documents else "after-writes"
        return "mid-load" if t.docs_target and t.docs_old else ("before-any-write" if t.docs_old else "after-writes")

    return {
        "trials": len(trials),
        "ok": sum(t.ok for t in trials),
        "violations": sum(bool(t.violations) for t in trials),
        "recovery_failures": sum(bool(t.recovery_diff) or t.recovery_rc != 0 for t in trials),
        "lost_after_success": sum(t.lost_after_success or 0 for t in trials),
        "after_success_trials": sum(t.lost_after_success is not None for t in trials),
        "phases": dict(Counter(phase(t) for t in trials)),
        "kinds": dict(Counter(t.kind for t in trials)),
        "truncated_aof_replays": sum(t.truncated_aof > 0 for t in trials),
        "trial_seconds_median": round(statistics.median(t.seconds for t in trials), 2) if trials else 0,
    }


def run(trials: int, mode: str, copies: int = 2, seed: int | None = None, work: Path | None = None,
        fresh_every: int = 4, log=print) -> dict:
    own = work is None
    work = Path(tempfile.mkdtemp(prefix="rkg-harness-")) if own else work
    h = Harness(work, copies=copies, seed=seed, fresh_every=fresh_every, log=log)
    results: list[Trial] = []
    try:
        h.calibrate()
        log(f"calibration: {h.calibration}")
        for n in range(trials):
            t = h.trial(n, mode)
            results.append(t)
            log(f"[{mode} {n + 1}/{trials}] {t.kind} {t.version} delay={t.delay_s:.2f}s killed={t.killed} "
                f"rc={t.load_rc} docs={t.docs_target}+{t.docs_old} ok={t.ok} "
                + ("; ".join(t.violations + t.recovery_diff) if not t.ok else ""))
    finally:
        h.close()
        if own:
            shutil.rmtree(work, ignore_errors=True)
    return {"mode": mode, "seed": seed, "copies": copies, "documents": len(h.expect["A"]),
            "calibration": h.calibration, "summary": summarize(results, len(h.expect["A"])),
            "trials": [asdict(t) | {"ok": t.ok} for t in results]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--mode", choices=("load-kill", "server-kill"), default="load-kill")
    ap.add_argument("--copies", type=int, default=2, help="copies of each bundled document (default 2: 15 documents)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--fresh-every", type=int, default=4, help="every N-th trial in a new data directory")
    ap.add_argument("--out", type=Path, default=None, help="write the trials and the summary as JSON")
    args = ap.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    result = run(args.trials, args.mode, args.copies, seed, fresh_every=args.fresh_every,
                 log=lambda s: print(s, flush=True))
    print(json.dumps(result["summary"], indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0 if result["summary"]["ok"] == result["summary"]["trials"] else 1


if __name__ == "__main__":
    sys.exit(main())
