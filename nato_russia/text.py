"""Words for search: folding, tokenising and light English stemming. Pure functions.

People type "missiles" for "missile", "cooperate" for "cooperation", and ignore case. Text and
queries go through the same steps, so that they meet in the middle:

1. fold: Unicode compatibility decomposition, accents and invisible characters (a zero-width
   space or soft hyphen pasted inside a word) dropped, case folded (Wörner -> worner);
2. tokenise: apostrophes dropped (Russia's -> russias), then split on anything that is not a
   letter or digit (NATO-Russia gives nato, russia in a row);
3. stem: a small suffix stripper for the plurals and word families of diplomacy (missiles,
   cooperation/cooperating, suspension). English endings only: words in other scripts (Путин)
   are matched as written, never cut at a letter that merely looks like an English ending.
"""

from __future__ import annotations

import re

_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc")
# Characters that show as nothing yet are not letters, so the word pattern would split a word
# at them: "miss\u200bile", pasted from a web page, would be searched as the two words miss,
# ile, and the suggestions would then offer other words for it. Folding drops them, in the data
# (where validation rejects most of them anyway) and in queries alike, so both meet in
# the one word: soft hyphen, zero-width space, non-joiner and joiner, word joiner, and the
# zero-width no-break space (a byte-order mark).
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_DROPPED = str.maketrans("", "", INVISIBLE)
# A word: letters and digits, with apostrophes (Russia's) or invisible characters inside it;
# hyphens separate words. It must cut a text where words() does, for the highlights to match.
# This pattern and _CYRILLIC are compiled by re (and kept in its cache) when a search first
# uses them, not at import: a lookup, which imports this module, uses neither.
_WORD = rf"[^\W_]+(?:['\u2019\u02bc{INVISIBLE}]+[^\W_]+)*"
_PLAIN_WORD = re.compile(r"[^\W_]+")  # a word once apostrophes are gone


# A bytes.translate() table for ASCII: letters to lower case, digits kept, the rest (the
# characters that end a word) a space.
_ASCII_WORDS = bytes(
    ord(chr(c).lower()) if c < 128 and chr(c).isalnum() else 32 for c in range(256)
)
_VOWELS = set("aeiouy")
_LATIN_END = "\u024f"  # the last letter of Latin Extended-B: past it, other scripts
_CYRILLIC = "[\u0400-\u052f]"


def is_cyrillic(text: str) -> bool:
    """Whether a text has a Cyrillic letter: a query typed in Russian."""
    return re.search(_CYRILLIC, text) is not None


def fold(text: str) -> str:
    if text.isascii():
        return text.lower()  # the common case, and for ASCII the same as the full folding
    import unicodedata  # here: ASCII text, and a lookup, never need it

    decomposed = unicodedata.normalize("NFKD", text.translate(_DROPPED))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def folded(text: str) -> str:
    """A text folded as words() reads it, apostrophes dropped: each of its words is in it, and
    so is every stem of one, bar its last letter (_stem only cuts a word's end, and adds at most
    one letter), which lets a search pass over a text that cannot hold a stem, unread."""
    if text.isascii():
        return text.lower().replace("'", "")
    return fold(text).translate(_APOSTROPHES)


def words(text: str) -> list[str]:
    """Folded words in order, not stemmed: the vocabulary that suggestions are made from."""
    if text.isascii():
        # The same words, as one table look-up per character and a split, all in C: a search
        # tokenises every field of every record, and most text is ASCII.
        return text.encode().translate(_ASCII_WORDS, b"'").decode().split()
    return _PLAIN_WORD.findall(fold(text).translate(_APOSTROPHES))


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, stem) for each word of a text, with offsets into the text as given: for
    highlighting the words that matched."""
    return [
        (m.start(), m.end(), stem(fold(m.group()).translate(_APOSTROPHES)))
        for m in re.finditer(_WORD, text)
    ]


def tokens(text: str) -> list[str]:
    """Stems of the words of a text, in order."""
    return list(map(_STEMS.__getitem__, words(text)))


class Stems(dict[str, str]):
    """word -> stem, each distinct word stemmed once. A look-up is one call into C, where
    functools.lru_cache costs a Python-level call per word: for a text that is most of the cost,
    since a dataset repeats a small vocabulary over and over. Its keys are the words seen."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __missing__(self, word: str) -> str:
        if len(self) >= self.limit:
            self.clear()  # a long-lived process meeting endless new words stays bounded
        found = self[word] = _stem(word)
        return found


_STEMS = Stems(limit=100_000)


def stem(word: str) -> str:
    """A light English stem; equal stems for the forms people mix up. Short words and numbers
    are left alone."""
    return _STEMS[word]


def _stem(word: str) -> str:
    if len(word) <= 3 or not word.isalpha() or max(word) > _LATIN_END:
        return word
    for suffix, replacement in (("ies", "y"), ("sses", "ss")):
        if word.endswith(suffix):
            word = word[: -len(suffix)] + replacement
            break
    else:
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    for suffix, replacement in (
        ("nsion", "nd"),  # suspension -> suspend, extension -> extend
        ("ational", "ate"),
        ("ation", "ate"),  # cooperation -> cooperate
        ("ition", "ite"),
        ("ing", ""),  # cooperating -> cooperat(e)
        ("ive", "e"),
        ("ed", ""),
    ):
        if word.endswith(suffix):
            base = word[: -len(suffix)] + replacement
            if len(base) >= 3 and not _VOWELS.isdisjoint(base):
                word = base
                break
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # planned -> plann -> plan
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]  # cooperate -> cooperat, missile -> missil
    return word
