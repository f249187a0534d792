"""Concurrent use: readers during loads, and two loaders on one data directory.

- While a loader thread replaces documents again and again (version A, then B, then A ...), reader
  threads ask for one document's measures through the API and directly: every answer is one whole
  version (38 measures with A's titles, or 37 with B's), never a mix or a part, and never a 5xx.
- Two ``reformkg load`` processes on one data directory: the second refuses at once with a message
  naming the holder (or waits with ``REFORMKG_LOAD_LOCK_WAIT_S``); a holder killed with SIGKILL
  does not block the next run (the lock is an ``flock``, released by the kernel).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.falkor import FalkorBackend
from reformkg.load import Loader
from reformkg.lock import LOCK_NAME, LockBusy, load_lock
from reformkg.settings import Settings
from tests.reliability import harness
from tests.reliability.corpus import make_corpus

QIANHAI = "qianhai-shekou-batch-6-replication-table"


@pytest.fixture
def store(falkor_server):
    backend = FalkorBackend(falkor_server.socket_path, f"conc_{uuid.uuid4().hex[:10]}", server=falkor_server)
    backend.ensure_schema()
    yield backend
    backend.delete_graph()
    backend.close()


def test_readers_never_see_half_a_document(store, falkor_server, tmp_path):
    versions = {v: [p for p in make_corpus(tmp_path / v, copies=1, version=v) if "qianhai" in p.name or "2024" in p.name]
                for v in "AB"}
    expect = {v: harness.expectations(files) for v, files in versions.items()}
    doc_uri = next(iter(sorted(u for u in expect["A"] if expect["A"][u].measures == 38)))
    titles = {v: sorted(t for _, t in expect[v][doc_uri].titles) for v in "AB"}
    assert len(titles["A"]) == 38 and len(titles["B"]) == 37
    loader = Loader(store, Settings(), lock_dir=tmp_path / "lock")
    assert not loader.load(versions["A"]).errors

    stop = threading.Event()
    failures: list[str] = []
    seen: dict[str, int] = {"A": 0, "B": 0, "api": 0}
    loads = [0]

    def load_loop():
        try:
            while not stop.is_set() and loads[0] < 12:
                report = loader.load(versions["B" if loads[0] % 2 == 0 else "A"])
                if report.errors:
                    failures.append(f"load: {report.errors}")
                loads[0] += 1
        finally:
            stop.set()

    def direct_reader():
        reader = FalkorBackend(falkor_server.socket_path, store.graph_name)
        try:
            while not stop.is_set():
                rows = reader.run_read("MATCH (m:Measure)-[:PART_OF]->(:PolicyDocument {uri: $d}) RETURN m.title AS t",
                                       {"d": doc_uri})
                got = sorted(r["t"] for r in rows)
                for v in "AB":
                    if got == titles[v]:
                        seen[v] += 1
                        break
                else:
                    failures.append(f"direct read saw {len(got)} measures, neither version whole")
        finally:
            reader.close()

    def api_reader():
        with TestClient(create_app(store=store)) as client:
            while not stop.is_set():
                r = client.get(f"/measures?document={quote(doc_uri, safe='')}&limit=100")
                if r.status_code >= 500:
                    failures.append(f"API {r.status_code}: {r.text[:200]}")
                elif r.status_code != 200:
                    failures.append(f"API {r.status_code} for an existing document: {r.text[:200]}")
                else:
                    body = r.json()
                    got = sorted(m["title"] for m in body["items"])
                    if body["total"] not in (37, 38) or got not in (titles["A"], titles["B"]):
                        failures.append(f"API: total {body['total']}, {len(got)} items, not one whole version")
                    seen["api"] += 1

    threads = [threading.Thread(target=f) for f in (load_loop, direct_reader, direct_reader, api_reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not any(t.is_alive() for t in threads)
    assert not failures, failures[:5]
    assert loads[0] == 12
    assert seen["A"] and seen["B"] and seen["api"], seen


def _wait_for_holder(home, pid, timeout=120):
    path = home / LOCK_NAME
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if f'"pid": {pid}' in path.read_text():
                return
        except OSError:
            pass
        time.sleep(0.01)
    raise AssertionError("the first load never took the lock")


def test_two_loaders_on_one_data_directory(tmp_path):
    corpus = tmp_path / "corpus"
    make_corpus(corpus, copies=0)
    home = tmp_path / "home"
    env = harness.env_for(home)
    first = subprocess.Popen([harness.REFORMKG, "load", str(corpus)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
    try:
        _wait_for_holder(home, first.pid)
        os.kill(first.pid, signal.SIGSTOP)  # hold the lock for as long as the test needs
        second = subprocess.run([harness.REFORMKG, "load", str(corpus)], env=env, capture_output=True, text=True,
                                timeout=120)
        assert second.returncode == 1
        assert "another load is running" in second.stderr and f"pid {first.pid}" in second.stderr
        assert "REFORMKG_LOAD_LOCK_WAIT_S" in second.stderr
        assert "nothing loaded" in second.stdout

        # a waiting loader proceeds once the holder is done
        waiter = subprocess.Popen([harness.REFORMKG, "load", str(corpus)], env=env | {"REFORMKG_LOAD_LOCK_WAIT_S": "120"},
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1)
        os.kill(first.pid, signal.SIGCONT)
        assert first.wait(timeout=120) == 0
        out, _ = waiter.communicate(timeout=180)
        assert waiter.returncode == 0, out
        assert "5 unchanged" in out

        # a holder killed with SIGKILL leaves the lock file, not the lock
        third = subprocess.Popen([harness.REFORMKG, "load", str(corpus)], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        _wait_for_holder(home, third.pid)
        os.kill(third.pid, signal.SIGKILL)
        third.wait()
        assert (home / LOCK_NAME).exists()
        after = subprocess.run([harness.REFORMKG, "load", str(corpus)], env=env, capture_output=True, text=True,
                               timeout=180)
        assert after.returncode == 0, after.stdout + after.stderr
    finally:
        for p in (first,):
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                p.wait()
        harness.stop_server(home)


def test_lock_in_process(tmp_path):
    with load_lock(tmp_path) as path:
        assert path.stat().st_mode & 0o777 == 0o600
        with pytest.raises(LockBusy, match=f"pid {os.getpid()}"):
            with load_lock(tmp_path):
                pass
        t0 = time.monotonic()
        with pytest.raises(LockBusy, match="after waiting 0.3 s"):
            with load_lock(tmp_path, wait_s=0.3):
                pass
        assert time.monotonic() - t0 >= 0.3
    with load_lock(tmp_path):  # released
        pass


def test_a_refused_load_changes_nothing(store, tmp_path):
    loader = Loader(store, Settings(), lock_dir=tmp_path)
    with load_lock(tmp_path):
        report = loader.load(make_corpus(tmp_path / "c", copies=0))
    assert report.refused and "another load is running" in report.errors[0]
    assert store.counts().get("nodes", {}) == {}
