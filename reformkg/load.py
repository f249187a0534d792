"""Load documents into the graph: parse (pure), build, write one document per
atomic write, then wait until the writes are on disk."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from graph import lineage
from graph.backend import GraphBackend, WriteError
from graph.build import build
from graph.lineage import LineageReport
from graph.payload import DocumentGraph
from loaders.errors import ParseError
from loaders.parse import parse_bytes
from reformkg.lock import LockBusy, load_lock
from reformkg.settings import Settings

SUFFIXES = (".txt", ".md", ".text")


def _connection_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = []
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError

        errors.append(RedisConnectionError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


CONNECTION_ERRORS = _connection_errors()


def bundled_corpus() -> list[Path]:
    root = resources.files("reformkg").joinpath("corpus")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(SUFFIXES))


def expand_paths(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        out += sorted(q for q in p.rglob("*") if q.is_file() and q.suffix in SUFFIXES) if p.is_dir() else [p]
    return out


@dataclass
class LoadReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    measures: int = 0
    totals: dict[str, int] = field(default_factory=dict)
    lineage: LineageReport | None = None
    refused: bool = False  # another load holds the lock of the data directory: nothing was done
    unconfirmed: bool = False  # WAITAOF did not confirm the writes (a full disk, say)
    # Seconds per stage: parse_s and build_s summed over the files (over worker processes when
    # parallel), write_s in write calls, documents_s the wall time of all three, link_s the
    # lineage refresh (lineage_* its parts), durable_s the WAITAOF wait.
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        t = self.totals
        if self.refused:
            return "nothing loaded: another load is running on this data directory."
        written = "sent to the database (NOT confirmed on disk: see the errors)" if self.unconfirmed else "written"
        return (f"{len(self.written)} documents {written}, {len(self.unchanged)} unchanged, {len(self.errors)} failed; "
                f"{self.measures} measures in these documents. Graph: {t.get('PolicyDocument', 0)} documents, "
                f"{t.get('Measure', 0)} measures, {t.get('Agency', 0)} agencies, {t.get('PilotZone', 0)} zones, "
                f"{t.get('ReplicationScope', 0)} scopes."
                + (f"\n{self.lineage.summary()}." if self.lineage else ""))


class Loader:
    """Loads files into ``store``; one loader at a time per data directory (:mod:`reformkg.lock`).

    Crash safety: every batch of documents is one atomic write (graph/batch.py), so every document
    is whole or absent; the lineage refresh is one more write.  A
    ``lineage-pending.<graph>`` marker in the data directory is created (and fsynced) before the
    first document write and removed only once the lineage is refreshed and on disk, so a load
    killed between the two (its documents written, the lineage not) is finished by the next
    load even when that one finds every document unchanged.
    """

    def __init__(self, store: GraphBackend, settings: Settings, lock_dir: Path | None = None):
        self.store = store
        self.settings = settings
        self.lock_dir = lock_dir or data_dir_of(store, settings)

    def load(self, files: list[Path], progress: bool = False) -> LoadReport:
        try:
            with load_lock(self.lock_dir, self.settings.load_lock_wait_s):
                report = LoadReport()
                try:
                    self._load(files, progress, report)
                except CONNECTION_ERRORS as exc:  # the database went away: the next load finishes the work
                    report.errors.append(
                        f"lost the connection to the database ({exc}); every document is written whole or "
                        "not at all, the derived lineage is refreshed by the next load: run the load again")
                return report
        except LockBusy as exc:
            report = LoadReport(errors=[str(exc)], refused=True)
            report.totals = Counter(self.store.counts().get("nodes", {}))
            return report

    def _write(self, batch: list[Parsed], report: LoadReport) -> float:
        """Write ``batch`` in one atomic write; if the database refuses it, write its documents one by
        one so that the error names the document at fault and the others still land.  Seconds spent."""
        t0 = time.perf_counter()
        try:
            result = self.store.write_documents([p.payload for p in batch])
        except (WriteError, ValueError) as exc:
            if len(batch) == 1:
                report.errors.append(str(exc))
                return time.perf_counter() - t0
            for item in batch:
                self._write([item], report)
            return time.perf_counter() - t0
        skipped = set(result.skipped)
        for item in batch:
            report.warnings += item.warnings
            report.measures += item.measures
            (report.unchanged if item.payload.document_uri in skipped else report.written).append(item.source_file)
        return time.perf_counter() - t0

    def _tail_lost(self) -> Path | None:
        """The embedded server's note that the end of its append-only file was lost (its last
        writes, perhaps a lineage refresh): the lineage is refreshed while it is there."""
        server = getattr(self.store, "server", None)
        return getattr(server, "tail_lost", None)

    def _marker(self) -> Path:
        name = getattr(self.store, "graph_name", None) or self.settings.graph_name
        return self.lock_dir / f"lineage-pending.{quote(str(name), safe='')}"

    def _load(self, files: list[Path], progress: bool, report: LoadReport) -> None:
        limit = int(self.settings.max_file_mb * 1024 * 1024)
        timings = {"parse_s": 0.0, "build_s": 0.0, "write_s": 0.0, "link_s": 0.0, "durable_s": 0.0}
        marker = self._marker()
        pending = marker.exists()  # a load before this one wrote documents, then died before the lineage
        tail_lost = self._tail_lost()
        pending = pending or (tail_lost is not None and tail_lost.exists())  # the AOF lost its last writes
        if not pending:
            _touch_durably(marker)
        parsed = _parsed_files(files, limit, self.settings.max_file_mb, self.settings.base_iri)
        if progress:
            from rich.progress import track

            parsed = track(parsed, total=len(files), description="loading")
        batch: list[Parsed] = []
        started = time.perf_counter()
        for item in parsed:
            if item.error:
                report.errors.append(item.error)
                continue
            timings["parse_s"] += item.parse_s
            timings["build_s"] += item.build_s
            if batch and (_measures(batch) + item.measures > self.settings.write_batch_measures
                          or _clashes(batch, item)):
                timings["write_s"] += self._write(batch, report)
                batch = []
            batch.append(item)
        if batch:
            timings["write_s"] += self._write(batch, report)
        # parse and build overlap the writes (worker processes): their sums can exceed this wall time
        timings["documents_s"] = time.perf_counter() - started
        refreshed = False
        if report.written or pending:
            try:
                t0 = time.perf_counter()
                report.lineage = lineage.refresh(self.store, self.settings.base_iri)
                timings["link_s"] = time.perf_counter() - t0
            except Exception as exc:  # the documents stay loaded; the derived links are stale
                report.errors.append(f"lineage not refreshed: {exc}")
            else:
                refreshed = True
                report.warnings += report.lineage.warnings
        on_disk = True
        if report.written or refreshed:
            t0 = time.perf_counter()
            on_disk = self.store.durable()
            timings["durable_s"] = time.perf_counter() - t0
            if not on_disk:
                report.unconfirmed = True
                report.errors.append("the database did not confirm that the writes are on disk (WAITAOF): "
                                     "is its disk full? see the server log in the data directory")
        if on_disk and (refreshed or not (report.written or pending)):
            marker.unlink(missing_ok=True)
            if tail_lost is not None and refreshed:
                tail_lost.unlink(missing_ok=True)
        report.totals = Counter(self.store.counts().get("nodes", {}))
        if report.lineage:
            timings.update({f"lineage_{k}": v for k, v in report.lineage.timings.items()})
        report.timings = {k: round(v, 4) for k, v in timings.items()}
        if profile := os.environ.get("REFORMKG_PROFILE_JSON"):  # stage timings for bench/scale.py
            Path(profile).write_text(json.dumps(report.timings), encoding="utf-8")


# Files from which parsing is spread over worker processes (starting them costs ~0.1 s).
PARALLEL_FROM = 16
# Parsed files waiting for the writer, at most: bounds the loader's memory whatever the corpus.
IN_FLIGHT = 32


@dataclass
class Parsed:
    """One file, parsed and built (or its error): what a parse worker sends back."""

    path: Path
    payload: DocumentGraph | None = None
    source_file: str = ""
    measures: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    parse_s: float = 0.0
    build_s: float = 0.0


def parse_and_build(path: Path, limit: int, limit_mb: float, base_iri: str) -> Parsed:
    """Read, parse and build one file: pure apart from reading it, so it runs in any process."""
    try:
        t0 = time.perf_counter()
        doc = parse_bytes(_read_limited(path, limit, limit_mb), path.name)
        t1 = time.perf_counter()
        payload = build(doc, base_iri)
        t2 = time.perf_counter()
    except ParseError as exc:
        return Parsed(path, error=str(exc))
    except OSError as exc:
        return Parsed(path, error=f"{path}: {exc}")
    return Parsed(path, payload, doc.source_file, len(doc.measures), doc.warnings, None, t1 - t0, t2 - t1)


def _parsed_files(files: list[Path], limit: int, limit_mb: float, base_iri: str) -> Iterator[Parsed]:
    """``parse_and_build`` of every file, in order; over worker processes (one per core) when
    there are many files, with at most IN_FLIGHT results waiting."""
    workers = min(os.cpu_count() or 1, 4)
    if len(files) < PARALLEL_FROM or workers < 2:
        for path in files:
            yield parse_and_build(path, limit, limit_mb, base_iri)
        return
    context = multiprocessing.get_context("fork")  # workers inherit the loaded modules: no re-import
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[Parsed]] = deque()
        todo = iter(files)
        for path in itertools.islice(todo, IN_FLIGHT):
            pending.append(pool.submit(parse_and_build, path, limit, limit_mb, base_iri))
        while pending:
            item = pending.popleft().result()
            for path in itertools.islice(todo, 1):
                pending.append(pool.submit(parse_and_build, path, limit, limit_mb, base_iri))
            yield item


def _measures(batch: list[Parsed]) -> int:
    return sum(p.measures for p in batch)


def _clashes(batch: list[Parsed], item: Parsed) -> bool:
    """True when ``item`` has the uri or source file of a document already in ``batch``: it
    replaces that one, so it goes in the next write."""
    assert item.payload is not None
    return any(p.payload is not None and (p.payload.document_uri == item.payload.document_uri
                                          or p.source_file == item.source_file) for p in batch)


def data_dir_of(store: GraphBackend, settings: Settings) -> Path:
    """Where the load lock lives: ``$REFORMKG_HOME`` for the configured embedded database (and for
    Neo4j), the embedded server's own directory for any other one (tests)."""
    server = getattr(store, "server", None)
    data_dir = getattr(server, "data_dir", None)
    if data_dir is None or Path(data_dir) == settings.falkordb_dir.expanduser().resolve():
        return settings.home.expanduser()
    return Path(data_dir)


def _read_limited(path: Path, limit: int, limit_mb: float) -> bytes:
    """The file's bytes, or a ParseError naming it when it is over the size limit (never more
    than ``limit + 1`` bytes are read, whatever ``stat`` said)."""
    with open(path, "rb") as fh:
        raw = fh.read(limit + 1)
        if len(raw) > limit:
            size = max(os.fstat(fh.fileno()).st_size, len(raw))
            raise ParseError(path.name, 1, f"{size / 1048576:.1f} MB is over the limit of {limit_mb:g} MB "
                             "(REFORMKG_MAX_FILE_MB)")
    return raw


def _touch_durably(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
