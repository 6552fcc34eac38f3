"""Text encodings: the plausible decoding wins, its confidence is shown, a guess is an issue."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.cli import main
from workbench.io.encoding import detect_text_encoding, plausibility, utf16_without_bom
from workbench.io.load import load_orders
from workbench.io.sources import read_raw

HEADER = "order_id;line_no;customer_id;item_id;order_date;requested_date;qty_ordered;region"
WESTERN = ["España", "Crème", "São Paulo"]


def _orders(regions: list[str]) -> str:
    rows = [f"SO-{i};1;C{i};ITEM;2024-03-01;2024-03-15;{i};{r}"
            for i, r in enumerate(regions, start=1)]
    return "\r\n".join([HEADER, *rows]) + "\r\n"


def test_western_european_text_is_not_read_as_cp1250(tmp_path):
    f = tmp_path / "west.csv"
    f.write_bytes(_orders(WESTERN).encode("cp1252"))
    raw = read_raw(f)
    assert raw.frame["region"].tolist() == WESTERN
    assert raw.meta["encoding"] == "cp1252"


@pytest.mark.parametrize("words", [["Zürich", "Göteborg", "Ñandú"], ["Crème brûlée", "Façade"],
                                   ["Ærø", "Müller", "Ångström"]])
def test_western_european_words_read_as_written(tmp_path, words):
    f = tmp_path / "w.csv"
    f.write_bytes(_orders(words).encode("cp1252"))
    assert read_raw(f).frame["region"].tolist() == words


def test_central_european_text_reads_as_cp1250_when_cp1252_is_implausible(tmp_path):
    words = ["Łódź", "Wrocław", "Gdańsk"]
    f = tmp_path / "pl.csv"
    f.write_bytes(_orders(words).encode("cp1250"))
    raw = read_raw(f)
    assert raw.frame["region"].tolist() == words
    assert raw.meta["encoding"] == "cp1250"
    assert raw.meta["encoding_alternatives"] == []


def test_guess_between_encodings_that_read_differently_is_an_issue(tmp_path):
    f = tmp_path / "west.csv"
    f.write_bytes(_orders(WESTERN).encode("cp1252"))
    res = load_orders(f)
    guess = res.issues[res.issues["reason"] == "encoding_guess"]
    assert guess["source_row"].tolist() == [2, 3, 4]
    assert guess["value"].tolist() == WESTERN
    assert "cp1250: 'Espańa'" in guess["detail"].iloc[0]
    assert any("encoding cp1252 is a guess" in n for n in res.summary.notes)


def test_utf8_file_is_certain_and_records_no_issue(tmp_path):
    f = tmp_path / "u.csv"
    f.write_bytes(_orders(WESTERN).encode("utf-8"))
    res = load_orders(f)
    assert read_raw(f).frame["region"].tolist() == WESTERN
    assert "encoding_guess" not in set(res.issues["reason"])
    assert "utf-8 (confidence 1.00" in str(res.summary)


def test_encoding_and_confidence_in_the_printed_summary_and_cli(tmp_path, capsys):
    f = tmp_path / "west.csv"
    f.write_bytes(_orders(WESTERN).encode("cp1252"))
    text = str(load_orders(f).summary)
    assert "encoding of" in text and "cp1252 (confidence 0.50" in text and "a guess" in text
    assert main(["load", str(f)]) == 0
    out = capsys.readouterr().out
    assert "cp1252 (confidence 0.50" in out and "cp1250" in out


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised(tmp_path, codec):
    f = tmp_path / "u16.csv"
    f.write_bytes(_orders(["北京", *WESTERN]).encode(codec))
    raw = read_raw(f)
    assert raw.meta["encoding"] == codec
    assert raw.frame["region"].tolist() == ["北京", *WESTERN]
    assert raw.meta["encoding_confidence"] == 1.0


def test_utf16_pattern_needs_nul_bytes_in_every_other_position():
    assert utf16_without_bom("a,b\n".encode("utf-16-be")) == "utf-16-be"
    assert utf16_without_bom("España".encode("cp1252")) is None


def test_gbk_export_still_reads_as_gb18030(tmp_path):
    f = tmp_path / "cn.csv"
    f.write_bytes(_orders(["华东", "北方重工"]).encode("gbk"))
    raw = read_raw(f)
    assert raw.meta["encoding"] == "gb18030"
    assert raw.frame["region"].tolist() == ["华东", "北方重工"]


def test_cyrillic_export_reads_as_cp1251_not_as_chinese():
    assert detect_text_encoding("Москва;Санкт-Петербург\n".encode("cp1251")).encoding == "cp1251"


def test_a_given_encoding_is_used_as_is(tmp_path):
    f = tmp_path / "west.csv"
    f.write_bytes(_orders(["Espańa"]).encode("cp1250"))
    raw = read_raw(f, encoding="cp1250")
    assert raw.frame["region"].tolist() == ["Espańa"]
    assert raw.meta["encoding_method"] == "given" and raw.meta["encoding_confidence"] == 1.0


def test_plausibility_penalises_symbols_in_words_and_glued_chinese():
    assert plausibility("España") == 1.0
    assert plausibility("Wroc³aw") < 0.5       # cp1250 ł read as cp1252
    assert plausibility("Espa馻") < 0.5        # cp1252 ña read as GB18030
    assert plausibility("Ìîñêâà") < 0.5        # cp1251 read as cp1252


@given(st.binary(max_size=64) | st.text(max_size=32).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_valid_utf8_agrees_with_python_decoding(data):
    from workbench.io.encoding import valid_utf8

    try:
        data.decode("utf-8")
        expected = True
    except UnicodeDecodeError:
        expected = False
    assert valid_utf8(data) is expected
