r"""Choose the text encoding of a file by how plausible each decoding reads, and say how sure.

Order of evidence
-----------------
1. A byte-order mark (UTF-8, UTF-16): certain.
2. UTF-16 without a BOM: NUL bytes in every other position (ASCII characters
   of UTF-16 text); certain when the whole file decodes.
3. Valid UTF-8 with non-ASCII characters (or pure ASCII): certain.
4. Otherwise every candidate code page (``cp1252``, ``latin-1``, ``cp1250``,
   ``cp1251``, ``gb18030``, and charset-normalizer's best guess when none reads
   well) decodes the non-ASCII passages of the file, and each decoding gets a
   plausibility score in [0, 1] (:func:`plausibility`): letters inside words,
   accented letters one or two at a time, Chinese characters in runs of common
   characters score high; control characters, symbols between two letters
   (``Wroc³aw``), an upper-case letter inside a lower-case word (``ŁódŸ``),
   runs of four accented letters (``Ìîñêâà``) and a lone Chinese character
   glued to Latin letters (``Espa馻``) score low.

The most plausible decoding wins. When several decode the text *differently*
and read equally well (``España`` in cp1252 is ``Espańa`` in cp1250), the choice
is a guess: the first in the order above wins (Western European before Central
European), :attr:`EncodingChoice.alternatives` names the others and the loader
records an ``encoding_guess`` issue for each value that reads differently.

Examples
--------
>>> choice = detect_text_encoding("España;Crème;São Paulo\n".encode("cp1252"))
>>> choice.encoding, choice.alternatives
('cp1252', ('cp1250',))
>>> detect_text_encoding("Łódź;Wrocław\n".encode("cp1250")).encoding
'cp1250'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from workbench.exceptions import SourceError

__all__ = [
    "CANDIDATES",
    "EncodingChoice",
    "detect_text_encoding",
    "plausibility",
    "utf16_without_bom",
    "valid_utf8",
]

CANDIDATES = ("cp1252", "latin-1", "cp1250", "cp1251", "gb18030")
"""Code pages tried for text that is not UTF-8, in order of preference on a tie."""

_TIE = 0.01
_SNIPPET = re.compile(rb"[\x21-\x7e]{0,16}[\x80-\xff]+(?:[\x21-\x7e]{1,3}[\x80-\xff]+)*"
                      rb"[\x21-\x7e]{0,16}")
_WESTERN = set("ŒœŠšŽžŸ")


@dataclass(frozen=True)
class EncodingChoice:
    """The encoding chosen for a text file and how sure the choice is.

    Attributes
    ----------
    encoding
        Python codec name.
    confidence
        0-1: 1.0 for a BOM, valid UTF-8 or a given encoding; otherwise the
        plausibility of the chosen decoding, divided by the number of
        candidates that read as well but differently.
    method
        ``bom``, ``utf-16 pattern``, ``utf-8``, ``ascii``, ``given`` or ``plausibility``.
    alternatives
        Encodings that decode the file differently and read as plausibly.
    """

    encoding: str
    confidence: float
    method: str
    alternatives: tuple[str, ...] = ()

    @property
    def guess(self) -> bool:
        """True when other encodings read the file differently and as plausibly."""
        return bool(self.alternatives)

    def describe(self) -> str:
        """Return one line for the load summary, e.g. ``cp1252 (confidence 0.50, a guess ...)``."""
        text = f"{self.encoding} (confidence {self.confidence:.2f}, {self.method}"
        if self.guess:
            text += f"; a guess: {', '.join(self.alternatives)} would read some text differently"
        return text + ")"


def utf16_without_bom(data: bytes) -> str | None:
    r"""Return ``utf-16-le``/``utf-16-be`` when NUL bytes sit in every other position, else None.

    Examples
    --------
    >>> utf16_without_bom("id,qty\n".encode("utf-16-le"))
    'utf-16-le'
    >>> utf16_without_bom(b"id,qty\n") is None
    True
    """
    head = data[:8192]
    head = head[:len(head) // 2 * 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    even_zero, odd_zero = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_zero > 0.2 and even_zero < 0.02:
        return "utf-16-le"
    if even_zero > 0.2 and odd_zero < 0.02:
        return "utf-16-be"
    return None


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    for script in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "FULLWIDTH", "IDEOGRAPHIC",
                   "CYRILLIC", "GREEK", "LATIN", "ARABIC", "HEBREW", "THAI"):
        if name.startswith(script) or f" {script} " in f" {name} ":
            return "CJK" if script in {"HIRAGANA", "KATAKANA", "HANGUL", "FULLWIDTH",
                                       "IDEOGRAPHIC"} else script
    return "OTHER"


def _cjk_weight(ch: str) -> float:
    """Weight of a Chinese character: common (GB2312 level 1 or symbols) reads best."""
    try:
        lead = ch.encode("gb2312")[0]
    except UnicodeEncodeError:
        return 0.3
    if lead <= 0xA9 or 0xB0 <= lead <= 0xD7:
        return 1.0
    return 0.6


def _letter_score(text: str, i: int, ch: str, prev: str, nxt: str) -> float:
    script = _script(ch)
    if script == "CJK":
        if _script(prev) == "CJK" or _script(nxt) == "CJK":
            return _cjk_weight(ch)
        glued = (prev.isascii() and prev.isalpha()) or (nxt.isascii() and nxt.isalpha())
        return 0.2 if glued else 0.8 * _cjk_weight(ch)
    if script == "LATIN":
        start, end = i, i + 1
        while start > 0 and not text[start - 1].isascii() and text[start - 1].isalpha():
            start -= 1
        while end < len(text) and not text[end].isascii() and text[end].isalpha():
            end += 1
        run = end - start
        if ch.isupper() and prev.isalpha() and prev.islower():
            return 0.3
        return 1.0 if run <= 2 else (0.6 if run == 3 else 0.1)
    # Cyrillic, Greek and other alphabets: words of one script
    if _script(prev) == script or _script(nxt) == script:
        return 1.0
    return 0.2 if (prev.isascii() and prev.isalpha()) or (nxt.isascii() and nxt.isalpha()) \
        else 0.5


def _char_score(text: str, i: int) -> float:
    ch = text[i]
    cat = unicodedata.category(ch)
    if cat in {"Cc", "Cf", "Co", "Cs", "Cn"} or ch == "\ufffd":
        return 0.0
    prev = text[i - 1] if i else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if cat.startswith("L"):
        return _letter_score(text, i, ch, prev, nxt)
    if ch in "\u2019\u00b7" and prev.isalpha() and nxt.isalpha():
        return 1.0  # don’t, l·l
    if prev.isalpha() and nxt.isalpha():
        return 0.1  # a symbol where a letter belongs: Wroc³aw
    return 0.8


def plausibility(text: str) -> float:
    """Score in [0, 1] of how plausible the non-ASCII characters of a decoded text read.

    Examples
    --------
    >>> plausibility("España, Crème, São Paulo")
    1.0
    >>> plausibility("Wroc³aw") < 0.5
    True
    >>> plausibility("Espa馻") < 0.5
    True
    """
    idx = [i for i, ch in enumerate(text) if not ch.isascii()]
    if not idx:
        return 1.0
    return round(sum(_char_score(text, i) for i in idx) / len(idx), 4)


def _sample(data: bytes, limit: int = 4000) -> bytes:
    """Non-ASCII passages of ``data`` with some ASCII around them, joined by newlines."""
    parts = []
    for k, m in enumerate(_SNIPPET.finditer(data)):
        if k >= limit:
            break
        parts.append(m.group())
    return b"\n".join(parts)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def valid_utf8(data: bytes) -> bool:
    r"""Tell whether ``data`` is valid UTF-8, as ``data.decode("utf-8")`` would.

    Arrow checks the bytes in place (SIMD, no decoded copy): about 20x faster than
    decoding a large file only to throw the text away. Without pyarrow, decodes.

    Examples
    --------
    >>> valid_utf8("订单".encode("utf-8")), valid_utf8("订单".encode("gbk"))
    (True, False)
    >>> valid_utf8(b"\xed\xa0\x80")  # an encoded surrogate: not UTF-8
    False
    """
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return _decodes(data, "utf-8")
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _normalizer_guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        return None
    enc = best.encoding.lower()
    return "gb18030" if enc in {"gbk", "gb2312", "hz", "gb18030"} else enc


def _rank(data: bytes, sample: bytes, candidates: list[str]) -> list[tuple[float, int, str, str]]:
    """Return (score, order, encoding, decoded sample) for candidates that decode all of ``data``."""
    ranked = []
    for order, enc in enumerate(candidates):
        try:
            decoded = sample.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if not _decodes(data, enc):
            continue
        ranked.append((plausibility(decoded), order, enc, decoded))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    return ranked


def detect_text_encoding(data: bytes) -> EncodingChoice:
    """Choose the encoding of a text file; see the module docstring for the evidence used.

    Raises
    ------
    SourceError
        When no candidate decodes the file.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return EncodingChoice("utf-8-sig", 1.0, "bom")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return EncodingChoice("utf-16", 1.0, "bom")
    utf16 = utf16_without_bom(data)
    if utf16 and _decodes(data, utf16):
        return EncodingChoice(utf16, 1.0, "utf-16 pattern")
    if data.isascii():
        return EncodingChoice("utf-8", 1.0, "ascii")
    if valid_utf8(data):
        return EncodingChoice("utf-8", 1.0, "utf-8")
    sample = _sample(data)
    ranked = _rank(data, sample, list(CANDIDATES))
    if not ranked or ranked[0][0] < 0.8:
        extra = _normalizer_guess(data)
        if extra and extra not in CANDIDATES:
            ranked = _rank(data, sample, [*CANDIDATES, extra])
    if not ranked:
        raise SourceError(
            "cannot tell the text encoding of the file: it is not UTF-8 and no candidate "
            f"({', '.join(CANDIDATES)}) decodes it",
            fix="pass encoding='...' (e.g. 'cp1252', 'big5') to the loader.")
    score, _, enc, text = ranked[0]
    rivals = tuple(dict.fromkeys(e for s, _, e, t in ranked[1:]
                                 if s >= score - _TIE and t != text))
    return EncodingChoice(enc, round(score / (1 + len(rivals)), 2), "plausibility", rivals)
