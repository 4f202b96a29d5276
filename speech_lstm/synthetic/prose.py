"""Real English prose for the word LM, read from Debian packages' text files.

Sources and licences (checked in each package's /usr/share/doc/<package>/copyright):
- "wordnet": the example sentences of WordNet 3.0's glosses (package `wordnet-base`;
  WordNet 3.0 licence, Princeton University: use, copy, modify and distribute for any purpose).
- "fortunes": the plain-prose files of the `fortunes` package (BSD-3-Clause, Debian main).
GCIDE dictionary quotations (`dict-gcide`) are left out: GPL text would make an LM that is
shipped (with a model) subject to the GPL.

Text is split into sentences and normalised like the transcripts (`speech_lstm.text`);
sentences with digits (spoken differently from their spelling) or of fewer than three or
more than thirty words are dropped. Files are read in a fixed order, so the text is the same
on every machine with the same package versions.
"""

from __future__ import annotations

import re
from pathlib import Path

from speech_lstm.text import normalize_text

WORDNET_DIR = Path("/usr/share/wordnet")
FORTUNE_DIR = Path("/usr/share/games/fortunes")
FORTUNE_FILES = (
    *("fortunes", "literature", "wisdom", "people", "platitudes", "work", "love", "pets"),
    *("food", "kids", "education", "humorists", "miscellaneous"),
)
PROSE_SOURCES = {"wordnet": "wordnet-base", "fortunes": "fortunes"}
_EXAMPLE = re.compile(r'"([^"]+)"')
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


def prose_sentences(sources: list[str]) -> list[str]:
    """Normalised prose sentences of `sources` (keys of `PROSE_SOURCES`), in a fixed order.

    Raises:
        ValueError: for a name not in `PROSE_SOURCES`.
        FileNotFoundError: when a source's Debian package is not installed.
    """
    readers = {"wordnet": _wordnet_texts, "fortunes": _fortune_texts}
    unknown = sorted(set(sources) - set(readers))
    if unknown:
        raise ValueError(f"Unknown LM prose sources {unknown}; known: {sorted(readers)}")
    sentences = []
    for source in sources:
        for text in readers[source]():
            sentences += _sentences(text)
    return sentences


def _require(path: Path, source: str) -> None:
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: the LM prose source {source!r} needs the Debian package "
            f"{PROSE_SOURCES[source]} (apt-get install {PROSE_SOURCES[source]}; "
            "scripts/setup.sh installs it), or drop it from data.synthetic.lm_prose"
        )


def _wordnet_texts() -> list[str]:
    """The quoted example sentences of every WordNet gloss: "the dog barked all night"."""
    texts = []
    for pos in ("noun", "verb", "adj", "adv"):
        path = WORDNET_DIR / f"data.{pos}"
        _require(path, "wordnet")
        for line in path.read_text(encoding="latin-1").splitlines():
            if not line.startswith(" ") and "|" in line:
                texts += _EXAMPLE.findall(line.split("|", 1)[1])
    return texts


def _fortune_texts() -> list[str]:
    """Each fortune (the text between "%" lines), without its "-- Author" attribution."""
    texts = []
    for name in FORTUNE_FILES:
        path = FORTUNE_DIR / name
        _require(path, "fortunes")
        for entry in path.read_text(encoding="latin-1").split("\n%\n"):
            lines = [ln for ln in entry.splitlines() if not ln.strip().startswith("--")]
            texts.append(" ".join(lines))
    return texts


def _sentences(text: str) -> list[str]:
    out = []
    for piece in _SENTENCE_END.split(text):
        if re.search(r"[0-9]", piece):
            continue
        sentence = normalize_text(piece.replace("--", " "))
        sentence = " ".join(w.strip("'") for w in sentence.split() if w.strip("'"))
        if 3 <= len(sentence.split()) <= 30:
            out.append(sentence)
    return out
