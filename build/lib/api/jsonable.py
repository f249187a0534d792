"""Database values as JSON values (what ``json.dumps(..., allow_nan=False)`` accepts).

Both backends already turn nodes, relationships and paths into dicts; what is
left are dates and times (ISO 8601 strings), durations (ISO 8601 durations),
non-finite floats (the strings ``NaN``, ``Infinity``, ``-Infinity``) and
anything else a driver may return (its ``str``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any


def to_json(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v) for v in value]
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _duration(days=value.days, seconds=value.seconds + value.microseconds / 1e6)
    if hasattr(value, "iso_format"):  # neo4j.time types
        return value.iso_format()
    if type(value).__name__ == "relativedelta":  # FalkorDB durations (dateutil)
        return _duration(value.years, value.months, value.days, value.hours * 3600 + value.minutes * 60
                         + value.seconds + value.microseconds / 1e6)
    return str(value)


def _duration(years: int = 0, months: int = 0, days: int = 0, seconds: float = 0) -> str:
    date_part = "".join(f"{n}{u}" for n, u in ((years, "Y"), (months, "M"), (days, "D")) if n)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    secs_text = f"{secs:g}" if secs != int(secs) else str(int(secs))
    time_part = "".join(f"{n}{u}" for n, u in ((int(hours), "H"), (int(minutes), "M")) if n)
    time_part += f"{secs_text}S" if secs else ""
    return "P" + date_part + (f"T{time_part}" if time_part else "") if (date_part or time_part) else "PT0S"
