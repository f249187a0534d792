"""The loaders on the bundled corpus: every genre, its irregular rows, and
resolution across documents.  Pure functions: no database here."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from loaders.agencies import Context, resolve_clause
from loaders.fields import closing_parenthetical
from loaders.parse import parse_bytes
from loaders.text import _FOLD, _char_nfkc, decode, normalise, squash
from reformkg.load import bundled_corpus
from reformkg.model import Genre, Role

CORPUS = {p.name: p for p in bundled_corpus()}
OPINIONS = "guangdong-2018-ftz-institutional-innovation-opinions.txt"
PLAN = "guangdong-2024-ftz-upgrade-action-plan.txt"
QIANHAI = "qianhai-shekou-batch-6-replication-table.txt"
NANSHA = "nansha-batch-3-replication-list-traditional.txt"
HENGQIN = "hengqin-2017-task-division-table.txt"


@pytest.fixture(scope="module")
def docs():
    return {name: parse_bytes(path.read_bytes(), name) for name, path in CORPUS.items()}


def by_seq(doc, seq):
    return next(m for m in doc.measures if m.seq == seq)


def names(measure, role):
    return [a.name for a in measure.by_role(role)]


@pytest.mark.parametrize("name, genre, measures, top_categories, sub_categories", [
    (OPINIONS, Genre.OPINIONS, 61, 20, 0),
    (PLAN, Genre.ACTION_PLAN, 20, 6, 0),
    (QIANHAI, Genre.REPLICATION_TABLE, 38, 7, 0),
    (NANSHA, Genre.REPLICATION_TABLE, 31, 7, 0),
    (HENGQIN, Genre.TASK_TABLE, 84, 5, 16),
])
def test_every_genre_parses_completely(docs, name, genre, measures, top_categories, sub_categories):
    doc = docs[name]
    assert doc.genre is genre
    assert len(doc.measures) == measures
    assert len({m.key for m in doc.measures}) == measures
    assert sum(c.parent_seq is None for c in doc.categories) == top_categories
    assert sum(c.parent_seq is not None for c in doc.categories) == sub_categories
    assert all(m.title for m in doc.measures)
    assert not doc.warnings


def test_genre_comes_from_content_not_file_name(docs):
    raw = CORPUS[NANSHA].read_bytes()
    renamed = parse_bytes(raw, "000_a5ed5316b1cd5bc7.txt")
    assert renamed.genre is Genre.REPLICATION_TABLE
    assert len(renamed.measures) == 31


def test_spans_point_at_the_printed_text(docs):
    for name, doc in docs.items():
        text = CORPUS[name].read_bytes().decode("utf-8")
        for m in doc.measures:
            printed = text[m.span.start:m.span.end]
            assert m.title_orig[:6] in printed.replace("\n", "").replace("\t", ""), (name, m.seq)


# ---------------------------------------------------------------- opinions

def test_opinions_metadata_and_clutter(docs):
    doc = docs[OPINIONS]
    assert doc.doc_number == "粤府办〔2018〕34号"
    assert doc.issued == date(2018, 8, 14)
    assert doc.published == date(2018, 8, 29)
    assert doc.issuer.name == "广东省人民政府办公厅"
    assert doc.jurisdiction == "guangdong"
    # 20 themes of 3 or 4 items; the closing paragraph after 二十(三) is not an item
    assert Counter(m.category.seq for m in doc.measures)["二十"] == 3
    assert doc.measures[-1].title == "联合港澳开展仲裁体制机制创新"


def test_opinions_responsibility_is_the_last_parenthetical(docs):
    doc = docs[OPINIONS]
    m = by_seq(doc, "五(二)")  # body holds AIS(船舶自动识别系统) and more brackets
    assert m.title == "建设“广东智慧海事监管服务平台”"
    assert "AIS(船舶自动识别系统)" in m.body
    assert names(m, Role.LEAD) == ["广东海事局", "广州市人民政府", "深圳市人民政府", "珠海市人民政府"]
    assert "负责" not in m.body


def test_opinions_unit_lists_share_their_prefix(docs):
    doc = docs[OPINIONS]
    assert names(by_seq(doc, "一(一)"), Role.LEAD) == [
        "广东省自由贸易试验区工作办公室", "广东省机构编制委员会办公室",
        "广州市人民政府", "深圳市人民政府", "珠海市人民政府"]
    assert names(by_seq(doc, "四(一)"), Role.LEAD)[-3:] == [
        "广东省发展和改革委员会", "广东省工商行政管理局", "广东省信息中心"]
    # "中直驻粤有关单位" is a collective, not an agency
    assert len(names(by_seq(doc, "三(二)"), Role.LEAD)) == 3


def test_opinions_zones_from_text(docs):
    doc = docs[OPINIONS]
    assert by_seq(doc, "二(一)").zones == ("nansha",)
    assert by_seq(doc, "二(一)").zones_from_text == ("nansha",)
    assert set(by_seq(doc, "十一(一)").zones) == {"nansha", "qianhai-shekou", "hengqin"}
    assert by_seq(doc, "一(一)").zones == ()


# ---------------------------------------------------------------- action plan

def test_action_plan_lead_and_participants(docs):
    doc = docs[PLAN]
    assert doc.doc_number == "粤府函〔2024〕9号"
    assert doc.issued == date(2024, 1, 12) and doc.published == date(2024, 1, 19)
    first = by_seq(doc, "1")
    assert names(first, Role.LEAD) == ["广东省商务厅"]
    part = names(first, Role.PARTICIPANT)
    assert part[:3] == ["中共广东省委网络安全和信息化委员会办公室", "广东省高级人民法院", "广东省公安厅"]
    assert "横琴粤澳深度合作区执行委员会" in part and not any("等" in p for p in part)
    assert names(by_seq(doc, "8"), Role.LEAD) == ["中国人民银行广东省分行", "中国人民银行深圳市分行"]
    assert names(by_seq(doc, "20"), Role.LEAD) == ["广东省商务厅"] and not names(by_seq(doc, "20"), Role.PARTICIPANT)
    # 总体要求's "(一)指导思想" is not a measure; groups are the six of 重点工作任务
    assert [c.seq for c in doc.categories] == ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)"]


def test_action_plan_targets(docs):
    doc = docs[PLAN]
    plan_goals = {(t.metric, t.value, t.unit, t.year, t.comparator) for t in doc.targets}
    assert plan_goals == {("累计注册外商投资企业", 3, "万家", 2025, ">"),
                          ("累计实际利用外资金额", 700, "亿美元", 2025, ">"),
                          ("进出口总额", 8000, "亿元", 2025, ">")}
    port = by_seq(doc, "4").targets
    assert [(t.value, t.unit, t.comparator) for t in port] == [(3700, "万标箱", ">="), (5.5, "亿吨", ">")]
    futures = by_seq(doc, "9").targets
    assert [(t.metric, t.value, t.unit, t.comparator) for t in futures] == [
        ("广州期货交易所上市期货品种", 5, "个", ">=")]
    assert sum(len(m.targets) for m in doc.measures) == 4


def _summary(doc):
    """What a parse says, without the spans that padding shifts."""
    return ([(c.seq, c.label, c.parent_seq, c.declared_count) for c in doc.categories],
            [(m.seq, m.title, m.body, m.category and m.category.seq, m.subcategory and m.subcategory.seq,
              [(a.agency, a.printed, a.role, a.rank) for a in m.agencies], m.zones, m.deadline, m.working_group,
              [(t.metric, t.value, t.unit) for t in m.targets]) for m in doc.measures],
            [(t.metric, t.value, t.unit, t.year, t.comparator) for t in doc.targets])


def test_action_plan_padded_headings_stacked_sub_headings_and_a_goal_without_verb_change_nothing(docs):
    """The hostile shapes that used to take quadratic time, at real positions of the plan: spaces
    after every heading, a run of sub-headings stacked above the first group (only the last, the
    real one, heads the items), a long goal line without a verb before the first item."""
    lines = CORPUS[PLAN].read_text("utf-8").split("\n")
    padded = []
    for line in lines:
        if line.lstrip().startswith(("一、", "二、", "(一)", "(二)", "(三)")):
            line += " " * 3000 + "\t"
        if line.strip().startswith("(一)对标国际"):
            padded += ["  (九)临时分组"] * 2000
        if line.strip() == "二、重点工作任务":
            padded.append("到2030年，" + "改革" * 5000)
        padded.append(line)
    doc = parse_bytes("\n".join(padded).encode("utf-8"), PLAN)
    assert _summary(doc) == _summary(docs[PLAN])
    assert doc.categories[0].label == "对标国际高标准规则,提升制度型开放水平"


def test_task_table_spaces_after_a_measure_change_nothing(docs):
    text = CORPUS[HENGQIN].read_text("utf-8")
    padded = text.replace("机制。 |", "机制。" + " " * 3000 + " |")
    assert padded.count(" " * 3000) >= 2
    assert _summary(parse_bytes(padded.encode("utf-8"), HENGQIN)) == _summary(docs[HENGQIN])


def test_action_plan_hengqin_means_the_cooperation_zone_in_2024(docs):
    assert "hengqin-cooperation-zone" in by_seq(docs[PLAN], "3").zones


# ---------------------------------------------------------------- replication tables

def test_qianhai_table_tab_layout(docs):
    doc = docs[QIANHAI]
    assert doc.zone == "qianhai-shekou" and doc.batch == 6 and doc.jurisdiction == "shenzhen"
    assert [c.declared_count for c in doc.categories] == [8, 4, 5, 4, 11, 2, 4]
    scopes = Counter(m.scope for m in doc.measures)
    assert scopes == {"shenzhen/citywide": 37, "shenzhen/customs-special-supervision-areas": 1}
    assert by_seq(doc, "9").scope == "shenzhen/customs-special-supervision-areas"
    assert names(by_seq(doc, "2"), Role.LEAD) == ["深圳市市场监督管理局"]
    assert names(by_seq(doc, "29"), Role.LEAD) == ["深圳市司法局", "深圳市住房和建设局"]
    assert names(by_seq(doc, "1"), Role.LEAD) == []  # 各企业: not an agency


def test_nansha_table_traditional_pipe_layout(docs):
    doc = docs[NANSHA]
    assert doc.script == "hant"
    assert doc.doc_number == "穗府函〔2018〕161号" and doc.doc_number_orig == "穗府函〔2018〕161號"
    assert doc.issued == date(2018, 7, 2) and doc.batch == 3 and doc.zone == "nansha"
    assert doc.title_orig.startswith("廣州市人民政府關于推廣實施")
    assert doc.title.startswith("广州市人民政府关于推广实施")
    # the repeated category cell (rows 7 and 27) does not start a new category
    per = Counter(m.category.label for m in doc.measures)
    assert per["贸易便利化"] == 11 and per["法治环境建设"] == 9
    m3 = by_seq(doc, "3")  # "廣州海關、 黃埔海關": a stray space after 、
    assert names(m3, Role.LEAD) == ["广州海关", "黄埔海关"]
    assert [a.printed for a in m3.agencies] == ["廣州海關", "黃埔海關"]
    assert by_seq(doc, "17").title.endswith("工商注册登记")  # trailing 。 dropped
    assert by_seq(doc, "6").title == "全球质量溯源体系" and by_seq(doc, "6").title_orig == "全球質量溯源體系"
    assert by_seq(doc, "2").scope == "guangzhou/relevant-districts-new-areas"
    assert Counter(m.scope for m in doc.measures)["guangzhou/relevant-districts"] == 29
    assert names(by_seq(doc, "31"), Role.LEAD) == ["广州市国土资源和规划委员会", "广州市各区人民政府"]


# ---------------------------------------------------------------- task table

def test_hengqin_headers_off_by_a_column(docs):
    doc = docs[HENGQIN]
    m28 = by_seq(doc, "28")  # header "主要任务 | | 具体措施": the sub-task column is unlabelled
    assert m28.subcategory.label == "健全社会信用惩戒机制" and m28.working_group == "政府职能组"
    m1 = by_seq(doc, "1")  # header "主要任务 | 具体措施 | … | |": labels one column short
    assert m1.category.label == "加快构建国际化、法治化、市场化、便利化营商环境"
    assert m1.subcategory.label == "全面优化法制环境"
    assert names(m1, Role.SUPPORT) == ["珠海市中级人民法院"]
    assert names(m1, Role.LEAD) == ["珠海市横琴新区人民法院"]


def test_hengqin_wrapped_and_repeated_cells(docs):
    doc = docs[HENGQIN]
    labels = {c.seq: c.label for c in doc.categories if c.parent_seq is None}
    assert labels["二"] == "着力推进粤港澳服务贸易自由化"  # printed "二、着力 推进粤 港澳服 务贸易 自由化"
    m67 = by_seq(doc, "67")
    assert m67.subcategory.label == "完善金融服务体系,提高金融风险防范水平"
    assert by_seq(doc, "66").subcategory is m67.subcategory  # wrapped and unwrapped print are one sub-task
    m79 = by_seq(doc, "79")  # "横琴国际知识产权 交易中心" wrapped inside the cell
    assert names(m79, Role.LEAD)[0] == "横琴国际知识产权交易中心"


def test_hengqin_deadlines_status_and_ranks(docs):
    doc = docs[HENGQIN]
    assert by_seq(doc, "1").deadline == date(2017, 8, 31)
    assert by_seq(doc, "67").deadline == date(2017, 8, 31)  # "8 月底"
    assert by_seq(doc, "3").deadline == date(2017, 11, 30)
    m63 = by_seq(doc, "63")
    assert m63.deadline is None and m63.status == "completed"
    m2 = by_seq(doc, "2")
    lead = sorted((a for a in m2.agencies if a.role is Role.LEAD), key=lambda a: a.rank)
    assert [(a.agency.name, a.rank) for a in lead] == [
        ("珠海国际仲裁院", 0), ("珠海市横琴新区发展和改革局", 1), ("珠海市横琴新区社会事务局", 2)]
    assert all(m.zones[0] == "hengqin" for m in doc.measures)


# ---------------------------------------------------------------- resolution across documents

def test_agencies_resolve_to_their_own_city(docs):
    def agency_of(doc, printed):
        return {a.agency.name for m in doc.measures for a in m.agencies if a.printed == printed}

    assert agency_of(docs[QIANHAI], "市市场监管局") == {"深圳市市场监督管理局"}
    assert agency_of(docs[NANSHA], "市工商局") == {"广州市工商行政管理局"}
    assert agency_of(docs[HENGQIN], "市工商局") == {"珠海市工商行政管理局"}
    assert agency_of(docs[HENGQIN], "区商务局") == {"珠海市横琴新区商务局"}
    assert agency_of(docs[HENGQIN], "横琴工商局") == {"珠海市横琴新区工商行政管理局"}


def test_same_agency_across_documents(docs):
    def all_names(doc):
        return {a.agency.name for m in doc.measures for a in m.agencies}

    both = all_names(docs[OPINIONS]) & all_names(docs[PLAN])
    assert {"海关总署广东分署", "广东省商务厅", "广东省发展和改革委员会", "中国证券监督管理委员会深圳监管局"} <= both
    assert "中国证券监督管理委员会深圳监管局" in all_names(docs[QIANHAI])
    gov = {a.agency for m in docs[OPINIONS].measures for a in m.agencies if a.agency.is_government}
    assert {g.name for g in gov} == {"广州市人民政府", "深圳市人民政府", "珠海市人民政府"}
    assert {g.parent for g in gov} == {"广东省人民政府"}


# ---------------------------------------------------------------- shared helpers

def test_normalise_folds_character_by_character():
    """The translate table gives the per-character fold: length kept, one character for one."""
    special = "ＡＢＣ１２３（一）\u00a0\u3000\u2002ﬁ㈠①²½゛ｶ\u0301e\u0301𝐀臺灣發展與改革"  # multi-char NFKC kept as is
    for text in [special] + [decode(p.read_bytes(), name).text for name, p in CORPUS.items()]:
        assert text.translate(_FOLD) == "".join(_char_nfkc(ch) for ch in text)
        assert len(normalise(text)) == len(text)
    assert normalise("ＡＢＣ１２３（一）\u00a0\u3000ﬁ㈠²𝐀臺灣") == "ABC123(一)  ﬁ㈠2A台湾"


def test_closing_parenthetical_and_squash():
    assert closing_parenthetical("建设平台(省商务厅负责)") == (4, 12)
    assert closing_parenthetical("建设AIS(船舶(自动)识别)系统(省交通厅负责) ") == (17, 25)
    assert closing_parenthetical("(a(b)c)") == (0, 7)
    assert closing_parenthetical("a)b)") is None and closing_parenthetical("") is None
    assert squash(" 横琴 国际\n知识产权 交易中心 ") == "横琴国际知识产权交易中心"
    assert squash("前海深港国际法务区") == "前海深港国际法务区"
    assert squash("\u3000 AI 平台") == "AI 平台"


def test_resolved_clauses_are_fresh_lists():
    """resolve_clause is memoised; a caller extending its list must not change the next answer."""
    ctx = Context(city="zhuhai", district="hengqin-new-area")
    first = resolve_clause("区商务局、市工商局", "区商务局、市工商局", ctx, Role.LEAD)
    assert [m.agency.name for m in first] == ["珠海市横琴新区商务局", "珠海市工商行政管理局"]
    first += resolve_clause("省商务厅", "省商务厅", ctx, Role.SUPPORT)
    again = resolve_clause("区商务局、市工商局", "区商务局、市工商局", ctx, Role.LEAD)
    assert [m.agency.name for m in again] == ["珠海市横琴新区商务局", "珠海市工商行政管理局"]
