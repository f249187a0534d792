"""Load documents into the graph: parse (pure), build, write one document per
atomic write, then wait until the writes are on disk."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from graph.backend import GraphBackend, WriteError
from graph import lineage
from graph.build import build
from graph.lineage import LineageReport
from loaders.errors import ParseError
from loaders.parse import parse_bytes
from reformkg.settings import Settings

SUFFIXES = (".txt", ".md", ".text")


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

    def summary(self) -> str:
        t = self.totals
        return (f"{len(self.written)} documents written, {len(self.unchanged)} unchanged, {len(self.errors)} failed; "
                f"{self.measures} measures in these documents. Graph: {t.get('PolicyDocument', 0)} documents, "
                f"{t.get('Measure', 0)} measures, {t.get('Agency', 0)} agencies, {t.get('PilotZone', 0)} zones, "
                f"{t.get('ReplicationScope', 0)} scopes."
                + (f"\n{self.lineage.summary()}." if self.lineage else ""))


class Loader:
    def __init__(self, store: GraphBackend, settings: Settings):
        self.store = store
        self.settings = settings

    def load(self, files: list[Path], progress: bool = False) -> LoadReport:
        report = LoadReport()
        limit = int(self.settings.max_file_mb * 1024 * 1024)
        iterator = files
        if progress:
            from rich.progress import track

            iterator = track(files, description="loading")
        for path in iterator:
            try:
                size = path.stat().st_size
                if size > limit:
                    raise ParseError(path.name, 1, f"{size / 1048576:.1f} MB is over the limit of "
                                     f"{self.settings.max_file_mb} MB (REFORMKG_MAX_FILE_MB)")
                doc = parse_bytes(path.read_bytes(), path.name)
                result = self.store.write_document(build(doc, self.settings.base_iri))
            except (ParseError, WriteError, OSError) as exc:
                report.errors.append(str(exc) if isinstance(exc, (ParseError, WriteError)) else f"{path}: {exc}")
                continue
            report.warnings += doc.warnings
            report.measures += len(doc.measures)
            (report.unchanged if result.skipped else report.written).append(doc.source_file)
        if report.written:
            try:
                report.lineage = lineage.refresh(self.store, self.settings.base_iri)
            except Exception as exc:  # the documents stay loaded; the derived links are stale
                report.errors.append(f"lineage not refreshed: {exc}")
            else:
                report.warnings += report.lineage.warnings
        if report.written and not self.store.durable():
            report.errors.append("the database did not confirm that the writes are on disk (WAITAOF)")
        report.totals = Counter(self.store.counts().get("nodes", {}))
        return report
