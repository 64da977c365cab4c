"""Words, as motions, selection snapping and "the word under the cursor" see them.

A word is a run of letters and digits with the combining marks that belong to them (a
decomposed "José" is one word, not "Jose" and a stray accent), and keeps inner joiners:
"2,000-strong", "1.5", "don’t", "04:30" are one word each.

CJK text (Han, kana, Hangul) is written without spaces, and we have no tokenizer: a run of
CJK characters is one word ("状況は安定している"), but never the same word as the Latin,
Cyrillic, Greek, ... letters or the digits written against it. "Halina Marović氏は" is
"Halina", "Marović", "氏は"; "Kölnでは約3,000人" is "Köln", "では約", "3,000", "人" (digits are
not CJK, whatever their width: "３０００人" is "３０００", "人"; Han numerals are: "三千人" is
one word). A combining mark stays with the character before it, CJK or not (a kana and a
combining voiced sound mark, an ideograph and its variation selector); joiners join only like
to like ("東京-大阪" is one word, "3,000人" two).
"""

from __future__ import annotations

import re

# Every combining mark (Unicode categories Mn, Mc, Me), as ranges: generated from
# unicodedata (Unicode 14.0.0) by a loop over all code points.
COMBINING = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1-\u05c2\u05c4-\u05c5\u05c7"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7-\u06e8\u06ea-\u06ed"
    "\u0711\u0730-\u074a\u07a6-\u07b0\u07eb-\u07f3\u07fd\u0816-\u0819\u081b-\u0823"
    "\u0825-\u0827\u0829-\u082d\u0859-\u085b\u0898-\u089f\u08ca-\u08e1\u08e3-\u0903"
    "\u093a-\u093c\u093e-\u094f\u0951-\u0957\u0962-\u0963\u0981-\u0983\u09bc\u09be-\u09c4"
    "\u09c7-\u09c8\u09cb-\u09cd\u09d7\u09e2-\u09e3\u09fe\u0a01-\u0a03\u0a3c\u0a3e-\u0a42"
    "\u0a47-\u0a48\u0a4b-\u0a4d\u0a51\u0a70-\u0a71\u0a75\u0a81-\u0a83\u0abc\u0abe-\u0ac5"
    "\u0ac7-\u0ac9\u0acb-\u0acd\u0ae2-\u0ae3\u0afa-\u0aff\u0b01-\u0b03\u0b3c\u0b3e-\u0b44"
    "\u0b47-\u0b48\u0b4b-\u0b4d\u0b55-\u0b57\u0b62-\u0b63\u0b82\u0bbe-\u0bc2\u0bc6-\u0bc8"
    "\u0bca-\u0bcd\u0bd7\u0c00-\u0c04\u0c3c\u0c3e-\u0c44\u0c46-\u0c48\u0c4a-\u0c4d"
    "\u0c55-\u0c56\u0c62-\u0c63\u0c81-\u0c83\u0cbc\u0cbe-\u0cc4\u0cc6-\u0cc8\u0cca-\u0ccd"
    "\u0cd5-\u0cd6\u0ce2-\u0ce3\u0d00-\u0d03\u0d3b-\u0d3c\u0d3e-\u0d44\u0d46-\u0d48"
    "\u0d4a-\u0d4d\u0d57\u0d62-\u0d63\u0d81-\u0d83\u0dca\u0dcf-\u0dd4\u0dd6\u0dd8-\u0ddf"
    "\u0df2-\u0df3\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd"
    "\u0f18-\u0f19\u0f35\u0f37\u0f39\u0f3e-\u0f3f\u0f71-\u0f84\u0f86-\u0f87\u0f8d-\u0f97"
    "\u0f99-\u0fbc\u0fc6\u102b-\u103e\u1056-\u1059\u105e-\u1060\u1062-\u1064\u1067-\u106d"
    "\u1071-\u1074\u1082-\u108d\u108f\u109a-\u109d\u135d-\u135f\u1712-\u1715\u1732-\u1734"
    "\u1752-\u1753\u1772-\u1773\u17b4-\u17d3\u17dd\u180b-\u180d\u180f\u1885-\u1886\u18a9"
    "\u1920-\u192b\u1930-\u193b\u1a17-\u1a1b\u1a55-\u1a5e\u1a60-\u1a7c\u1a7f\u1ab0-\u1ace"
    "\u1b00-\u1b04\u1b34-\u1b44\u1b6b-\u1b73\u1b80-\u1b82\u1ba1-\u1bad\u1be6-\u1bf3"
    "\u1c24-\u1c37\u1cd0-\u1cd2\u1cd4-\u1ce8\u1ced\u1cf4\u1cf7-\u1cf9\u1dc0-\u1dff"
    "\u20d0-\u20f0\u2cef-\u2cf1\u2d7f\u2de0-\u2dff\u302a-\u302f\u3099-\u309a\ua66f-\ua672"
    "\ua674-\ua67d\ua69e-\ua69f\ua6f0-\ua6f1\ua802\ua806\ua80b\ua823-\ua827\ua82c"
    "\ua880-\ua881\ua8b4-\ua8c5\ua8e0-\ua8f1\ua8ff\ua926-\ua92d\ua947-\ua953\ua980-\ua983"
    "\ua9b3-\ua9c0\ua9e5\uaa29-\uaa36\uaa43\uaa4c-\uaa4d\uaa7b-\uaa7d\uaab0\uaab2-\uaab4"
    "\uaab7-\uaab8\uaabe-\uaabf\uaac1\uaaeb-\uaaef\uaaf5-\uaaf6\uabe3-\uabea\uabec-\uabed"
    "\ufb1e\ufe00-\ufe0f\ufe20-\ufe2f\U000101fd\U000102e0\U00010376-\U0001037a"
    "\U00010a01-\U00010a03\U00010a05-\U00010a06\U00010a0c-\U00010a0f\U00010a38-\U00010a3a"
    "\U00010a3f\U00010ae5-\U00010ae6\U00010d24-\U00010d27\U00010eab-\U00010eac"
    "\U00010f46-\U00010f50\U00010f82-\U00010f85\U00011000-\U00011002\U00011038-\U00011046"
    "\U00011070\U00011073-\U00011074\U0001107f-\U00011082\U000110b0-\U000110ba\U000110c2"
    "\U00011100-\U00011102\U00011127-\U00011134\U00011145-\U00011146\U00011173"
    "\U00011180-\U00011182\U000111b3-\U000111c0\U000111c9-\U000111cc\U000111ce-\U000111cf"
    "\U0001122c-\U00011237\U0001123e\U000112df-\U000112ea\U00011300-\U00011303"
    "\U0001133b-\U0001133c\U0001133e-\U00011344\U00011347-\U00011348\U0001134b-\U0001134d"
    "\U00011357\U00011362-\U00011363\U00011366-\U0001136c\U00011370-\U00011374"
    "\U00011435-\U00011446\U0001145e\U000114b0-\U000114c3\U000115af-\U000115b5"
    "\U000115b8-\U000115c0\U000115dc-\U000115dd\U00011630-\U00011640\U000116ab-\U000116b7"
    "\U0001171d-\U0001172b\U0001182c-\U0001183a\U00011930-\U00011935\U00011937-\U00011938"
    "\U0001193b-\U0001193e\U00011940\U00011942-\U00011943\U000119d1-\U000119d7"
    "\U000119da-\U000119e0\U000119e4\U00011a01-\U00011a0a\U00011a33-\U00011a39"
    "\U00011a3b-\U00011a3e\U00011a47\U00011a51-\U00011a5b\U00011a8a-\U00011a99"
    "\U00011c2f-\U00011c36\U00011c38-\U00011c3f\U00011c92-\U00011ca7\U00011ca9-\U00011cb6"
    "\U00011d31-\U00011d36\U00011d3a\U00011d3c-\U00011d3d\U00011d3f-\U00011d45\U00011d47"
    "\U00011d8a-\U00011d8e\U00011d90-\U00011d91\U00011d93-\U00011d97\U00011ef3-\U00011ef6"
    "\U00016af0-\U00016af4\U00016b30-\U00016b36\U00016f4f\U00016f51-\U00016f87"
    "\U00016f8f-\U00016f92\U00016fe4\U00016ff0-\U00016ff1\U0001bc9d-\U0001bc9e"
    "\U0001cf00-\U0001cf2d\U0001cf30-\U0001cf46\U0001d165-\U0001d169\U0001d16d-\U0001d172"
    "\U0001d17b-\U0001d182\U0001d185-\U0001d18b\U0001d1aa-\U0001d1ad\U0001d242-\U0001d244"
    "\U0001da00-\U0001da36\U0001da3b-\U0001da6c\U0001da75\U0001da84\U0001da9b-\U0001da9f"
    "\U0001daa1-\U0001daaf\U0001e000-\U0001e006\U0001e008-\U0001e018\U0001e01b-\U0001e021"
    "\U0001e023-\U0001e024\U0001e026-\U0001e02a\U0001e130-\U0001e136\U0001e2ae"
    "\U0001e2ec-\U0001e2ef\U0001e8d0-\U0001e8d6\U0001e944-\U0001e94a\U000e0100-\U000e01ef"
)

# CJK scripts, by block or part of one (sorted). Only the word characters (\w) in them count:
# their punctuation ("、", "・", "「") stays out of every word, as it always was, and what a
# later Unicode assigns in them is CJK as soon as Python's \w knows it.
CJK_BLOCKS = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3000, 0x303F),  # CJK Symbols and Punctuation: 々 〆 〇 〻, Hangzhou numerals, 〱 kana repeat
    (0x3040, 0x30FF),  # Hiragana, Katakana (with ゝ ヽ iteration marks, ヶ and ー)
    (0x3100, 0x312F),  # Bopomofo (Chinese phonetic letters, written among Han)
    (0x3130, 0x318F),  # Hangul Compatibility Jamo
    (0x3190, 0x31BF),  # Kanbun annotation marks, Bopomofo Extended
    (0x31F0, 0x31FF),  # Katakana Phonetic Extensions
    (0x3220, 0x3229),  # ㈠..㈩ parenthesized ideograph numbers
    (0x3280, 0x3289),  # ㊀..㊉ circled ideograph numbers
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xA960, 0xA97F),  # Hangul Jamo Extended-A
    (0xAC00, 0xD7FF),  # Hangul Syllables, Hangul Jamo Extended-B
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFF61, 0xFFDC),  # Halfwidth Katakana and Hangul (not the fullwidth Latin letters, digits)
    (0x16FE3, 0x16FE3),  # old Chinese iteration mark
    (0x1AFF0, 0x1B16F),  # Kana Extended-A/B, Kana Supplement, Small Kana Extension
    (0x20000, 0x3FFFF),  # planes 2 and 3: CJK Unified Ideographs Extensions B.., compatibility
)


def _complement(ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    nxt = 0
    for lo, hi in ranges:
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    return (*out, (nxt, 0x10FFFF))


def _ranges(ranges: tuple[tuple[int, int], ...]) -> str:
    """The inside of a character class matching these code point ranges."""
    return "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)


# A word character in a CJK block (\w, less everything outside them), and any other word
# character (\w, less the CJK blocks). Combining marks are neither (they are not \w): each
# kind of word takes them.
_CJK = rf"[^\W{_ranges(_complement(CJK_BLOCKS))}]"
CJK_CHAR = re.compile(f"[{_ranges(CJK_BLOCKS)}]")
"""Any character in a CJK block (word character or not: 〇 and 、 too)."""
_OTHER = rf"[^\W{_ranges(CJK_BLOCKS)}]"
# A combining mark. re tries a character against a set's ranges past U+FFFF one by one (~150
# here), and nearly every character meets the marks (the space after each word, twice), so
# only a character past U+FFFF itself is tried against those: the same set as
# `[{COMBINING}]`, searched about a third faster.
_SPLIT = next(i for i, c in enumerate(COMBINING) if ord(c) > 0xFFFF)
_MARK = rf"(?:[{COMBINING[:_SPLIT]}]++|(?=[\U00010000-\U0010ffff])[{COMBINING[_SPLIT:]}])"
# Runs of one kind of word character and marks. Possessive: the sets are disjoint, so the
# greedy match is the only one and nothing is ever given back (as with the old `[\w...]+`).
_OTHER_RUN = rf"(?:{_OTHER}++|{_MARK})++"
_JOINER = "[-'’.,:/]"
# Compiling a set costs ~1 ms per 10,000 code points in it (at import), so the CJK word, the
# rarer one, names its set twice, not three times: a run, then more runs or marks, each
# perhaps after one joiner: the same as `C(C|M)*(J(C|M)+)*`.
WORD = re.compile(
    # not CJK (and marks with no letter before them): exactly the old word, in text with no CJK
    rf"{_OTHER_RUN}(?:{_JOINER}{_OTHER_RUN})*+"
    # CJK, from a CJK letter (marks before it were taken above)
    rf"|{_CJK}++(?:{_JOINER}?(?:{_CJK}++|{_MARK}))*+"
)
"""One word; `WORD.finditer(text, lo, hi)` finds them in a window of a long text."""

_WINDOW = 256  # how far around an offset to look for the word containing it


def word_at(text: str, offset: int) -> tuple[int, int] | None:
    """(start, end) of the word containing offset, None on space or punctuation between words
    (a window around it is searched: the cost does not grow with the text)."""
    lo = max(0, offset - _WINDOW)
    for m in WORD.finditer(text, lo, min(len(text), offset + _WINDOW)):
        if m.start() <= offset < m.end():
            return m.start(), m.end()
        if m.start() > offset:
            break
    return None


def snap(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """What a word-snapped selection from lo to hi (both included) covers: widened to the
    whole words at its ends, without the whitespace at either end (spaces, newlines, any
    Unicode space: a span never starts or ends with one). None when it is only whitespace."""
    a, b = word_at(text, lo), word_at(text, hi)
    start = a[0] if a else lo
    end = min(len(text), b[1] if b else hi + 1)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None
