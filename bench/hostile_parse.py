"""Parse time of hostile shapes against their size: is it linear?

    python bench/hostile_parse.py [--sizes 0.1,0.5,1,2] [--hosts hengqin,qianhai] [--shapes pipe,paren]
                                  [--repeat 1] [--budget 20]

Each shape (a long line of one character, nested brackets, a pipe row wrapped over many lines, …)
is inserted at a line boundary in the middle of each bundled document and parsed with
``loaders.parse.parse_bytes`` at 0.1, 0.5, 1 and 2 MB.  Prints the milliseconds per size, the
outcome at the largest size (``ok`` or the start of the ParseError), and two growth figures:
``x2`` is t(2 MB) / t(1 MB), 2.0 for linear time and 4.0 for quadratic (the host document's own
parse time pulls it below 2 at small sizes); ``us/KB`` is the time per KB at the largest size.
Timings on a shared machine are noisy: use --repeat 3 (best of 3) for figures worth quoting.
A parse that runs over --budget seconds is stopped (SIGALRM), the shape is not tried at larger
sizes, and the script exits 1 after listing every such case.
"""

from __future__ import annotations

import argparse
import math
import re
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loaders.errors import ParseError
from loaders.parse import parse_bytes
from loaders.text import CJK
from reformkg.load import bundled_corpus


def _repeat(unit: str, size: int) -> str:
    """``unit`` repeated to about ``size`` bytes of UTF-8."""
    return unit * max(1, size // len(unit.encode("utf-8")))


def _cjk_run(host: str, size: int) -> str:
    """The host's own Chinese characters, punctuation and everything else removed, repeated."""
    return _repeat("".join(re.findall(f"[{CJK}]", host)), size)


def _nested(open_: str, close: str, size: int) -> str:
    depth = max(1, size // (2 * len(open_.encode("utf-8"))))
    return open_ * depth + "负责" + close * depth


# name -> (host text, size in bytes) -> the text inserted (one line or many)
SHAPES = {
    "pipe": lambda host, n: _repeat("|", n),
    "paren": lambda host, n: _repeat("(", n),
    "fullwidth-paren": lambda host, n: _repeat("（", n),
    "tab": lambda host, n: _repeat("\t", n),
    "dash": lambda host, n: _repeat("-", n),
    "md-rule": lambda host, n: _repeat("|---", n) + "|",
    "rule-backtrack": lambda host, n: "|--" + _repeat("|  ", n) + "x",  # was exponential in a regex
    "cjk-no-punct": _cjk_run,
    "nested-paren": lambda host, n: _nested("(", ")", n),
    "nested-fullwidth": lambda host, n: _nested("（", "）", n),
    "wrapped-pipe-row": lambda host, n: "| 1. 措施 | x\n" + _repeat("续行续行续行\n", n) + "| 年底前 |",
    "tab-cell-continued": lambda host, n: "\t1\n" + _repeat("续行续行续行\n", n),
    "short-pipe-rows": lambda host, n: _repeat("|" * 200 + "\n", n),
    "heading-lines": lambda host, n: _repeat("一、分组\n", n),
    "subheading-lines": lambda host, n: _repeat("(一)分组\n", n),
    "item-lines": lambda host, n: _repeat("1. 措施。(市商务局牵头)\n", n),
    # spaces inside a heading, sub-heading or numbered measure: "(.+?)\s*$" retries the trailing
    # spaces from every position of a lazy group
    "heading-spaces": lambda host, n: "一、措施" + _repeat(" ", n) + "x",
    "subheading-spaces": lambda host, n: "(一)措施" + _repeat(" ", n) + "x",
    "measure-cell-spaces": lambda host, n: "| | | 1. 措施" + _repeat(" ", n) + "x | 统筹协调组 | 市 | 区 | 年底前 |",
    # a goal line ("到2025年, …") with no verb: the target regex's lazy metric is retried from every start
    "goal-no-verb": lambda host, n: "到2025年，" + _repeat("改", n),
}
AT_TOP = {"goal-no-verb"}  # goals are read before the first item: insert after the first line


def insert(host: str, text: str, top: bool = False) -> bytes:
    pos = host.index("\n") + 1 if top else host.index("\n", len(host) // 2) + 1
    return (host[:pos] + text + "\n" + host[pos:]).encode("utf-8")


class OverBudget(Exception):
    pass


def _alarm(signum, frame):
    raise OverBudget  # the regex engine checks for signals, so this stops a runaway match too


def parse_time(raw: bytes, repeat: int, budget: float) -> tuple[float, str]:
    """Best time of ``repeat`` parses and the outcome; inf when one parse runs over ``budget`` s."""
    best, outcome = float("inf"), "ok"
    signal.signal(signal.SIGALRM, _alarm)
    for _ in range(repeat):
        t0 = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, budget)
        try:
            parse_bytes(raw, "hostile.txt")
            outcome = "ok"
        except ParseError as exc:
            outcome = str(exc)
        except OverBudget:
            return float("inf"), f"OVER BUDGET: stopped after {budget:g} s"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        best = min(best, time.perf_counter() - t0)
    return best, outcome


def _ms(secs: float) -> str:
    if math.isnan(secs):
        return f"{'-':>9}"  # not tried: a smaller size was over the budget
    return f"{'OVER':>9}" if secs == float("inf") else f"{secs * 1000:7.0f}ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="0.1,0.5,1,2", help="MB, comma-separated, smallest first")
    ap.add_argument("--hosts", default="", help="substrings of bundled file names (default: all five)")
    ap.add_argument("--shapes", default="", help=f"comma-separated, of: {', '.join(SHAPES)}")
    ap.add_argument("--repeat", type=int, default=1, help="best of N")
    ap.add_argument("--budget", type=float, default=20, help="seconds per parse; a shape over it stops growing")
    args = ap.parse_args()
    sizes = [int(float(s) * 1024 * 1024) for s in args.sizes.split(",")]
    hosts = {p.name: p.read_text("utf-8") for p in bundled_corpus()
             if not args.hosts or any(h in p.name for h in args.hosts.split(","))}
    shapes = {k: v for k, v in SHAPES.items() if not args.shapes or k in args.shapes.split(",")}
    parse_bytes(next(iter(hosts.values())).encode("utf-8"), "warm.txt")  # OpenCC and friends loaded
    print(f"{'shape':20} {'host':14} " + " ".join(f"{round(s / 2**20, 2):>7g}MB" for s in sizes)
          + f" {'x2':>5} {'us/KB':>6}  outcome at the largest size")
    worst, over = 0.0, []
    for shape, make in shapes.items():
        for name, host in hosts.items():
            times, outcome = [], ""
            for size in sizes:
                secs, outcome = parse_time(insert(host, make(host, size), shape in AT_TOP), args.repeat, args.budget)
                times.append(secs)
                if secs == float("inf"):
                    over.append(f"{shape} in {name} at {round(size / 2**20, 2):g} MB")
                    break
            times += [float("nan")] * (len(sizes) - len(times))
            growth = times[-1] / times[-2] if len(times) > 1 else float("nan")
            worst = max(worst, growth) if math.isfinite(growth) else worst
            per_kb = times[-1] * 1e6 / (sizes[-1] / 1024)
            print(f"{shape:20} {name[:14]:14} " + " ".join(_ms(t) for t in times)
                  + f" {growth:5.2f} {per_kb:6.1f}  {outcome[:60]}", flush=True)
    print(f"\nlargest growth between the two largest sizes: {worst:.2f} (2.0 = linear, 4.0 = quadratic)")
    for what in over:
        print(f"over the budget of {args.budget:g} s: {what}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
