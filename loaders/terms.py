"""The informative words of a Simplified-Chinese text, for similarity between measures.

Words come from the project's spaCy ``zh`` pipeline with the jieba segmenter
(:func:`loaders.zones.pipeline`; only its tokenizer runs here, so a zone label
jieba was told about is one token).  A token is kept when it

* has at least two characters (single characters are mostly particles and
  fragments of words jieba did not know: 的, 对, 全, 链 ...),
* contains a CJK character or a Latin letter (no punctuation, no numbers such
  as ``2025`` or ``5.5``; a spaCy ``like_num`` token is dropped too),
* is not a stop word: spaCy's Chinese stop list (less a few words it lists that
  are subject matter in policy texts, such as 保险 and 安全), the boilerplate
  verbs and adverbs of Chinese policy documents (推进, 建设, 改革, 创新, 试点 ...),
  and the names of the pilot zones from the ontology (a zone says *where* a
  measure applies, not *what* the reform is).

Latin words are case-folded (``BIM`` and ``bim`` are one term).  Nothing else
is changed: CJK text is never filtered with a Latin-only pattern.
"""

from __future__ import annotations

import unicodedata
from functools import cache

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


@cache
def _zone_labels() -> frozenset[str]:
    from ontology.vocab import vocabulary

    return frozenset(label for z in vocabulary().zones.values() for label in (z.name, *z.aliases))


@cache
def stop_words() -> frozenset[str]:
    """Every word :func:`terms` drops whatever its length."""
    from spacy.lang.zh.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS - _SPACY_STOP_KEPT) | POLICY_STOP_WORDS | _zone_labels()


def _tokenizer():
    from loaders.zones import pipeline

    return pipeline().tokenizer


def _is_wordlike(text: str) -> bool:
    """True when the token has a CJK character or a letter (category L*)."""
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def terms(text: str) -> list[str]:
    """The informative words of ``text`` in order of occurrence, repeats kept."""
    if not text:
        return []
    stop = stop_words()
    out: list[str] = []
    for tok in _tokenizer()(text):
        word = tok.text.strip()
        if len(word) < 2 or tok.is_punct or tok.like_num or not _is_wordlike(word):
            continue
        word = word.casefold() if word.isascii() else word
        if word not in stop:
            out.append(word)
    return out
