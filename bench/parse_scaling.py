"""Parse time against input size: is it linear?

    python bench/parse_scaling.py

Two series, each timed as the best of 3: (1) the Hengqin task table and the Guangdong opinions
repeated k = 1, 2, 4, 8, 16 times; (2) a document with one line of n bytes inserted (64 KB to
4 MB, the hostile "one long line"); (3) a line of n '|' in a pipe table.  Prints milliseconds and microseconds per KB; linear time means
the per-KB figure stays flat as the size grows (the ratio of the largest to the smallest size's
per-KB time is printed last).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loaders.errors import ParseError  # noqa: E402
from loaders.parse import parse_bytes  # noqa: E402
from reformkg.load import bundled_corpus  # noqa: E402


def best(raw: bytes, name: str, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        try:
            parse_bytes(raw, name)
        except ParseError:
            pass
        times.append(time.perf_counter() - t0)
    return min(times)


def series(label: str, inputs: list[tuple[str, bytes]]) -> None:
    rows = []
    for what, raw in inputs:
        secs = best(raw, "bench.txt")
        rows.append((what, len(raw), secs))
        print(f"{label:28} {what:>10} {len(raw) / 1024:10.0f} KB {secs * 1000:10.1f} ms {secs * 1e6 / (len(raw) / 1024):8.1f} us/KB")
    first, last = rows[0], rows[-1]
    print(f"{label:28} per-KB time, largest / smallest input: "
          f"{(last[2] / last[1]) / (first[2] / first[1]):.2f}\n")


def main() -> int:
    corpus = {p.name: p.read_bytes() for p in bundled_corpus()}
    for name, raw in corpus.items():  # OpenCC loaded, and jieba (the zone matcher needs it for a few texts)
        parse_bytes(raw, name)
    for name in ("hengqin-2017-task-division-table.txt", "guangdong-2018-ftz-institutional-innovation-opinions.txt"):
        raw = corpus[name]
        series(name[:28], [(f"x{k}", b"\n".join([raw] * k)) for k in (1, 2, 4, 8, 16)])
    raw = corpus["qianhai-shekou-batch-6-replication-table.txt"]
    text = raw.decode("utf-8")
    pos = text.index("\n", len(text) // 2) + 1
    for unit in ("x", "改"):
        series(f"long line of {unit!r}", [(f"{n // 1024}K", (text[:pos] + unit * (n // len(unit.encode())) + "\n"
                                                            + text[pos:]).encode("utf-8"))
                                          for n in (65536, 262144, 1048576, 4194304)])
    # the slowest case the fuzzer found: a long row of empty cells in a pipe table (about 17 s per MB)
    text = corpus["hengqin-2017-task-division-table.txt"].decode("utf-8")
    pos = text.index("\n", len(text) // 2) + 1
    series("long line of '|' (pipe table)", [(f"{n // 1024}K", (text[:pos] + "|" * n + "\n" + text[pos:]).encode())
                                             for n in (65536, 262144, 1048576)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
