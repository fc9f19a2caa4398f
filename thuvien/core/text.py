"""Vietnamese text helpers: diacritic folding and a Vietnamese collation key.

Both are pure functions, NFC/NFD safe, and used everywhere text is matched or sorted
(search index, duplicate checks, sort keys stored in the database).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters that do not decompose in Unicode and need an explicit mapping.
_EXTRA_FOLD = str.maketrans(
    {
        "đ": "d",
        "Đ": "d",
        "Ð": "d",  # U+00D0 ETH, a common look-alike typed for Đ
        "ð": "d",
        "Ɖ": "d",  # U+0189 African D, another look-alike
        "ɖ": "d",
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ß": "ss",
        "ı": "i",
    }
)
_WS = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case text with every diacritic removed and đ/Đ/Ð mapped to d; whitespace collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WS.sub(" ", stripped.translate(_EXTRA_FOLD).casefold()).strip()


def normalize(text: str) -> str:
    """NFC form with collapsed whitespace: what is stored and displayed."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


# Vietnamese alphabet order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
# Letters outside it (f, j, w, z) sort where the Latin alphabet puts them.
_BASE_ORDER = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_BASE_RANK = {ch: i for i, ch in enumerate(_BASE_ORDER)}
# Tones in the traditional dictionary order: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONE_RANK = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Marks that belong to the letter (not to the tone).
_LETTER_MARKS = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}


@lru_cache(maxsize=4096)
def _split_letter(ch: str) -> tuple[str, int]:
    """A character as (Vietnamese base letter, tone rank)."""
    lowered = ch.lower()
    if lowered in ("đ", "ð", "ɖ"):
        return "đ", 0
    nfd = unicodedata.normalize("NFD", lowered)
    base = nfd[0]
    tone = 0
    for mark in nfd[1:]:
        if (base, mark) in _LETTER_MARKS:
            base = _LETTER_MARKS[(base, mark)]
        elif mark in _TONE_RANK:
            tone = _TONE_RANK[mark]
    return base, tone


@lru_cache(maxsize=8192)
def _char_key(ch: str) -> tuple[str, str]:
    """What one character adds to collation_key: (primary part, secondary part)."""
    if ch.isspace():
        return " ", ""
    base, tone = _split_letter(ch)
    rank = _BASE_RANK.get(base)
    if rank is not None:
        return chr(0x30 + rank), str(tone)  # '0'..: letters after space and punctuation
    if base.isdigit():
        return "!" + base, ""  # digits before letters
    if base.isalpha():
        # Letters of other scripts keep their own order, after the Vietnamese alphabet.
        return "~" + format(ord(base), "06x"), ""
    return "", ""  # punctuation is ignored for sorting, as library filing rules do


def collation_key(text: str) -> str:
    """A string whose plain code-point order is Vietnamese dictionary order of `text`.

    Primary: letters in Vietnamese alphabet order (đ after d, ơ after ô ...), case ignored;
    secondary: tones (ngang < huyền < hỏi < ngã < sắc < nặng) compared word by word only when the
    letters are equal. The key is plain ASCII-range text so databases compare it byte-wise.
    """
    keys = [_char_key(ch) for ch in normalize(text)]
    return "".join([primary for primary, _ in keys]) + "\x1f" + "".join([secondary for _, secondary in keys])


# ---- matching keys (search index, duplicate checks) ----------------------------------------------
# A syllable's tone, whichever vowel carries it ("hoà" and "hòa" are the same word), as a digit.
_TONE_DIGIT = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
# A final "y" alone after a consonant is also written "i" (kĩ/kỹ, lí/lý, Mĩ/Mỹ, quí/quý); "y" after a
# vowel ("tuy", "thủy") or on its own ("y tế") is not.
_ONSET = "(b|c|ch|d|đ|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)"
_I_Y = re.compile(f"^{_ONSET}y$")
_WORD = re.compile(r"[^\W_]+")


def _i_for_y(base: str) -> str:
    return base[:-1] + "i" if _I_Y.match(base) else base


@lru_cache(maxsize=131072)
def syllable_key(word: str) -> str:
    """One word as typed, made comparable: lower case, the tone moved to the end as a digit (so tone
    placement does not matter) and a lone final y written i. "Hoà" and "hòa" -> "hoa2", "Mỹ" and "Mĩ"
    -> "mi4", but "Dự" -> "dư5" stays apart from "du", "đu" and "dữ"."""
    nfd = unicodedata.normalize("NFD", normalize(word).lower().replace("ð", "đ").replace("ɖ", "đ"))
    tones = "".join(_TONE_DIGIT[c] for c in nfd if c in _TONE_DIGIT)
    base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONE_DIGIT))
    return _i_for_y(base) + tones


@lru_cache(maxsize=131072)
def fold_key(word: str) -> str:
    """One word folded (no diacritics, đ -> d) with a lone final y written i: "Kỹ" -> "ki"."""
    return _i_for_y(fold(word))


def strict_text(text: str) -> str:
    """Every word of `text` replaced by its syllable_key (punctuation and spacing kept)."""
    return _WORD.sub(lambda m: syllable_key(m.group()), normalize(text))


def folded_text(text: str) -> str:
    """Every word of `text` replaced by its fold_key (punctuation and spacing kept)."""
    return _WORD.sub(lambda m: fold_key(m.group()), normalize(text))


def match_key(text: str, *, accents: bool = True) -> str:
    """Text reduced for duplicate checks: punctuation and case ignored, word order kept, tone placement
    and i/y spelling ignored; without `accents` the diacritics too ("Nguyễn, Du" == "Nguyễn Du")."""
    key = syllable_key if accents else fold_key
    return " ".join(key(w) for w in _WORD.findall(normalize(text)))


_I_FORMS, _Y_FORMS = "iíìỉĩịIÍÌỈĨỊ", "yýỳỷỹỵYÝỲỶỸỴ"
_TO_I = str.maketrans(_Y_FORMS, _I_FORMS)
_TO_Y = str.maketrans(_I_FORMS, _Y_FORMS)
_LONE_I_Y = re.compile(f"^{_ONSET}[{_I_FORMS}{_Y_FORMS}]$", re.IGNORECASE)


def i_y_spellings(text: str) -> set[str]:
    """`text` as written, with every lone final i/y written i, and written y ("Kĩ năng" <-> "Kỹ năng"),
    for lookups in columns that keep the spelling (sort keys)."""
    text = normalize(text)

    def swap(table: dict[int, int]) -> str:
        return _WORD.sub(lambda m: m.group().translate(table) if _LONE_I_Y.match(m.group()) else m.group(), text)
    return {text, swap(_TO_I), swap(_TO_Y)}
