"""Tolerant unit-name keys: one key for every way people and crawlers write the same name.

Handles full-width/half-width forms, bracket styles, stray spaces, traditional characters and
the pinyin annotations of crawled text (`長(zhǎng)樂(lè)區(qū)` is 长乐区).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_PINYIN_NOTE = re.compile(
    r"(?<=[\u3400-\u9fff])\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7})\)", re.IGNORECASE
)
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")"})
_SPACES = re.compile(r"\s+")
_REPEATED_PUNCT = re.compile(r"([,，、。;；])\1+")
_EDGE_PUNCT = " ,，、。.;；:：\"'“”‘’"


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def clean_text(text: str) -> str:
    """Readable simplified text: crawl noise gone, half-width brackets, no doubled commas."""
    text = unicodedata.normalize("NFKC", text)
    text = _PINYIN_NOTE.sub("", text)
    text = text.translate(_BRACKETS)
    text = _REPEATED_PUNCT.sub(r"\1", text)
    text = _t2s().convert(text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=1 << 16)  # a pure function, called for every name cell of an import
def name_key(name: str) -> str:
    """The matching key of a name: cleaned, without spaces or edge punctuation, lower-case."""
    key = name
    for _ in range(5):  # until stable: removing one annotation can expose the next
        new = unicodedata.normalize(
            "NFKC", _SPACES.sub("", clean_text(key)).strip(_EDGE_PUNCT).lower()
        )
        if new == key:
            break
        key = new
    return key
