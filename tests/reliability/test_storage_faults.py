"""Faults under the database: a torn or damaged end of the append-only file, and a full disk.

The server is stopped, its files are damaged the way a crash or a power loss damages them, and
it is started again by the project's own code (``EmbeddedFalkor.start``).  After every
fault the invariants of the kill harness hold (every document whole in one version or absent, no
orphans, no dangling relationships), and the next load gives the graph of a clean load.

* torn last write (the file cut a few bytes short): redis drops the torn command at start;
* torn write of documents (the file cut in the middle of the last documents write): the documents
  are whole in their previous version;
* a tail of NUL bytes (the file's size reached the disk, its last block did not): the server
  refuses to start, with an error that gives the command that cuts the tail off;
* a full disk (a 2 MB tmpfs as the data directory, a load of about 3 MB): the load fails with the
  disk's error and nothing of it is on disk; once there is space the next load completes, whether
  the server was killed meanwhile or kept running.  Needs root (mount); skipped otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from graph.server import EmbeddedFalkor, ServerError
from reformkg.load import Loader
from reformkg.settings import Settings
from tests.reliability import harness
from tests.reliability.corpus import make_corpus


def load(home: Path, corpus: Path):
    """One load in this process, the way ``reformkg load`` does it (lock and marker in ``home``)."""
    store = harness.open_store(home)
    try:
        return Loader(store, Settings(), lock_dir=home).load(sorted(corpus.iterdir()))
    finally:
        store.close()


def kill_server(home: Path) -> None:
    pid = harness.server_pid(home)
    assert pid, f"no server in {home}"
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.02)


def last_aof(home: Path) -> Path:
    return max((home / "falkordb" / "appendonlydir").glob("*.incr.aof"), key=lambda p: int(p.name.split(".")[2]))


def command_starts(data: bytes) -> list[int]:
    """Offsets of the commands of an AOF: RESP arrays ("*n") of bulk strings ("$len", bytes)."""
    starts, pos = [], 0
    while pos < len(data):
        starts.append(pos)
        end = data.index(b"\r\n", pos)
        count, pos = int(data[pos + 1:end]), end + 2
        for _ in range(count):
            end = data.index(b"\r\n", pos)
            pos = end + 2 + int(data[pos + 1:end]) + 2
    return starts


def assert_repaired(home: Path, corpus: Path, reference: harness.Snapshot) -> None:
    """The next load completes and gives the clean graph."""
    report = load(home, corpus)
    assert not report.errors, report.errors
    after = harness.read_graph(home)
    differences = harness.diff(after, reference)
    # a torn lineage refresh included: the server's aof-tail-lost note makes the next load refresh it
    assert differences == []


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """Corpus A and B (B replaces every document of A), B's clean graph, and a stopped data
    directory that holds A replaced by B (two confirmed loads)."""
    work = tmp_path_factory.mktemp("storage")
    corpus = {v: work / f"corpus-{v}" for v in "AB"}
    for v, d in corpus.items():
        make_corpus(d, copies=0, version=v)
    ref, pristine = work / "ref", work / "pristine"
    try:
        assert not load(ref, corpus["B"]).errors
        reference = harness.read_graph(ref)
        assert not load(pristine, corpus["A"]).errors
        assert not load(pristine, corpus["B"]).errors
    finally:
        harness.stop_server(ref)
        harness.stop_server(pristine)
    expect = [harness.expectations(sorted(corpus[v].iterdir())) for v in "AB"]
    return corpus, reference, pristine, expect


def damaged_copy(pristine: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(pristine, home, ignore=shutil.ignore_patterns("*.sock", "*.pid"))
    return home


@pytest.mark.parametrize("cut", ["torn-last-write", "torn-documents-write"])
def test_a_torn_end_of_the_aof_is_dropped_and_the_next_load_repairs(versions, tmp_path, cut):
    corpus, reference, pristine, expect = versions
    home = damaged_copy(pristine, tmp_path)
    aof = last_aof(home)
    data = aof.read_bytes()
    starts = command_starts(data)
    # the last two graph writes (GRAPH.QUERY, or GRAPH.EFFECT when FalkorDB logs a query's effects)
    # are B's documents and B's lineage refresh, each followed by the INCR of the data version
    # (graph/read_cache.py): cut one of them in the middle
    writes = [i for i, at in enumerate(starts) if re.match(rb"\*\d+\r\n\$\d+\r\nGRAPH\.(QUERY|EFFECT)\r\n",
                                                          data[at:at + 64])]
    torn = writes[-1] if cut == "torn-last-write" else writes[-2]
    end = starts[torn + 1] if torn + 1 < len(starts) else len(data)
    size = (starts[torn] + end) // 2
    os.truncate(aof, size)
    try:
        snap = harness.read_graph(home)  # EmbeddedFalkor.start: redis drops the torn command
        server = EmbeddedFalkor(home / "falkordb")
        assert "Truncating the AOF" in server.tail_lost.read_text()
        bad, per_version = harness.check(snap, expect)
        assert not bad, bad
        assert per_version == ({"0": 0, "1": 5} if cut == "torn-last-write" else {"0": 5, "1": 0})
        assert_repaired(home, corpus["B"], reference)
    finally:
        harness.stop_server(home)


def test_a_damaged_end_stops_the_start_with_the_command_that_repairs_it(versions, tmp_path):
    corpus, reference, pristine, expect = versions
    home = damaged_copy(pristine, tmp_path)
    with open(last_aof(home), "ab") as fh:
        fh.write(b"\0" * 4096)  # the size reached the disk, the last block did not
    try:
        with pytest.raises(ServerError) as refused:
            harness.read_graph(home)
        message = str(refused.value)
        assert "is damaged" in message and "nothing has been changed" in message
        fix = next(line.strip() for line in message.splitlines() if "redis-check-aof" in line and "--fix" in line)
        done = subprocess.run(["bash", "-c", fix], capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        snap = harness.read_graph(home)
        bad, per_version = harness.check(snap, expect)
        assert not bad and per_version == {"0": 0, "1": 5}
        assert EmbeddedFalkor(home / "falkordb").tail_lost.exists()
        assert_repaired(home, corpus["B"], reference)
    finally:
        harness.stop_server(home)


# ---------------------------------------------------------------- a full disk


def _mount_tmpfs(path: Path, size: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("a full disk needs a small tmpfs, and mounting one needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=700", "tmpfs", str(path)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


def _grow_tmpfs(path: Path, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(path)], check=True)


def _aof_writes_again(home: Path, timeout: float = 15) -> bool:
    conn = EmbeddedFalkor(home / "falkordb").connection()
    try:
        deadline = time.monotonic() + timeout
        while conn.info("persistence").get("aof_last_write_status") != "ok":
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True
    finally:
        conn.close()


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """15 documents (an AOF of about 3 MB) and their clean graph."""
    work = tmp_path_factory.mktemp("full")
    corpus = work / "corpus"
    make_corpus(corpus, copies=2)
    ref = work / "ref"
    try:
        assert not load(ref, corpus).errors
        reference = harness.read_graph(ref)
    finally:
        harness.stop_server(ref)
    return corpus, reference, harness.expectations(sorted(corpus.iterdir()))


@pytest.mark.parametrize("then", ["server killed while full", "space freed under the running server"])
def test_a_full_disk_fails_the_load_cleanly_and_the_next_load_completes(big, tmp_path, then):
    corpus, reference, expect = big
    home = tmp_path / "home"
    home.mkdir()
    _mount_tmpfs(home, "2m")
    try:
        report = load(home, corpus)
        assert report.errors, "a 3 MB load into 2 MB reported success"
        assert any("No space left on device" in e for e in report.errors), report.errors
        assert (home / "lineage-pending.reformkg").exists()  # the next load will finish the lineage
        if then == "server killed while full":
            kill_server(home)
            _grow_tmpfs(home, "64m")
            snap = harness.read_graph(home)  # nothing of the load reached the disk
            bad, per_version = harness.check(snap, [expect])
            assert not bad and per_version == {"0": 0}, bad
        else:
            _grow_tmpfs(home, "64m")
            assert _aof_writes_again(home), "redis did not write its AOF again once there was space"
        report = load(home, corpus)
        assert not report.errors, report.errors
        kill_server(home)  # what survives is what is on disk
        after = harness.read_graph(home)
        assert harness.diff(after, reference) == []
        assert not harness.check(after, [expect])[0]
    finally:  # a server that cannot shut down (its AOF cannot be written) is killed: the mount must go
        try:
            harness.stop_server(home)
        except Exception:  # noqa: BLE001 - cleanup goes on whatever the stop said
            pass
        if (pid := harness.server_pid(home)) and os.path.exists(f"/proc/{pid}"):
            os.kill(pid, signal.SIGKILL)
        subprocess.run(["umount", "--lazy", str(home)], check=False)
