"""Answers of read queries, kept until the graph changes: the API's read cache.

The API sends a few query texts with few distinct parameters (a lineage per measure, a page of
pilots per zone and scope, a search word), and the graph changes only when something writes
through ReformKG: a load, ``reformkg link``, an import.  Every such write bumps the backend's
data version (``FalkorBackend.data_version``: a counter next to the graph, increased after each
write query), so an answer is reused only while the version it was read at is current.

The version is looked up at most every ``check_s`` seconds (one round trip of a few tens of
microseconds otherwise per request): after a load, an API process may serve the previous answer
for that long.  Writes that bypass ReformKG (a ``GRAPH.QUERY`` typed into redis-cli) do not bump
the version; ``REFORMKG_READ_CACHE_ENTRIES=0`` turns the cache off.  Backends without a data
version (Neo4j) are not cached.

Answers over ``max_rows`` rows are not kept (an analyst's large ad-hoc read would only push the
small, hot ones out).  The rows handed out are shallow copies, so a caller that changes a row
does not change the cache.

Whole answers (``answer``/``keep_answer``): the API also keeps the serialised body of a response
it built from reads, under the data version looked up *before* those reads, so a body is never
older than the version it is filed under (at worst newer, which only costs a rebuild).  They
are bounded in number (``max_entries``) and in bytes (``max_answer_bytes``, a body over a
sixteenth of it is not kept); requests missing the same body together build it once
(``building``).  ``fresh_version`` answers without a round trip while the last
look-up is under ``check_s`` old, so a request served from memory need not wait on the
database (or a thread) at all: the delay after a write stays ``check_s``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from graph.backend import GraphBackend, Params


class CachedReads:
    """``store`` with ``run_read`` answered from memory while the data version is unchanged;
    everything else is the store's own."""

    def __init__(self, store: GraphBackend, max_entries: int = 4096, max_rows: int = 5000,
                 check_s: float = 0.25, max_answer_bytes: int = 64 << 20) -> None:
        self.store = store
        self.max_entries, self.max_rows, self.check_s = max_entries, max_rows, check_s
        self.max_answer_bytes = max_answer_bytes
        self._entries: OrderedDict[tuple[str, Hashable], tuple[int, list[dict[str, Any]]]] = OrderedDict()
        self._answers: OrderedDict[Hashable, tuple[int, bytes]] = OrderedDict()
        self._answer_bytes = 0
        self._building: dict[Hashable, list[Any]] = {}  # key -> [its lock, threads using it]
        self._lock = threading.Lock()
        self._version, self._checked = -1, float("-inf")
        self.hits = self.misses = 0

    def __getattr__(self, name: str) -> Any:  # dialect, run_write, counts, close, ...
        return getattr(self.store, name)

    def version(self) -> int:
        now = time.monotonic()
        if now - self._checked >= self.check_s:
            self._version, self._checked = self.store.data_version(), now  # type: ignore[attr-defined]
        return self._version

    def fresh_version(self) -> int | None:
        """The data version if it was looked up less than ``check_s`` ago, else None: no round trip.
        (``_checked`` is read first: a concurrent look-up can only make the version newer.)"""
        if time.monotonic() - self._checked < self.check_s:
            return self._version
        return None

    def answer(self, key: Hashable, version: int) -> bytes | None:
        """The body kept for ``key`` if it was built at ``version``."""
        with self._lock:
            entry = self._answers.get(key)
            if entry is None or entry[0] != version:
                return None
            self._answers.move_to_end(key)
            return entry[1]

    @contextmanager
    def building(self, key: Hashable) -> Iterator[None]:
        """One builder per key at a time: requests that miss together (after a write, or a cold
        start under load) wait for the first one's body instead of all reading the same answer."""
        with self._lock:
            entry = self._building.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._lock:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._building[key]

    def keep_answer(self, key: Hashable, version: int, body: bytes) -> None:
        """Keep ``body``, built from reads made at ``version`` or later (the least recently used go
        first past ``max_entries`` bodies or ``max_answer_bytes`` bytes)."""
        if len(body) > self.max_answer_bytes // 16:
            return
        with self._lock:
            if (old := self._answers.get(key)) is not None:
                if old[0] > version:  # a newer body is kept already
                    return
                self._answer_bytes -= len(self._answers.pop(key)[1])
            self._answers[key] = (version, body)
            self._answer_bytes += len(body)
            while len(self._answers) > self.max_entries or self._answer_bytes > self.max_answer_bytes:
                self._answer_bytes -= len(self._answers.popitem(last=False)[1][1])

    def run_read(self, query: str, params: Params | None = None) -> list[dict[str, Any]]:
        key = (query, frozen(params))
        version = self.version()
        with self._lock:
            entry = self._entries.get(key) if key[1] is not None else None
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                self.hits += 1
                return [dict(row) for row in entry[1]]
        rows = self.store.run_read(query, params)
        if key[1] is not None and len(rows) <= self.max_rows:
            with self._lock:
                self.misses += 1
                self._entries[key] = (version, [dict(row) for row in rows])
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return rows


def cached(store: GraphBackend, max_entries: int) -> GraphBackend:
    """``store`` behind a read cache when it has a data version and ``max_entries`` > 0."""
    if max_entries <= 0 or not hasattr(store, "data_version"):
        return store
    return CachedReads(store, max_entries)  # type: ignore[return-value]


def frozen(value: Any) -> Hashable | None:
    """A hashable copy of query parameters (None when they hold something unhashable)."""
    if value is None:
        return ()
    try:
        return _freeze(value)
    except TypeError:
        return None


def _freeze(value: Any) -> Hashable:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("__seq__", *(_freeze(v) for v in value))
    hash(value)
    return (type(value).__name__, value)
