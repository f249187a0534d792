"""Load documents into the graph: parse (pure), build, write one document per
atomic write, then wait until the writes are on disk."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from graph.backend import GraphBackend, WriteError
from graph import lineage
from graph.build import build
from graph.lineage import LineageReport
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
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage: parse, build, write, link, durable

    def summary(self) -> str:
        t = self.totals
        if self.refused:
            return "nothing loaded: another load is running on this data directory."
        return (f"{len(self.written)} documents written, {len(self.unchanged)} unchanged, {len(self.errors)} failed; "
                f"{self.measures} measures in these documents. Graph: {t.get('PolicyDocument', 0)} documents, "
                f"{t.get('Measure', 0)} measures, {t.get('Agency', 0)} agencies, {t.get('PilotZone', 0)} zones, "
                f"{t.get('ReplicationScope', 0)} scopes."
                + (f"\n{self.lineage.summary()}." if self.lineage else ""))


class Loader:
    """Loads files into ``store``; one loader at a time per data directory (:mod:`reformkg.lock`).

    Crash safety: every document is one atomic write; the lineage refresh is one more.  A
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

    def _marker(self) -> Path:
        name = getattr(self.store, "graph_name", None) or self.settings.graph_name
        return self.lock_dir / f"lineage-pending.{quote(str(name), safe='')}"

    def _load(self, files: list[Path], progress: bool, report: LoadReport) -> None:
        limit = int(self.settings.max_file_mb * 1024 * 1024)
        timings = {"parse_s": 0.0, "build_s": 0.0, "write_s": 0.0, "link_s": 0.0, "durable_s": 0.0}
        marker = self._marker()
        pending = marker.exists()  # a load before this one wrote documents, then died before the lineage
        if not pending:
            _touch_durably(marker)
        iterator = files
        if progress:
            from rich.progress import track

            iterator = track(files, description="loading")
        for path in iterator:
            try:
                t0 = time.perf_counter()
                raw = _read_limited(path, limit, self.settings.max_file_mb)
                doc = parse_bytes(raw, path.name)
                t1 = time.perf_counter()
                payload = build(doc, self.settings.base_iri)
                t2 = time.perf_counter()
                result = self.store.write_document(payload)
                t3 = time.perf_counter()
                timings["parse_s"] += t1 - t0
                timings["build_s"] += t2 - t1
                timings["write_s"] += t3 - t2
            except (ParseError, WriteError, OSError) as exc:
                report.errors.append(str(exc) if isinstance(exc, (ParseError, WriteError)) else f"{path}: {exc}")
                continue
            report.warnings += doc.warnings
            report.measures += len(doc.measures)
            (report.unchanged if result.skipped else report.written).append(doc.source_file)
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
                report.errors.append("the database did not confirm that the writes are on disk (WAITAOF)")
        if on_disk and (refreshed or not (report.written or pending)):
            marker.unlink(missing_ok=True)
        report.totals = Counter(self.store.counts().get("nodes", {}))
        report.timings = {k: round(v, 4) for k, v in timings.items()}
        if profile := os.environ.get("REFORMKG_PROFILE_JSON"):  # stage timings for bench/scale.py
            Path(profile).write_text(json.dumps(report.timings), encoding="utf-8")


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
