"""The one error type of the loaders: it names the file and the position."""

from __future__ import annotations


class ParseError(ValueError):
    def __init__(self, source: str, line: int, message: str, column: int | None = None):
        self.source = source
        self.line = line
        self.column = column
        self.message = message
        where = f"{source}:{line}" + (f":{column}" if column else "")
        super().__init__(f"{where}: {message}")
