import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from thuvien.core.text import collation_key, fold

VI_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYàằầảẳẩãẵẫáắấạặậèềẻểẽễéếẹệìỉĩíịòồờỏổởõỗỡóốớọộợùừủửũữúứụựỳỷỹýỵ"
vi_text = st.text(alphabet=VI_LETTERS + " 0123456789-", max_size=40)


def test_fold_examples():
    assert fold("Đất rừng phương Nam") == "dat rung phuong nam"
    assert fold("ĐẶNG THÙY TRÂM") == "dang thuy tram"
    assert fold("Ðà Nẵng") == "da nang"  # U+00D0 look-alike
    assert fold("  Truyện   Kiều ") == "truyen kieu"
    assert fold("Nguyễn Nhật Ánh") == "nguyen nhat anh"


@given(vi_text)
def test_fold_is_normalisation_independent(s):
    assert fold(unicodedata.normalize("NFC", s)) == fold(unicodedata.normalize("NFD", s))


@given(vi_text)
def test_fold_is_idempotent_and_ascii(s):
    folded = fold(s)
    assert fold(folded) == folded
    assert folded.isascii()
    assert folded == folded.lower()


@given(vi_text)
def test_collation_key_ignores_normalisation_form(s):
    assert collation_key(unicodedata.normalize("NFC", s)) == collation_key(unicodedata.normalize("NFD", s))


@given(vi_text, vi_text)
def test_collation_primary_order_follows_folded_letters_except_vietnamese_letters(a, b):
    # Letters equal after removing only tones must compare by tones; total order must be consistent.
    ka, kb = collation_key(a), collation_key(b)
    assert (ka < kb) == (not (ka >= kb))
    if a == b:
        assert ka == kb


def test_vietnamese_alphabet_order():
    words = ["Đà Lạt", "Dung", "ăn", "an", "ân", "bé", "Ơn", "ôm", "ô", "ở", "uống", "ước", "ưa", "ca"]
    assert sorted(words, key=collation_key) == [
        "an", "ăn", "ân", "bé", "ca", "Dung", "Đà Lạt", "ô", "ôm", "ở", "Ơn", "uống", "ưa", "ước",
    ]


def test_tones_order_ngang_huyen_hoi_nga_sac_nang():
    words = ["má", "mạ", "mà", "mã", "ma", "mả"]
    assert sorted(words, key=collation_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_tone_is_secondary_to_letters():
    assert sorted(["mả", "mac", "mà"], key=collation_key) == ["mà", "mả", "mac"]


def test_word_boundaries_file_before_longer_words():
    assert sorted(["Nam Cao", "Nam", "Namibia"], key=collation_key) == ["Nam", "Nam Cao", "Namibia"]


def test_code128_svg_is_inline_and_encodes_value():
    import pytest

    from thuvien.core.barcodes import code128_svg

    svg = code128_svg("CB000001")
    assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
    assert ">CB000001</text>" in svg
    assert svg.count("<rect") > 20  # bars
    with pytest.raises(ValueError):
        code128_svg("Đ01")
