"""Once ``reformkg load`` reports success, a SIGKILL of the database server loses nothing of it.

``load`` returns only after ``WAITAOF 1 0`` confirmed that the append-only file holds its writes
on disk.  The test SIGKILLs the server (pid from its pidfile) the moment the command returns,
restarts it (the next open replays the AOF) and compares the whole graph with a clean load made
in another data directory: the same nodes and relationships by IRI.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

from graph.server import EmbeddedFalkor
from tests.reliability import harness
from tests.reliability.corpus import make_corpus


def test_sigkill_right_after_load_loses_nothing(tmp_path):
    corpus = tmp_path / "corpus"
    make_corpus(corpus, copies=1)
    ref_home, home = tmp_path / "ref", tmp_path / "home"
    try:
        rc, _, out = harness.run_load(ref_home, corpus)
        assert rc == 0, out
        reference = harness.read_graph(ref_home)

        done = subprocess.run([harness.REFORMKG, "load", str(corpus)], env=harness.env_for(home),
                              capture_output=True, text=True, timeout=300)
        pid = EmbeddedFalkor(home / "falkordb").pid()
        os.kill(pid, signal.SIGKILL)  # right after success, before anything else talks to the server
        assert done.returncode == 0, done.stdout + done.stderr
        assert "10 documents written" in done.stdout
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
            time.sleep(0.02)

        after = harness.read_graph(home)  # starts a new server: AOF replay
        assert EmbeddedFalkor(home / "falkordb").pid() != pid
        assert harness.diff(after, reference) == []
        assert after.counts() == reference.counts()
        bad, per_version = harness.check(after, [harness.expectations(sorted(corpus.iterdir()))])
        assert not bad and per_version["0"] == 10
    finally:
        for h in (ref_home, home):
            harness.stop_server(h)
