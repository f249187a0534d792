"""The domain model shared by the loaders, the graph layer and the API.

Everything here is plain, immutable data.  Loaders produce a :class:`Document`
from text; ``graph.build`` turns it into nodes and relationships with IRIs;
the API reads the same shapes back.  No I/O happens in this module.

Text fields come in pairs where the source may be Traditional Chinese:
``title`` is the normalised (NFKC, Simplified) form used for matching and
display, ``title_orig`` is the text exactly as printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum


class Genre(str, Enum):
    """The kinds of document the loaders understand, detected from content."""

    OPINIONS = "opinions"  # 实施意见: themes 一、 with items (一) ... (…负责)
    ACTION_PLAN = "action_plan"  # 行动方案: groups (一) with items 1. ... (X牵头, …负责)
    REPLICATION_TABLE = "replication_table"  # 复制推广 table with 推广范围 (tab or pipe layout)
    TASK_TABLE = "task_table"  # 任务分工表: main task / sub-task / measure / units / deadline


class Role(str, Enum):
    """How an agency takes part in a measure."""

    LEAD = "lead"  # 牵头 / 负责 / 牵头单位 / 牵头配合部门 (first is primary)
    PARTICIPANT = "participant"  # 按职责分工负责 after the lead in an action plan
    SUPPORT = "support"  # 市支持指导部门 in a task table (first is primary)


class Level(str, Enum):
    NATIONAL = "national"
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character offsets into the decoded source text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Agency:
    """A resolved agency: one per real body across all documents."""

    name: str  # canonical full name, Simplified, e.g. 深圳市市场监督管理局
    level: Level
    jurisdiction: str  # place id from the ontology, e.g. "shenzhen"
    parent: str | None = None  # canonical name of the parent government or organ
    function: str | None = None  # agency-function concept id (e.g. "market-regulation")
    is_government: bool = False  # a people's government (人民政府) itself


@dataclass(frozen=True, slots=True)
class AgencyMention:
    """An agency as named in one place of one document."""

    agency: Agency
    printed: str  # exactly as printed (Traditional stays Traditional)
    role: Role
    rank: int  # 0 is the primary unit of its role


@dataclass(frozen=True, slots=True)
class Target:
    """A quantitative goal, e.g. 到2025年 … 进出口总额突破8000亿元."""

    metric: str
    value: float
    unit: str
    year: int
    comparator: str  # ">" for 突破/超过, ">=" for 达/达到…以上
    text: str  # the clause as printed
    span: Span


@dataclass(frozen=True, slots=True)
class Category:
    """A heading that groups measures: theme, group, category, main task or sub-task."""

    seq: str  # numbering as printed, normalised: "一", "(三)"
    label: str  # Simplified, without numbering and item counts
    label_orig: str
    parent_seq: str | None = None  # for a sub-task: the main task's seq
    declared_count: int | None = None  # "(8项)" when printed


@dataclass(frozen=True, slots=True)
class Measure:
    seq: str  # item number as printed, e.g. "3" or "二.(一)" for nested numbering
    key: str  # stable key inside its document, used for the IRI, e.g. "2-1"
    title: str
    title_orig: str
    body: str
    body_orig: str
    span: Span  # the measure's text in the source
    category: Category | None = None
    subcategory: Category | None = None
    agencies: tuple[AgencyMention, ...] = ()
    zones: tuple[str, ...] = ()  # pilot zone ids, document context first
    zones_from_text: tuple[str, ...] = ()  # the subset found by entity recognition
    scope: str | None = None  # replication scope id, e.g. "shenzhen/citywide"
    scope_printed: str | None = None
    deadline: date | None = None
    deadline_printed: str | None = None
    status: str | None = None  # "completed" for 已完成
    working_group: str | None = None
    targets: tuple[Target, ...] = ()

    def by_role(self, role: Role) -> list[Agency]:
        return [m.agency for m in sorted(self.agencies, key=lambda m: m.rank) if m.role is role]


@dataclass(frozen=True, slots=True)
class Document:
    source_file: str  # file name as loaded
    source_sha256: str
    encoding: str  # "utf-8" or "gb18030"
    genre: Genre
    title: str
    title_orig: str
    doc_number: str | None = None  # Simplified, normalised brackets: 粤府办〔2018〕34号
    doc_number_orig: str | None = None
    issuer: Agency | None = None
    issuer_printed: str | None = None
    issued: date | None = None  # date of the document (落款)
    published: date | None = None  # publication date where printed
    jurisdiction: str | None = None  # place id
    zone: str | None = None  # pilot zone id when the document is about one zone
    batch: int | None = None  # 第六批 -> 6
    year: int | None = None  # the year the document speaks of (for deadlines)
    script: str = "hans"  # "hant" when the source is Traditional
    categories: tuple[Category, ...] = ()
    measures: tuple[Measure, ...] = ()
    targets: tuple[Target, ...] = ()  # document-level goals (发展目标)
    warnings: tuple[str, ...] = field(default=())
