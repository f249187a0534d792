"""A synthetic corpus of any size, in the five layouts of the bundled corpus, that
knows its true cross-document links.

    python bench/corpus.py --measures 20000 --out /tmp/corpus     # files + truth.json
    python bench/corpus.py --refresh-vocab                         # rebuild bench/vocab_words.txt

Pure and seeded: the same ``measures`` and ``seed`` give byte-identical files.

**Documents.** About 100 measures each (``measures // 100`` documents, at least
5, sizes varying by +-30 % and summing exactly to ``measures``), cycling through
the five genres of the bundled corpus:

* ``opinions``: a provincial notice (粤府办〔Y〕N号, title, date line) with themes
  "一、…" and items "(一)title。body(省X、Y,广州、深圳、珠海市人民政府负责)"; some
  items wrap onto a second line; NBSP indentation; full-width parentheses;
* ``action-plan``: groups "(一)…。" over items "1. title。body(X牵头,Y…按职责分工
  负责)", plan goals and item targets "到2025年,争取…突破N万家";
* ``replication-tab``: the Qianhai layout: every cell on its own tab-led line,
  wrapped header labels (试点\\n任务), wrapped content cells, category rows
  "一、投资便利化（8项）", 推广范围 (全市, 海关特殊监管区域, 有关区, 全省);
* ``replication-pipe``: the Nansha layout: a city notice, then "分类 | 序号 | …
  | 推广范围 |" rows, a category cell repeated on some rows, some rows wrapped
  across two lines; every other one printed in Traditional script (OpenCC
  s2t, as the Nansha file is);
* ``task-table``: the Hengqin markdown task table, the header repeated for every
  main task and drifting (an extra empty column), sub-tasks, working groups,
  supporting (市…) and leading (区…) units, deadlines (8月底, 11 月底, 年底,
  6月30日, 已完成).

Zones, cities and agencies: the three pilot zones of the ontology
(Nansha/Guangzhou, Qianhai-Shekou/Shenzhen, Hengqin/Zhuhai; Hengqin documents
are dated before the zone's succession in 2021) with agency names printed in
the bundled documents; provincial units for the opinions and plans.

**Reform ideas.** Words come from ``bench/vocab_words.txt``: the informative words
(:func:`loaders.terms.terms`) of the bundled corpus's 234 measures.  An idea is
three *core* words (the instrument's name) and six *detail* words.  Half of the
measures are occurrences of ideas that recur in 2 to 4 different documents
(different years, zones and genres); the others are ideas printed once.  Each
occurrence paraphrases its idea: its own policy verb and suffix in the title
(推行…体系 / 建立…平台), one core word replaced by another word 30 % of the
time, 60-85 % of the detail words, and two to four filler clauses of words
drawn by a Zipf law over the vocabulary (topic words every measure shares).
The truth (``truth.json``) lists every idea's occurrences as ``[file, key]``
(``key`` is the measure key the loaders give: "3-2" for opinions, the item
number elsewhere); the true links are the pairs of occurrences of one idea.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
VOCAB_FILE = HERE / "vocab_words.txt"
SEED = 20240601

GENRES = ("opinions", "action-plan", "replication-tab", "replication-pipe", "task-table")
RECURRING_SHARE = 0.5  # share of measures that are occurrences of a recurring idea
OCCURRENCES = (2, 2, 3, 3, 4)  # how many documents a recurring idea appears in

VERBS = ("推行", "建立", "完善", "探索", "推进", "深化", "优化", "开展", "实施", "构建", "打造", "健全", "推动")
SUFFIXES = ("体系", "平台", "机制", "制度", "模式", "服务", "系统", "中心")
CONNECTORS = ("", "", "和", "与", "的", "及")
CATEGORIES = ("投资便利化", "贸易便利化", "政府职能转变", "事中事后监管", "法治环境建设", "金融开放创新",
              "绿色城市建设", "人才发展", "航运物流", "粤港澳合作")
THEMES = ("赋予自贸试验区更大管理权限", "推行“一照一码走天下”", "深化商事制度改革", "提升贸易便利化水平",
          "扩大金融领域开放", "强化知识产权保护", "健全事中事后监管", "优化法治营商环境", "促进人才集聚",
          "推进粤港澳深度合作")
MAIN_TASKS = ("加快构建国际化、法治化、市场化、便利化营商环境", "建设具有国际竞争力的金融服务体系",
              "推进粤港澳深度合作示范", "构建与国际规则接轨的贸易监管体系", "着力增强自贸试验区辐射带动功能")
GROUPS = ("法制建设组", "金融财税组", "统筹协调组", "政府职能组", "投资贸易组")
DEADLINES = ("8月底", "11月底", "11 月底", "6月底", "年底", "12月31日", "已完成", "5月底")
SCOPES = ("全市", "全市", "全市", "全市", "海关特殊监管区域", "有关区", "全省")

PROVINCE_UNITS = ("商务厅", "市场监管局", "司法厅", "知识产权局", "住房城乡建设厅", "交通运输厅", "公安厅",
                  "财政厅", "自贸办", "人力资源社会保障厅", "生态环境厅", "政务服务数据管理局")
OTHER_UNITS = ("海关广东分署", "广州海关", "深圳海关", "拱北海关", "人民银行广州分行", "广东证监局", "广东海事局")
CITY_GOVS = ("广州、深圳、珠海市人民政府", "深圳市人民政府", "广州市人民政府", "珠海市人民政府")

# zone id -> (zone name as printed, city, city government, notice prefix, city-specific units)
ZONES = {
    "nansha": ("广州南沙新区片区", "广州", "广州市人民政府", "穗府函", ("广州海关", "南沙海事局")),
    "qianhai-shekou": ("深圳前海蛇口片区", "深圳", "深圳市人民政府", "深府函", ("深圳海关", "深圳市税务局", "深圳海事局")),
    "hengqin": ("珠海横琴新区片区", "珠海", "珠海市人民政府", "珠府函", ("拱北海关", "横琴海关")),
}
CITY_UNITS = ("市市场监管局", "市商务局", "市司法局", "市住房建设局", "市中级人民法院", "市人力资源保障局", "市发改局",
              "市金融局", "市交通运输局", "市公安局")
DISTRICT_UNITS = ("区商务局", "区发改局", "区金融服务局", "区综合执法局", "区社会事务局", "区规划国土局", "区廉政办")
ZONE_VALID_UNTIL = {"hengqin": date(2021, 9, 1)}

NBSP = "\u00a0"
# Words that would read as structure to the loaders (clauses, header labels, counts, dates): never in the text.
BAD_WORDS = ("负责|牵头|关于|通知|具体措施|主要任务|完成时限|序号|编号|名称|内容|范围|分类|类别|领域|事项|"
             "单位|部门|[项批号年月日组局办厅委]")
_CN = "零一二三四五六七八九"


def to_cn(n: int) -> str:
    """1 -> 一, 12 -> 十二, 20 -> 二十, 105 -> 一百零五."""
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n % 10] if n % 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    rest = n % 100
    return _CN[n // 100] + "百" + ("" if rest == 0 else ("零" + _CN[rest] if rest < 10 else to_cn(rest) if rest >= 20
                                                        else "一" + to_cn(rest)))


@cache
def vocabulary() -> tuple[str, ...]:
    return tuple(w for w in VOCAB_FILE.read_text(encoding="utf-8").split("\n") if w and not w.startswith("#"))


def refresh_vocab() -> int:
    """Rebuild ``vocab_words.txt`` from the bundled corpus (needs spaCy and jieba)."""
    from graph.linking import seed_measure_texts
    from loaders.terms import terms

    words: set[str] = set()
    for m in seed_measure_texts():
        words.update(terms(m.title + "。" + m.body))
    bad = re.compile(BAD_WORDS)
    kept = sorted(w for w in words if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", w) and not bad.search(w))
    VOCAB_FILE.write_text("# informative words of the bundled corpus measures (loaders.terms.terms over "
                          "seed_measure_texts), regenerated by: python bench/corpus.py --refresh-vocab\n"
                          + "\n".join(kept) + "\n", encoding="utf-8")
    return len(kept)


# ---------------------------------------------------------------- ideas and measures

@dataclass(frozen=True, slots=True)
class Idea:
    core: tuple[str, ...]
    detail: tuple[str, ...]
    category: int


@dataclass(slots=True)
class Item:
    """One measure as the generator writes it (Simplified); ``key`` is filled in by the layout."""

    idea: int
    title: str
    body: str
    key: str = ""


@dataclass(slots=True)
class DocPlan:
    index: int
    genre: str
    size: int
    zone: str
    day: date
    traditional: bool = False
    ideas: list[int] = field(default_factory=list)

    @property
    def file(self) -> str:
        ext = "md" if self.genre == "task-table" else "txt"
        return f"{self.index:05d}-{self.genre}-{self.zone}.{ext}"


class _Words:
    """Vocabulary draws: uniform for ideas, Zipf for filler (topic words recur a lot)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words = list(vocabulary())
        self.zipf = self.words[:]
        rng.shuffle(self.zipf)
        self.cum = list(itertools.accumulate(1.0 / (r + 1) for r in range(len(self.zipf))))

    def uniform(self, k: int) -> tuple[str, ...]:
        return tuple(self.rng.sample(self.words, k))

    def common(self, k: int) -> list[str]:
        return self.rng.choices(self.zipf, cum_weights=self.cum, k=k)


def _render(idea: Idea, words: _Words, rng: random.Random) -> tuple[str, str]:
    """One paraphrase of the idea: (title, body), Simplified, no 。 in the title."""
    core = list(idea.core)
    if rng.random() < 0.3:
        core[rng.randrange(len(core))] = words.uniform(1)[0]
    title = rng.choice(VERBS) + "".join(core) + rng.choice(SUFFIXES)
    detail = [w for w in idea.detail if rng.random() < 0.72] or list(idea.detail[:3])
    clauses = [rng.choice(VERBS) + "".join(core[:2]) + rng.choice(CONNECTORS) + "".join(detail[:3])]
    if detail[3:]:
        clauses.append(rng.choice(VERBS) + "".join(detail[3:]))
    for _ in range(rng.randint(2, 4)):
        clauses.insert(rng.randrange(len(clauses) + 1),
                       rng.choice(VERBS) + rng.choice(CONNECTORS).join(words.common(rng.randint(3, 5))))
    body = "，".join(clauses) + "。"
    if rng.random() < 0.1:  # a stray NBSP inside the text, as copied from web pages
        at = rng.randrange(1, len(body) - 1)
        body = body[:at] + NBSP + body[at:]
    return title, body


# ---------------------------------------------------------------- planning

def plan(measures: int, seed: int = SEED) -> tuple[list[DocPlan], list[Idea]]:
    """Documents (genre, size, zone, date) and the idea of every measure slot."""
    if measures < 5:
        raise ValueError("at least 5 measures (one document per genre)")
    rng = random.Random(seed)
    n_docs = max(5, round(measures / 100))
    weights = [rng.uniform(0.7, 1.3) for _ in range(n_docs)]
    sizes = [max(1, int(measures * w / sum(weights))) for w in weights]
    k = 0
    while sum(sizes) != measures:  # spread the rounding over the documents
        sizes[k % n_docs] += 1 if sum(sizes) < measures else (-1 if sizes[k % n_docs] > 1 else 0)
        k += 1
    zones = list(ZONES)
    docs = []
    for i, size in enumerate(sizes):
        genre = GENRES[i % len(GENRES)]
        zone = zones[(i // len(GENRES)) % len(zones)]
        last = ZONE_VALID_UNTIL.get(zone, date(2024, 12, 31))
        first = date(2015, 6, 1)
        day = first + timedelta(days=rng.randrange((last - first).days))
        docs.append(DocPlan(i, genre, size, zone, day, traditional=genre == "replication-pipe" and (i // 5) % 2 == 0))

    words = _Words(rng)
    ideas: list[Idea] = []
    free = [d.size for d in docs]
    target = int(measures * RECURRING_SHARE)
    placed = 0
    while placed < target:
        k = min(rng.choice(OCCURRENCES), n_docs)
        chosen: list[int] = []
        for _ in range(50 * k):
            d = rng.randrange(n_docs)
            if free[d] > 0 and d not in chosen:
                chosen.append(d)
                if len(chosen) == k:
                    break
        if len(chosen) < 2:
            break
        idea = len(ideas)
        ideas.append(Idea(words.uniform(3), words.uniform(6), rng.randrange(len(CATEGORIES))))
        for d in chosen:
            docs[d].ideas.append(idea)
            free[d] -= 1
        placed += len(chosen)
    for d in docs:
        while len(d.ideas) < d.size:
            d.ideas.append(len(ideas))
            ideas.append(Idea(words.uniform(3), words.uniform(6), rng.randrange(len(CATEGORIES))))
        rng.shuffle(d.ideas)
    return docs, ideas


# ---------------------------------------------------------------- layouts

def _units(rng: random.Random, pool: tuple[str, ...], lo: int, hi: int) -> list[str]:
    return rng.sample(pool, rng.randint(lo, min(hi, len(pool))))


def _province_clause(rng: random.Random, lead_word: str) -> str:
    units = _units(rng, PROVINCE_UNITS, 1, 3)
    parts = ["省" + "、".join(units)]
    if rng.random() < 0.5:
        parts.append("、".join(_units(rng, OTHER_UNITS, 1, 2)))
    if rng.random() < 0.7:
        parts.append(rng.choice(CITY_GOVS))
    sep = "，" if rng.random() < 0.3 else ","
    if lead_word == "牵头":
        others = (["省" + "、".join(units[1:])] if units[1:] else []) + parts[1:]
        return f"省{units[0]}牵头" + (sep + sep.join(others) + "按职责分工" if others else "") + "负责"
    return sep.join(parts) + "负责"


def _groups(items: list[Item], rng: random.Random, lo: int, hi: int) -> list[list[Item]]:
    out, i = [], 0
    while i < len(items):
        n = rng.randint(lo, hi)
        out.append(items[i:i + n])
        i += n
    return out


def _notice_head(number: str, title: str, day: date, published: bool = True) -> list[str]:
    head = ["首页 > 政务公开 > 政策文件", ""]
    if published:
        pub = day + timedelta(days=3)
        head += [f"来源:广东省人民政府办公厅      发布时间:{pub.isoformat()} 09:30:00", ""]
    return head + [number, "", title, "", "各地级以上市人民政府,省政府各部门、各直属机构:", "",
                   "  现将有关文件印发给你们,请认真贯彻落实。", "", day.strftime("%Y年%-m月%-d日"), ""]


def opinions(d: DocPlan, items: list[Item], rng: random.Random) -> str:
    title = f"广东省人民政府办公厅关于印发深化自由贸易试验区制度创新第{d.index + 1}号实施意见的通知"
    lines = _notice_head(f"粤府办〔{d.day.year}〕{d.index + 1}号", title, d.day)
    lines += ["  为深入推进自由贸易试验区建设,现提出如下意见。", ""]
    for t, group in enumerate(_groups(items, rng, 3, 10), 1):
        lines += [f"  {to_cn(t)}、{THEMES[(t + d.index) % len(THEMES)]} ", ""]
        for k, it in enumerate(group, 1):
            it.key = f"{t}-{k}"
            o, c = ("（", "）") if rng.random() < 0.2 else ("(", ")")
            indent = NBSP * 2 if rng.random() < 0.2 else "  "
            text = f"{indent}({to_cn(k)}){it.title}。{it.body}{o}{_province_clause(rng, '负责')}{c} "
            if rng.random() < 0.15:  # wrapped onto a second line inside the body
                cut = len(indent) + 4 + len(it.title) + max(1, len(it.body) // 2)
                text = text[:cut] + "\n" + text[cut:]
            lines += [text, ""]
    lines += ["", "广东省人民政府办公厅"]
    return "\n".join(lines) + "\n"


def action_plan(d: DocPlan, items: list[Item], rng: random.Random) -> str:
    title = f"广东省人民政府关于印发自由贸易试验区提升战略第{d.index + 1}号行动方案的通知"
    lines = _notice_head(f"粤府函〔{d.day.year}〕{d.index + 1}号", title, d.day, published=False)
    goal = d.day.year + 2
    lines += ["  一、总体要求", "",
              "  (一)指导思想。全面提升自贸试验区改革、开放、创新发展水平。", "",
              f"  (二)发展目标。到{goal}年,争取累计注册外商投资企业突破{rng.randint(2, 9)}万家。", "",
              "  二、主要任务", ""]
    n = 0
    for g, group in enumerate(_groups(items, rng, 2, 6), 1):
        lines += [f"  ({to_cn(g)}){CATEGORIES[(g + d.index) % len(CATEGORIES)]},提升发展新优势。", ""]
        for it in group:
            n += 1
            it.key = str(n)
            target = ""
            if rng.random() < 0.2:
                target = f"到{goal}年,争取相关业务规模突破{rng.randint(10, 900)}亿元。"
            lines += [f"  {n}. {it.title}。{it.body}{target}({_province_clause(rng, '牵头')})", ""]
    lines += ["  三、保障措施", "", "  (一)加强组织实施。各部门按照责任分工,确保各项工作任务落地实施。", ""]
    return "\n".join(lines) + "\n"


def _categories(items: list[Item], rng: random.Random) -> list[tuple[str, list[Item]]]:
    cats = sorted({CATEGORIES[0]} | {rng.choice(CATEGORIES) for _ in range(6)}, key=CATEGORIES.index)
    groups = _groups(items, rng, 2, 12)
    return [(cats[i % len(cats)] if i < len(cats) else f"{cats[i % len(cats)]}{to_cn(i // len(cats) + 1)}", g)
            for i, g in enumerate(groups)]


def _lead_cell(d: DocPlan, rng: random.Random) -> str:
    pool = CITY_UNITS + ZONES[d.zone][4]
    return "、".join(_units(rng, pool, 1, 2)) if rng.random() < 0.9 else "各企业"


def replication_tab(d: DocPlan, items: list[Item], rng: random.Random, batch: int) -> str:
    zone = ZONES[d.zone][0]
    lines = ["附件", f"{d.day.year}年中国（广东）自由贸易试验区", f"{zone}第{batch}批改革创新经验", "复制推广工作任务分工表",
             "\t序号", "\t试点", "任务", "\t实施内容", "\t牵头", "单位", "\t推广", "范围", ""]
    n = 0
    for c, (label, group) in enumerate(_categories(items, rng), 1):
        lines += [f"\t{to_cn(c)}、{label}（{len(group)}项）", ""]
        for it in group:
            n += 1
            it.key = str(n)
            body = it.body
            if rng.random() < 0.2 and len(body) > 10:  # a wrapped content cell
                body = body[:len(body) // 2] + "\n" + body[len(body) // 2:]
            lines += [f"\t{n}", f"\t{it.title}", f"\t{body}", f"\t{_lead_cell(d, rng)}", f"\t{rng.choice(SCOPES)}", ""]
    lines += ["", d.day.strftime("%Y年%-m月%-d日"), ""]
    return "\n".join(lines) + "\n"


def replication_pipe(d: DocPlan, items: list[Item], rng: random.Random, batch: int) -> str:
    zone, city, gov, prefix, _ = ZONES[d.zone]
    title = f"{gov}关于推广实施中国(广东)自由贸易试验区{zone}第{batch}批改革创新经验的通知"
    lines = [f"{prefix}〔{d.day.year}〕{d.index + 1}号", title, "各区人民政府,市有关单位:",
             f"在市有关单位的积极推动下,{zone}总结形成了第{batch}批{len(items)}项改革创新经验。现就在全市推广实施的有关事项通知如下:",
             "一、重视推广实施工作", "各区、市各有关部门要深刻认识推广实施改革创新经验的重大意义。",
             "附件:改革创新经验清单", gov, d.day.strftime("%Y年%-m月%-d日"), "附件", f"{zone}第{batch}批在全市推广实施改革创新经验清单",
             "分类 | 序号 | 项目名称 | 实施内容 | 牵头单位 | 推广范围 |"]
    n = 0
    for c, (label, group) in enumerate(_categories(items, rng), 1):
        for k, it in enumerate(group):
            n += 1
            it.key = str(n)
            cells = [str(n), it.title, it.body, _lead_cell(d, rng), rng.choice(SCOPES)]
            if k == 0 or rng.random() < 0.05:  # the category cell, repeated on some rows
                cells.insert(0, f"{to_cn(c)}、{label}({len(group)}项)")
            row = " | ".join(cells) + " |"
            if rng.random() < 0.1:  # a row wrapped inside its content cell
                at = row.index(it.body) + max(1, len(it.body) // 2)
                row = row[:at] + "\n" + row[at:]
            lines.append(row)
    text = "\n".join(lines) + "\n"
    if d.traditional:
        text = _s2t(text)
    return text


@cache
def _s2t_converter():
    import opencc

    return opencc.OpenCC("s2t")


def _s2t(text: str) -> str:
    """Character by character (as the Nansha file is), so lengths and offsets stay put."""
    conv = _s2t_converter()
    out = conv.convert(text)
    return out if len(out) == len(text) else "".join(conv.convert(ch) if len(conv.convert(ch)) == 1 else ch
                                                     for ch in text)


def task_table(d: DocPlan, items: list[Item], rng: random.Random, batch: int) -> str:
    zone = ZONES[d.zone][0]
    title = f"{d.day.year}年广东自贸试验区{zone}第{batch}轮改革创新任务分工表"
    lines = ["", "附件", "", title, "",
             "说明:“市支持指导部门”之中,列明第一位的是主要支持指导部门;“牵头配合部门”之中,列明第一位的是主要牵头落实部门。", ""]
    headers = ("| 主要任务 | 具体措施 | 市专项工作组 | 市支持指导部门 (含中央、省驻珠单位) | 区 牵头配合部门 | 完成时限 | |",
               "| 主要任务 | | 具体措施 | 市专项工作组 | 市支持指导部门 (含中央、省驻珠单位) | 区 牵头配合部门 | 完成时限 |")
    n = 0
    subs = 0
    for t, group in enumerate(_groups(items, rng, 4, 30), 1):
        lines += [rng.choice(headers), "|---|---|---|---|---|---|---|"]
        main = f"{to_cn(t)}、{MAIN_TASKS[(t + d.index) % len(MAIN_TASKS)]}"
        for s, sub_items in enumerate(_groups(group, rng, 2, 10)):
            subs += 1
            sub = f"({to_cn(subs)}){CATEGORIES[(subs + d.index) % len(CATEGORIES)]}"
            for k, it in enumerate(sub_items):
                n += 1
                it.key = str(n)
                first = [main if s == 0 and k == 0 else "", sub if k == 0 else ""]
                support = " ".join(_units(rng, CITY_UNITS, 1, 3))
                lead = " ".join(_units(rng, DISTRICT_UNITS, 1, 3))
                text = f"{n}. {it.body}" if rng.random() < 0.5 else f"{n}. {it.title}，{it.body}"
                lines.append("| " + " | ".join(first + [text, rng.choice(GROUPS), support, lead,
                                                      rng.choice(DEADLINES)]) + " |")
        lines.append("")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the corpus

@dataclass
class GeneratedDoc:
    file: str
    genre: str
    zone: str
    day: date
    traditional: bool
    text: str
    keys: list[tuple[str, int]]  # (measure key, idea) in printed order


def generate(measures: int, seed: int = SEED) -> Iterator[GeneratedDoc]:
    """The documents, one at a time (each is independent of the others' rendering)."""
    docs, ideas = plan(measures, seed)
    batches: dict[tuple[str, str], int] = {}
    for d in docs:
        rng = random.Random(f"{seed}/{d.index}")
        words = _Words.__new__(_Words)
        words.rng, words.words, words.zipf, words.cum = rng, *_shared_words()
        items = [Item(i, *_render(ideas[i], words, rng)) for i in d.ideas]
        batch = batches[(d.zone, d.genre)] = batches.get((d.zone, d.genre), 0) + 1
        if d.genre == "opinions":
            text = opinions(d, items, rng)
        elif d.genre == "action-plan":
            text = action_plan(d, items, rng)
        elif d.genre == "replication-tab":
            text = replication_tab(d, items, rng, batch)
        elif d.genre == "replication-pipe":
            text = replication_pipe(d, items, rng, batch)
        else:
            text = task_table(d, items, rng, batch)
        yield GeneratedDoc(d.file, d.genre, d.zone, d.day, d.traditional, text, [(it.key, it.idea) for it in items])


@cache
def _shared_words() -> tuple[list[str], list[str], list[float]]:
    w = _Words(random.Random(SEED))
    return w.words, w.zipf, w.cum


def write_corpus(measures: int, out: Path, seed: int = SEED) -> dict:
    """Write the files and ``truth.json`` into ``out`` (created); returns the truth."""
    out.mkdir(parents=True, exist_ok=True)
    occurrences: dict[int, list[list[str]]] = {}
    documents = []
    for doc in generate(measures, seed):
        (out / doc.file).write_text(doc.text, encoding="utf-8")
        documents.append({"file": doc.file, "genre": doc.genre, "zone": doc.zone, "date": doc.day.isoformat(),
                          "traditional": doc.traditional, "measures": len(doc.keys)})
        for key, idea in doc.keys:
            occurrences.setdefault(idea, []).append([doc.file, key])
    recurring = {str(i): occ for i, occ in sorted(occurrences.items()) if len(occ) > 1}
    truth = {"seed": seed, "measures": measures, "documents": documents, "ideas": recurring,
             "true_pairs": sum(len(o) * (len(o) - 1) // 2 for o in recurring.values())}
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    return truth


def true_pairs(truth: dict) -> set[tuple[tuple[str, str], tuple[str, str]]]:
    """Every unordered pair of occurrences of one idea, as sorted ((file, key), (file, key))."""
    pairs = set()
    for occ in truth["ideas"].values():
        for a, b in itertools.combinations(sorted(tuple(o) for o in occ), 2):
            pairs.add((a, b))
    return pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--measures", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--refresh-vocab", action="store_true")
    args = ap.parse_args()
    if args.refresh_vocab:
        print(f"{refresh_vocab()} words in {VOCAB_FILE}")
        return
    if not args.out:
        ap.error("--out is required")
    truth = write_corpus(args.measures, args.out, args.seed)
    print(f"{len(truth['documents'])} documents, {truth['measures']} measures, {len(truth['ideas'])} recurring ideas, "
          f"{truth['true_pairs']} true links -> {args.out}")


if __name__ == "__main__":
    main()
