"""Downloads of the lists the pages show: CSV (UTF-8 with a BOM, so Excel opens the Chinese
correctly, and a header row) and JSON (``{"title", "count", "items"}``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response

from api.jsonable import to_json

Column = tuple[str, str]  # (JSON key, CSV header)

MEASURE_COLUMNS: list[Column] = [
    ("id", "编号"), ("seq", "序号"), ("title", "标题"), ("document", "文件"), ("doc_number", "文号"),
    ("year", "年份"), ("category", "类别"), ("lead", "牵头单位"), ("zones", "试点片区"), ("scopes", "推广范围"),
    ("deadline", "完成时限"), ("status", "状态"), ("uri", "IRI"),
]


def measure_record(r: dict[str, Any]) -> dict[str, Any]:
    """A measure list row as downloaded."""
    return {
        "id": r["id"], "seq": r.get("seq"), "title": r["title"], "document": r.get("document_title"),
        "doc_number": r.get("doc_number"), "year": r.get("year"),
        "category": [c["name"] for c in r.get("cats", [])], "lead": [a["name"] for a in r.get("leads", [])],
        "zones": [z["name"] for z in r.get("zones", [])],
        "scopes": [s["name"] for s in r.get("scopes", [])],
        "deadline": r.get("deadline"), "status": r.get("status"), "uri": r["uri"],
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "；".join(_cell(v) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def csv_text(records: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([h for _k, h in columns])
    for rec in records:
        writer.writerow([_cell(rec.get(k)) for k, _h in columns])
    return buf.getvalue()


def download(fmt: str, name: str, title: str, records: Sequence[dict[str, Any]],
             columns: Sequence[Column]) -> Response:
    """The response for ``?format=csv`` or ``?format=json``; ``name`` is an ASCII file stem."""
    if fmt == "csv":
        body = "\ufeff" + csv_text(records, columns)
        return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    keys = [k for k, _h in columns]
    payload = {"title": title, "count": len(records),
               "items": [to_json({k: rec.get(k) for k in keys}) for rec in records]}
    return Response(json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8"),
                    media_type="application/json; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.json"'})
