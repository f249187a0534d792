"""What a genre parser returns before document metadata is attached."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from loaders.errors import ParseError
from reformkg.model import Category, Measure, Target


@dataclass
class Parsed:
    categories: list[Category] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)  # document-level
    warnings: list[str] = field(default_factory=list)

    def check_sequence(self, source: str) -> None:
        """Keys must be unique: a repeated item number means a broken structure."""
        dup = [k for k, n in Counter(m.key for m in self.measures).items() if n > 1]
        if dup:
            raise ParseError(source, 1, f"item numbers repeat: {', '.join(dup[:5])}")

    def check_declared_counts(self, source: str, last_line: int) -> None:
        """Headings that print their size ("(8项)") must match the items found.

        A short last category means the table was cut off; elsewhere it is a
        warning (documents do miscount).
        """
        per = Counter(m.category.seq for m in self.measures if m.category)
        for i, c in enumerate(self.categories):
            if c.declared_count is None or c.parent_seq is not None:
                continue
            found = per.get(c.seq, 0)
            if found == c.declared_count:
                continue
            msg = f"category {c.seq}、{c.label} declares {c.declared_count} items, found {found}"
            if i == len(self.categories) - 1 and found < c.declared_count:
                raise ParseError(source, last_line, msg + ": the table is truncated")
            self.warnings.append(f"{source}: {msg}")
