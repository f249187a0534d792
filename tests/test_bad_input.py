"""Bad input gets a clear error naming the file and the line (pure loaders)."""

from __future__ import annotations

import pytest

from loaders.errors import ParseError
from loaders.parse import parse_bytes
from reformkg.load import bundled_corpus

CORPUS = {p.name: p.read_bytes() for p in bundled_corpus()}
QIANHAI = CORPUS["qianhai-shekou-batch-6-replication-table.txt"]
NANSHA = CORPUS["nansha-batch-3-replication-list-traditional.txt"]
OPINIONS = CORPUS["guangdong-2018-ftz-institutional-innovation-opinions.txt"]
HENGQIN = CORPUS["hengqin-2017-task-division-table.txt"]


def error_of(raw: bytes, name: str = "input.txt") -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_bytes(raw, name)
    assert str(info.value).startswith(f"{name}:{info.value.line}")
    return info.value


def test_binary_file():
    err = error_of(bytes(range(256)) * 8, "scan.pdf.txt")
    assert err.line == 1 and "not a text file" in err.message


def test_empty_file():
    assert "empty" in error_of(b"  \n\n").message


def test_undecodable_bytes_name_the_line():
    raw = "第一行\n第二行\n".encode("utf-8") + b"\xff\xfe\xfa\x80 junk\n"
    err = error_of(raw)
    assert err.line == 3 and "neither UTF-8 nor GB18030" in err.message


def test_gb18030_is_decoded_and_said():
    doc = parse_bytes(QIANHAI.decode("utf-8").encode("gb18030"), "qianhai-gbk.txt")
    assert doc.encoding == "gb18030" and len(doc.measures) == 38
    assert doc.warnings[0] == "qianhai-gbk.txt: decoded as gb18030"


def test_no_known_genre():
    err = error_of("关于做好某项工作的通知\n各单位:\n请认真贯彻落实。\n".encode("utf-8"), "letter.txt")
    assert "no known genre" in err.message and err.line == 1


def test_pipe_table_truncated_mid_row():
    text = NANSHA.decode("utf-8")
    cut = text.index("| 要素式審判智能系統3.0 |") + 40  # inside row 23
    err = error_of(text[:cut].encode("utf-8"), "nansha-cut.txt")
    assert "truncated" in err.message
    assert err.line == text[:cut].count("\n") + 1


def test_tab_table_truncated_between_rows():
    text = QIANHAI.decode("utf-8")
    cut = text.index("\t36\n")  # the last category declares 4 items, 1 remains
    err = error_of(text[:cut].encode("utf-8"), "qianhai-cut.txt")
    assert "declares 4 items, found 1" in err.message and "truncated" in err.message


def test_task_table_truncated_mid_row():
    text = HENGQIN.decode("utf-8")
    cut = text.index("| | | 80.") + 30
    err = error_of(text[:cut].encode("utf-8"), "hengqin-cut.txt")
    assert "truncated" in err.message and err.line == text[:cut].count("\n") + 1


def test_opinions_truncated_inside_an_item():
    text = OPINIONS.decode("utf-8")
    cut = text.index("(二)打造公共法律服务高地") + 60
    err = error_of(text[:cut].encode("utf-8"), "opinions-cut.txt")
    assert "truncated" in err.message and err.line == text[:cut].count("\n") + 1


def test_a_missing_row_inside_the_table_is_a_warning_not_an_error():
    text = QIANHAI.decode("utf-8")
    start, end = text.index("\t2\n"), text.index("\t3\n")
    doc = parse_bytes((text[:start] + text[end:]).encode("utf-8"), "qianhai-v2.txt")
    assert len(doc.measures) == 37
    assert any("declares 8 items, found 7" in w for w in doc.warnings)
