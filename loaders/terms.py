"""The informative words of a Simplified-Chinese text, for similarity between measures.

Words come from jieba, called directly through a tokenizer of this module's own
(:func:`tokenizer`) that has been told the ontology's zone labels as words, as
:func:`loaders.zones.pipeline` tells the global one (so a zone label is one
word).  These are the words the spaCy ``zh`` tokenizer of that pipeline gives
(a test checks it on the bundled corpus): spaCy only wraps jieba's cut in
``Doc`` objects, which with their token attributes took half as long again as
the cut, and importing spaCy takes a second.  A word is kept when it

* has at least two characters (single characters are mostly particles and
  fragments of words jieba did not know: 的, 对, 全, 链 ...),
* contains a CJK character or a Latin letter (no punctuation, no numbers such
  as ``2025`` or ``5.5``; a word spaCy's ``like_num`` takes for a number, such as
  十二 or 三百, is dropped too: :func:`like_num`),
* is not a stop word: spaCy's Chinese stop list (less a few words it lists that
  are subject matter in policy texts, such as 保险 and 安全), the boilerplate
  verbs and adverbs of Chinese policy documents (推进, 建设, 改革, 创新, 试点 ...),
  and the names of the pilot zones from the ontology (a zone says *where* a
  measure applies, not *what* the reform is).

Latin words are case-folded (``BIM`` and ``bim`` are one term).  Nothing else
is changed: CJK text is never filtered with a Latin-only pattern.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

# Subject-matter words that spaCy's Chinese stop list contains but that name
# what a measure is about in these documents.
_SPACY_STOP_KEPT = frozenset({
    "保险", "安全", "特殊", "移动", "一次", "集中", "中小", "个人", "人民", "最高", "限制", "适用",
})

# Words every reform measure uses: what is done to a reform, not which reform.
POLICY_STOP_WORDS = frozenset({
    "推进", "建设", "改革", "创新", "试点", "推广", "加快", "完善", "开展", "支持", "探索", "建立", "推动",
    "实现", "加强", "进一步", "深化", "提高", "提升", "促进", "实施", "优化", "构建", "打造", "健全", "争取",
    "研究", "相关", "有关", "工作", "积极", "鼓励", "引导", "依托", "推行", "制定", "出台", "落实", "强化",
    "发挥", "充分", "持续", "深入", "全面", "不断", "努力", "率先", "大力", "着力", "逐步", "加大", "力度",
    "做好", "形成", "复制", "经验", "举措", "措施", "机制", "体制", "有效", "新型", "模式", "方式",
    "自贸", "试验区", "自贸区", "自由贸易", "试验", "片区", "新区", "自贸试验区",
})

ZONE_WORD_FREQ = 200000  # what loaders.zones.pipeline() tells jieba for a zone label


@cache
def _zone_labels() -> frozenset[str]:
    from ontology.vocab import vocabulary

    return frozenset(label for z in vocabulary().zones.values() for label in (z.name, *z.aliases))


def _spacy_zh_stop_words() -> set[str]:
    """spaCy's Chinese stop list, read from its file in the installed spaCy.

    Importing ``spacy.lang.zh.stop_words`` would first run ``spacy/__init__``
    (the whole library, about 0.9 s) for a module that is one literal set.
    ``find_spec`` of a top-level package locates it without importing it, and
    the file is executed on its own: the list stays spaCy's, nothing is copied.
    """
    spacy_dir = Path(importlib.util.find_spec("spacy").submodule_search_locations[0])
    spec = importlib.util.spec_from_file_location("_reformkg_spacy_zh_stop_words",
                                                  spacy_dir / "lang" / "zh" / "stop_words.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return set(module.STOP_WORDS)


@cache
def stop_words() -> frozenset[str]:
    """Every word :func:`terms` drops whatever its length."""
    return frozenset(_spacy_zh_stop_words() - _SPACY_STOP_KEPT) | POLICY_STOP_WORDS | _zone_labels()


def tokenizer():
    """The ``jieba.Tokenizer`` told every zone label as a word: the zone finder's own
    (:func:`loaders.zones.segmenter`, the same labels and frequency), shared so that jieba's
    dictionary (about half a second, 100 MB) loads once per process.

    Not jieba's global tokenizer, so that words added to it elsewhere do not change the terms.
    """
    from loaders.zones import LABEL_FREQ, segmenter

    assert LABEL_FREQ == ZONE_WORD_FREQ
    return segmenter()


# jieba cuts each maximal run of these characters on its own and yields every other character
# (punctuation, CJK symbols, whitespace) alone or as "\r\n": never a word of two characters.
# Same pattern as jieba's (re_han_default), which its cut uses for the same split.
_RUNS = re.compile("[\u4E00-\u9FD5a-zA-Z0-9+#&._%-]+")

_SIGNS = ("+", "-", "±", "~")
_CN_DIGITS = "一二三四五六七八九壹贰叁肆伍陆柒捌玖"
_CN_UNITS = "十百千万亿兆拾佰仟"
# A numeral by itself: 〇 to 十九 (十 with an optional digit), 廿 卅 卌 皕 零, the financial
# digits 壹 to 玖, 拾 to 拾玖; or digit-unit pairs with an optional final digit (三百, 二十五, 一万二千).
_CN_NUMBER = re.compile(f"(?:[〇零廿卅卌皕{_CN_DIGITS}]|十[{_CN_DIGITS[:9]}]?|拾[{_CN_DIGITS[9:]}]?)\\Z"
                        f"|(?:[{_CN_DIGITS}][{_CN_UNITS}])+[{_CN_DIGITS}]?$")


def like_num(word: str) -> bool:
    """True for what spaCy's Chinese ``like_num`` takes for a number: after one leading sign and
    without separators (, . ， 。), all digits, a fraction of digits, or a Chinese numeral."""
    if word.startswith(_SIGNS):
        word = word[1:]
    for sep in (",", ".", "，", "。"):
        word = word.replace(sep, "")
    numerator, slash, denominator = word.partition("/")
    return (word.isdigit() or (slash != "" and "/" not in denominator and numerator.isdigit()
                               and denominator.isdigit())
            or _CN_NUMBER.match(word) is not None)


def _is_wordlike(text: str) -> bool:
    """True when the token has a CJK character or a letter (category L*).

    This also stands for spaCy's ``is_punct`` (every character a punctuation mark,
    category P*): such a token has no letter, so it is dropped here already.
    """
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def _term(word: str, stop: frozenset[str]) -> str | None:
    """``word`` as a term, or None when it is dropped."""
    word = word.strip()
    if len(word) < 2 or like_num(word) or not _is_wordlike(word):
        return None
    word = word.casefold() if word.isascii() else word
    return None if word in stop else word


def terms(text: str) -> list[str]:
    """The informative words of ``text`` in order of occurrence, repeats kept."""
    return next(iter_terms([text]))


# The runs cut and the words judged by :func:`cached_terms` in this process, kept across calls: clauses,
# names and titles recur from one document to the next.  Dropped whole when this many runs are kept.
CACHE_RUNS = 200_000
_cache: tuple[dict[str, list[str]], dict[str, str | None]] = ({}, {})


def cached_terms(text: str) -> list[str]:
    """:func:`terms`, with the runs of earlier calls in this process remembered (a parse worker calls it
    for every measure it loads)."""
    kept, judged = _cache
    if len(kept) > CACHE_RUNS:
        kept.clear()
        judged.clear()
    return next(iter_terms([text], kept, judged))


def iter_terms(texts: Iterable[str], kept: dict[str, list[str]] | None = None,
               judged: dict[str, str | None] | None = None) -> Iterator[list[str]]:
    """:func:`terms` of each text, in order.  Pure.

    jieba cuts each run of :data:`_RUNS` characters on its own, so a run that recurs (a clause, a
    name, a title) is cut once however many of the texts have it (``kept``: the runs cut already,
    ``judged``: the words judged already, when the caller keeps them across calls).
    """
    kept = {} if kept is None else kept
    cut, stop = tokenizer().lcut, stop_words()
    judged = {} if judged is None else judged  # word -> term, each word judged once
    for text in texts:
        found: list[str] = []
        for run in _RUNS.findall(text):
            if run not in kept:
                terms_of_run = []
                for word in cut(run):
                    if word not in judged:
                        judged[word] = _term(word, stop)
                    if (term := judged[word]) is not None:
                        terms_of_run.append(term)
                kept[run] = terms_of_run
            found += kept[run]
        yield found
