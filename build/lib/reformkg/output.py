"""Query rows written as JSON, CSV or a terminal table."""

from __future__ import annotations

import csv
import json
from datetime import date
from typing import Any, TextIO


def jsonable(value: Any) -> Any:
    """Dates as ISO strings; everything else as the JSON encoder takes it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def cell(value: Any) -> str:
    """One value as flat text: lists joined with ``; ``, null as empty."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(jsonable(value))


def columns(rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def write_rows(rows: list[dict[str, Any]], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        json.dump(jsonable(rows), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        names = columns(rows)
        writer.writerow(names)
        writer.writerows([cell(row.get(n)) for n in names] for row in rows)
    elif fmt == "table":
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns(rows), show_lines=False)
        for row in rows:
            table.add_row(*(cell(row.get(n)) for n in columns(rows)))
        Console(file=out, width=200 if not out.isatty() else None).print(table)
        out.write(f"{len(rows)} rows\n")
    else:
        raise ValueError(f"unknown format {fmt!r}")
