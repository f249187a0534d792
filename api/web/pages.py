"""The HTML pages (Simplified Chinese, server-rendered, no JavaScript needed).

``/``                 search: ``q`` and the facet filters ``zone``, ``category``, ``agency`` (lead),
                      ``scope``, ``document``, ``year`` in the URL; ``page`` (50 per page)
``/m/{id}``           a measure, its passage in the source and its lineage graph
``/z``, ``/z/{id}``   the zones; a zone's pilots and their promotions as a timeline
``/a/{id}``           an agency's measures, its predecessors' included
``/d``, ``/d/{id}``   the documents; a document's measures in printed order
``/c``, ``/c/{id}``   the categories with counts; a category's measures

Every list page answers ``?format=csv`` and ``?format=json`` with the whole list
(all pages of a search).  Ids are the IRI's local part, as in the JSON API.
None of this is in the OpenAPI schema.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.iris import Iris
from api.problems import ProblemException
from api.routers import agencies as agencies_api
from api.routers import categories as categories_api
from api.routers import documents as documents_api
from api.routers import lineage as lineage_api
from api.routers import measures as measures_api
from api.routers import search as search_api
from api.routers import zones as zones_api
from api.web import data, export, lineage_svg, measure_graph, source
from api.web.text import highlight, snippet
from graph.backend import GraphBackend

HERE = Path(__file__).parent
STATIC = HERE / "static"
PAGE_SIZE = 50
HTML = "text/html; charset=utf-8"

router = APIRouter(include_in_schema=False)
env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                  trim_blocks=True, lstrip_blocks=True)

PREFIX = {"measure": "/m/", "zone": "/z/", "agency": "/a/", "document": "/d/", "category": "/c/"}
ROLE_NAMES = {"LED_BY": "牵头", "PARTICIPANT": "参与", "SUPPORTED_BY": "配合", "lead": "牵头",
              "participant": "参与", "support": "配合"}
LEVELS = {"national": "国家", "province": "省", "city": "市", "district": "区"}
GENRES = {"opinions": "实施意见", "action_plan": "行动方案", "replication_table": "复制推广清单",
          "task_table": "任务分工表"}
STATUS = {"completed": "已完成"}


def href(kind: str, ident: str | None) -> str:
    """The page of a node (``search-scope``: the search filtered by a scope)."""
    if ident is None:
        return "#"
    if kind == "search-scope":
        return "/?" + urlencode({"scope": ident})
    return PREFIX[kind] + quote(ident, safe="/")


def fmt_date(value: Any) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else (value or "")


env.globals.update(href=href, ROLE_NAMES=ROLE_NAMES, LEVELS=LEVELS, GENRES=GENRES, STATUS=STATUS,
                   FACETS=data.FACETS)
env.filters["date"] = fmt_date
env.filters["urlpath"] = lambda v: quote(str(v), safe="/")


def store_of(request: Request) -> GraphBackend:
    store = getattr(request.app.state, "store", None)
    if store is None:
        raise ProblemException(503, "database-unavailable", title="数据库不可用", detail="图数据库未打开")
    return store


def iris_of(request: Request) -> Iris:
    return request.app.state.iris


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = env.get_template(template).render(request=request, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status, media_type=HTML)


def error_page(request: Request, exc: ProblemException) -> HTMLResponse:
    titles = {404: "未找到", 503: "数据库不可用"}
    return render(request, "error.html", status=exc.status, status_code=exc.status,
                  title=titles.get(exc.status, "出错了"), detail=exc.detail)


def downloads(request: Request) -> dict[str, str]:
    """The download links of a list page: its URL with ``format`` set."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("format", "page")]
    return {fmt: request.url.path + "?" + urlencode(params + [("format", fmt)]) for fmt in ("csv", "json")}


def wanted_format(request: Request) -> str | None:
    fmt = request.query_params.get("format")
    return fmt if fmt in ("csv", "json") else None


def page_or_error(fn):
    """Render unknown ids and database errors as an HTML page (in Chinese), not a JSON problem."""
    import functools

    @functools.wraps(fn)
    def wrapper(request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return fn(request, *args, **kwargs)
        except ProblemException as exc:
            if exc.status in (404, 503):
                return error_page(request, exc)
            raise
    return wrapper


# ---------------------------------------------------------------- search


@router.get("/", response_class=HTMLResponse)
@page_or_error
def search_page(request: Request) -> Response:
    store, iris = store_of(request), iris_of(request)
    query = {k: v for k, v in request.query_params.items()}
    sel = data.selection(store, iris, query)
    params = sel.params()
    fmt = wanted_format(request)
    if fmt:  # a download is the whole result
        rows = data.measure_rows(store, iris, params)
        return export.download(fmt, "reformkg-measures", _search_title(sel),
                               [export.measure_record(r) for r in rows], export.MEASURE_COLUMNS)
    total = data.measure_count(store, params)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    try:
        page = min(max(1, int(query.get("page", "1"))), pages)
    except ValueError:
        page = 1
    shown = data.measure_page(store, iris, params, (page - 1) * PAGE_SIZE, PAGE_SIZE) if total else []
    for r in shown:
        r["title_html"] = highlight(r["title"], sel.terms)
        r["snippet_html"] = snippet(r["body"], sel.terms) if sel.terms else None
    others = []
    if sel.terms:
        others = (search_api.search_hits(store, iris, sel.terms, "document")[1]
                  + search_api.search_hits(store, iris, sel.terms, "agency")[1])
    current = {k: v for k, v in sel.given.items()}
    if sel.q:
        current["q"] = sel.q

    def url(**changes: Any) -> str:
        params = {**current, **changes}
        params = {k: v for k, v in params.items() if v not in (None, "")}
        return "/?" + urlencode(params) if params else "/"

    return render(request, "search.html", sel=sel, rows=shown, total=total, page=page, pages=pages,
                  facets=data.facets(store, iris, params), url=url, others=others,
                  downloads=downloads(request), page_size=PAGE_SIZE, title=_search_title(sel))


def _search_title(sel: data.Selection) -> str:
    parts = [f"“{sel.q}”"] if sel.q else []
    parts += [sel.names.get(k, v) for k, v in sel.given.items()]
    return "检索：" + "，".join(parts) if parts else "全部改革措施"


# ---------------------------------------------------------------- measure


@router.get("/m/{id:path}", response_class=HTMLResponse)
@page_or_error
def measure_page(request: Request, id: str) -> Response:
    store, iris = store_of(request), iris_of(request)
    m = measures_api.get_measure(store, iris, id)
    lin = lineage_api.lineage_of_measure(store, iris, id)
    doc = m.get("document") or {}
    doc_props = store.run_read("MATCH (d:PolicyDocument {uri: $uri}) RETURN properties(d) AS p",
                               {"uri": doc.get("uri")})[0]["p"] if doc.get("uri") else {}
    passage = source.passage(m.get("source_file"), doc_props.get("source_sha256"), m.get("span_start"),
                             m.get("span_end"))
    nodes, edges = measure_graph.build(store, m["uri"], lin, href, iris.id_of)
    svg = lineage_svg.render(lineage_svg.layout(nodes, edges), f"{m['title']}：沿革图") if len(nodes) > 1 else None
    when, when_label = data.doc_when(doc_props.get("issued"), doc_props.get("published"), doc_props.get("year"))
    linked = sorted(
        [{**x, "direction": d} for d, key in (("来源（更早）", "ancestors"), ("后续（更晚）", "descendants"),
                                            ("相关（先后不详）", "related")) for x in lin[key]],
        key=lambda x: (x.get("document_date") is None, x.get("document_date") or dt.date.min, x["name"] or ""))
    return render(request, "measure.html", m=m, doc=doc_props, doc_when=when_label, passage=passage, svg=svg,
                  linked=linked, promotions=lin["promotions"], title=m["title"],
                  turtle=f"/id/measure/{quote(m['id'], safe='/')}?format=turtle")


# ---------------------------------------------------------------- zones


ZONE_COLUMNS = [("source", "来源"), *export.MEASURE_COLUMNS]


@router.get("/z", response_class=HTMLResponse)
@page_or_error
def zones_index(request: Request) -> Response:
    store, iris = store_of(request), iris_of(request)
    items = zones_api.list_zones(request, store, iris, zones_api.ZoneFilters(limit=500))["items"]
    if fmt := wanted_format(request):
        return export.download(fmt, "reformkg-zones", "试点片区", items,
                               [("id", "编号"), ("name", "名称"), ("aliases", "别名"), ("measures", "措施数"), ("uri", "IRI")])
    return render(request, "zones.html", items=items, downloads=downloads(request), title="试点片区")


@router.get("/z/{id:path}", response_class=HTMLResponse)
@page_or_error
def zone_page(request: Request, id: str) -> Response:
    store, iris = store_of(request), iris_of(request)
    zone = zones_api.get_zone(store, iris, id)
    zl = lineage_api.zone_lineage(store, iris, id)
    rows = data.measure_rows(store, iris, {"zone": [zone["uri"]]})
    for r in rows:
        r["source"] = next((z["source"] for z in r["zones"] if z["uri"] == zone["uri"]), None)
    pilots = [r for r in rows if r["source"] == "document"]
    mentions = [r for r in rows if r["source"] != "document"]
    if fmt := wanted_format(request):
        return export.download(fmt, f"reformkg-zone-{zone['zone_id'] or 'zone'}", zone["name"],
                               [{**export.measure_record(r), "source": "片区试点" if r["source"] == "document"
                                 else "文中提及"} for r in pilots + mentions], ZONE_COLUMNS)
    # the timeline: per (date, batch, scope) the zone's pilots promoted there
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for r in pilots:
        for s in r["scopes"]:
            groups[(s.get("date"), s.get("batch"), s["name"])].append(r)
    scope_ids = {s["name"]: s["id"] for r in pilots for s in r["scopes"]}
    timeline = [{**t, "kind": "promotion", "label": fmt_date(t["date"]) or "日期不详",
                 "members": groups.get((t["date"], t["batch"], t["scope"]), []), "scope_id": scope_ids.get(t["scope"])}
                for t in zl["timeline"]]
    timeline += later_documents(store, iris, zone["uri"])
    timeline.sort(key=lambda t: (t["date"] is None, t["date"] or dt.date.min, t["kind"] != "promotion"))
    by_type: dict[str, int] = defaultdict(int)
    for r in pilots:
        for t in {s.get("type") for s in r["scopes"]}:
            by_type[t] += 1
    promoted = sum(1 for r in pilots if r["scopes"])
    not_promoted = [r for r in pilots if not r["scopes"]]
    return render(request, "zone.html", zone=zone, zl=zl, pilots=pilots, mentions=mentions, timeline=timeline,
                  citywide=by_type.get("citywide", 0), promoted=promoted, not_promoted=not_promoted,
                  downloads=downloads(request), title=zone["name"])


LATER = """
MATCH (z:PilotZone {uri: $uri})<-[r:PILOTED_IN]-(m:Measure) WHERE r.source = 'document'
MATCH (m)<-[:DERIVED_FROM*1..3]-(o:Measure)-[:PART_OF]->(d:PolicyDocument)
RETURN 'derived' AS kind, m.uri AS pilot_uri, m.title AS pilot, o.uri AS uri, o.title AS title, d.uri AS document_uri,
       d.title AS document_title, d.doc_number AS doc_number, d.issued AS issued, d.published AS published, d.year AS year
UNION
MATCH (z:PilotZone {uri: $uri})<-[r:PILOTED_IN]-(m:Measure) WHERE r.source = 'document'
MATCH (m)-[:RELATED_TO]-(o:Measure)-[:PART_OF]->(d:PolicyDocument)
RETURN 'related' AS kind, m.uri AS pilot_uri, m.title AS pilot, o.uri AS uri, o.title AS title, d.uri AS document_uri,
       d.title AS document_title, d.doc_number AS doc_number, d.issued AS issued, d.published AS published, d.year AS year
"""


def later_documents(store: GraphBackend, iris: Iris, zone_uri: str) -> list[dict[str, Any]]:
    """Timeline events for the zone's pilots taken up by other documents (lineage links), one per
    document: which pilot became which later (or related) measure."""
    events: dict[str, dict[str, Any]] = {}
    for r in store.run_read(LATER, {"uri": zone_uri}):
        when, label = data.doc_when(r["issued"], r["published"], r["year"])
        e = events.setdefault(r["document_uri"], {
            "kind": "document", "date": when, "label": label, "document": iris.ref(r["document_uri"], r["document_title"]),
            "doc_number": r["doc_number"], "links": []})
        link = {"kind": r["kind"], "pilot": iris.ref(r["pilot_uri"], r["pilot"]), "measure": iris.ref(r["uri"], r["title"])}
        if link not in e["links"]:
            e["links"].append(link)
    return list(events.values())


# ---------------------------------------------------------------- agencies


AGENCY_COLUMNS = [("id", "编号"), ("seq", "序号"), ("title", "标题"), ("role", "角色"), ("as_agency", "文件所列单位"),
                  ("via_predecessor", "前身单位的措施"), ("document", "文件"), ("uri", "IRI")]


@router.get("/a/{id:path}", response_class=HTMLResponse)
@page_or_error
def agency_page(request: Request, id: str) -> Response:
    store, iris = store_of(request), iris_of(request)
    agency = agencies_api.get_agency(store, iris, id)
    al = lineage_api.agency_lineage(store, iris, id, role="any")
    items = [{**x, "role": ROLE_NAMES.get(x.get("role") or "", x.get("role")), "title": x["name"]}
             for x in al["measures"]]
    if fmt := wanted_format(request):
        return export.download(fmt, "reformkg-agency", agency["name"], items, AGENCY_COLUMNS)
    return render(request, "agency.html", agency=agency, al=al, items=items, downloads=downloads(request),
                  title=agency["name"])


# ---------------------------------------------------------------- documents

RELATED_DOCUMENTS = """
MATCH (d:PolicyDocument {uri: $uri})<-[:PART_OF]-(m:Measure)-[r:DERIVED_FROM|RELATED_TO]-(o:Measure)
MATCH (o)-[:PART_OF]->(od:PolicyDocument) WHERE od.uri <> d.uri
RETURN od.uri AS uri, od.title AS title, od.doc_number AS doc_number, coalesce(od.issued, od.published) AS date,
       od.year AS year, count(DISTINCT m) AS measures, count(DISTINCT o) AS linked
ORDER BY measures DESC, uri
"""


@router.get("/d", response_class=HTMLResponse)
@page_or_error
def documents_index(request: Request) -> Response:
    store, iris = store_of(request), iris_of(request)
    items = documents_api.list_documents(request, store, iris, documents_api.DocumentFilters(limit=500))["items"]
    if fmt := wanted_format(request):
        return export.download(fmt, "reformkg-documents", "政策文件", items,
                               [("id", "编号"), ("doc_number", "文号"), ("title", "标题"), ("genre", "类型"),
                                ("issued", "成文日期"), ("published", "发布日期"), ("year", "年份"),
                                ("measures", "措施数"), ("uri", "IRI")])
    return render(request, "documents.html", items=items, downloads=downloads(request), title="政策文件")


@router.get("/d/{id:path}", response_class=HTMLResponse)
@page_or_error
def document_page(request: Request, id: str) -> Response:
    store, iris = store_of(request), iris_of(request)
    doc = documents_api.get_document(store, iris, id)
    rows = data.measure_rows(store, iris, {"document": [doc["uri"]]})
    if fmt := wanted_format(request):
        return export.download(fmt, "reformkg-document", doc["title"], [export.measure_record(r) for r in rows],
                               export.MEASURE_COLUMNS)
    related = [{**r, "id": iris.id_of(r["uri"])} for r in store.run_read(RELATED_DOCUMENTS, {"uri": doc["uri"]})]
    return render(request, "document.html", doc=doc, rows=rows, related=related, downloads=downloads(request),
                  title=doc["title"])


# ---------------------------------------------------------------- categories


@router.get("/c", response_class=HTMLResponse)
@page_or_error
def categories_index(request: Request) -> Response:
    store, iris = store_of(request), iris_of(request)
    items = categories_api.list_categories(request, store, iris, categories_api.CategoryFilters(limit=500))["items"]
    for c in items:
        c["broader_name"] = (c.get("broader") or {}).get("name")
    if fmt := wanted_format(request):
        return export.download(fmt, "reformkg-categories", "类别", items,
                               [("id", "编号"), ("name", "名称"), ("broader_name", "上级类别"), ("measures", "措施数"),
                                ("uri", "IRI")])
    narrower: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in items:
        if c.get("broader"):
            narrower[c["broader"]["uri"]].append(c)
    tops = sorted((c for c in items if not c.get("broader")), key=lambda c: (-c["measures"], c["name"]))
    return render(request, "categories.html", tops=tops, narrower=narrower, items=items,
                  downloads=downloads(request), title="类别")


@router.get("/c/{id:path}", response_class=HTMLResponse)
@page_or_error
def category_page(request: Request, id: str) -> Response:
    store, iris = store_of(request), iris_of(request)
    cat = categories_api.get_category(store, iris, id)
    rows = data.measure_rows(store, iris, {"category": [cat["uri"]]})
    if fmt := wanted_format(request):
        return export.download(fmt, "reformkg-category", cat["name"], [export.measure_record(r) for r in rows],
                               export.MEASURE_COLUMNS)
    return render(request, "category.html", cat=cat, rows=rows, downloads=downloads(request), title=cat["name"])
