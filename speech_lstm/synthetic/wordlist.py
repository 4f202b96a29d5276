"""Builds `everyday_words.py`: the most frequent English words, each with its sentence role.

The word list comes from `wordfreq` (its English "best" list) and the roles (noun, verb and
its forms, adjective, adverb, name) from the WordNet database (Debian `wordnet-base`), with
the closed-class words (pronouns, prepositions, auxiliaries, ...) given their own sentence
frames in `everyday.py`. Neither package is needed at run time: the result is committed, and
`python -m speech_lstm.synthetic.wordlist` rebuilds it (a maintainer's tool, not a
`speech-lstm` job). Run it only to change the list.
"""

from __future__ import annotations

from pathlib import Path

from speech_lstm.synthetic.everyday_frames import CLOSED_FRAMES, ROLE_OVERRIDES
from speech_lstm.synthetic.lexicon import IRREGULAR_VERBS
from speech_lstm.text import normalize_text

WORDNET_DIR = Path("/usr/share/wordnet")
WORDFREQ_LIST = "best"


# Not spoken as written by a TTS engine (abbreviations, letters, internet slang), foreign
# words, or not wanted in generated sentences (profanity). Skipped; the next word moves up.
def _words(text: str) -> list[str]:
    return text.split()


EXCLUDED = frozenset(
    _words("""
    s t d m b r c e dr de re co w st tv x l al n ok p o uk u f h v la y ii g j k vs ex ed ad im
    pm ca ms ya et ll mm ah ma eu un id ha em dc el q ve jr da pc ft en le bc z lol etc pre
    multi nfl bbc dont thats haha gonna wanna gotta ain't mr mrs iii usa nba cnn fbi cia los
    san hong kong angeles francisco fuck fucking fucked shit damn sex sexy porn ass bitch dick
    gay lmao omg wtf btw tho nah yo ur u.s dvd cd pdf html http www com org iv pp vol jan feb
    aug sept oct nov dec mon fri sat sun ceo gop nhl mlb nyc ufc espn nasa nato bros ps vi vii
    xi lb lbs oz km kg mg min max ft mph sq yr yrs ave blvd mt op ft isis cbs nbc abc hiv aids
    dna lgbt covid ipad iphone wifi ipod xbox ps4 smh idk imo tbh ftw rt pls plz thx aka asap
    diy faq gps mba phd rip tx ny la fl ga nj nc va pa mi oh wa az ma il md inc non
    """)
)


def top_words(count: int) -> list[str]:
    """The `count` most frequent English words that the normaliser keeps and TTS speaks."""
    import wordfreq

    kept: list[str] = []
    for word in wordfreq.iter_wordlist("en", WORDFREQ_LIST):
        if normalize_text(word) == word and word not in EXCLUDED and _speakable(word):
            kept.append(word)
            if len(kept) == count:
                return kept
    raise ValueError(f"wordfreq has fewer than {count} usable English words")


def _speakable(word: str) -> bool:
    """Letters with a vowel, no leading or doubled apostrophe: not an initialism like "nba"."""
    if len(word) == 1:
        return word in ("a", "i")
    letters = word.replace("'", "")
    return any(v in letters for v in "aeiouy") and not word.startswith("'")


def _read_index(pos: str, wordnet_dir: Path) -> dict[str, tuple[int, list[str]]]:
    """lemma -> (tagged sense count, synset offsets) from WordNet's index.<pos>."""
    entries = {}
    for line in (wordnet_dir / f"index.{pos}").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        parts = line.split()
        pointer_count = int(parts[3])
        tagged = int(parts[5 + pointer_count])
        entries[parts[0]] = (tagged + 1, parts[6 + pointer_count :])
    return entries


def _exceptions(pos: str, wordnet_dir: Path) -> dict[str, str]:
    rows = (line.split() for line in (wordnet_dir / f"{pos}.exc").read_text().splitlines())
    return {row[0]: row[1] for row in rows if len(row) >= 2}


class WordNet:
    """The parts of WordNet the role guesser needs: lemmas by part of speech, verb frames,
    irregular forms, and which nouns are names (written capitalised)."""

    def __init__(self, wordnet_dir: Path = WORDNET_DIR) -> None:
        if not (wordnet_dir / "index.noun").is_file():
            raise FileNotFoundError(
                f"WordNet not found in {wordnet_dir}: apt-get install wordnet-base "
                "(scripts/setup.sh installs it)"
            )
        self.index = {pos: _read_index(pos, wordnet_dir) for pos in ("noun", "verb", "adj", "adv")}
        self.exc = {pos: _exceptions(pos, wordnet_dir) for pos in ("noun", "verb")}
        self._data = {pos: (wordnet_dir / f"data.{pos}") for pos in ("noun", "verb")}

    def _synset(self, pos: str, offset: str) -> str:
        """The data line of a synset: its offset is its byte position in data.<pos>."""
        with self._data[pos].open("rb") as data:
            data.seek(int(offset))
            return data.readline().decode("latin-1")

    def weight(self, lemma: str, pos: str) -> int:
        return self.index[pos].get(lemma, (0, []))[0]

    def transitive(self, verb: str) -> bool:
        """Whether the verb's commonest sense takes an object (frames "----s something")."""
        offsets = self.index["verb"].get(verb, (0, []))[1]
        if not offsets:
            return True
        parts = self._synset("verb", offsets[0]).split("|")[0].split()
        at = 4 + 2 * int(parts[3], 16)  # after the synset's words: pointers, then frames
        at += 1 + 4 * int(parts[at])
        frames = {int(parts[at + 2 + 3 * i]) for i in range(int(parts[at]))}
        return bool(frames & {8, 9, 10, 11, 14, 15, 16, 17, 18, 19, 20, 21})

    def is_name(self, noun: str) -> bool:
        """Whether the noun's commonest sense is written capitalised (a person or a place)."""
        offsets = self.index["noun"].get(noun, (0, []))[1]
        if not offsets:
            return False
        parts = self._synset("noun", offsets[0]).split()
        words = [parts[4 + 2 * i] for i in range(int(parts[3], 16))]
        match = [w for w in words if w.lower() == noun]
        return bool(match) and match[0][0].isupper()

    def verb_lemma(self, word: str) -> str | None:
        """The verb a form comes from: took -> take, watches -> watch, carried -> carry."""
        if word in self.exc["verb"]:
            return self.exc["verb"][word]
        for suffix, ending in (("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", "e")):
            if word.endswith(suffix) and word[: -len(suffix)] + ending in self.index["verb"]:
                return word[: -len(suffix)] + ending
        for suffix in ("ed", "ing"):
            stem = word[: -len(suffix)]
            for lemma in (stem, stem + "e", stem[:-1]):
                if word.endswith(suffix) and lemma in self.index["verb"]:
                    return lemma
        return None


def guess_role(word: str, wordnet: WordNet) -> str:
    """The sentence role of `word` (see `everyday.ROLES`); "" when none fits."""
    if word in CLOSED_FRAMES:
        return "c"
    if word in ROLE_OVERRIDES:
        return ROLE_OVERRIDES[word]
    weights = {pos: wordnet.weight(word, pos) for pos in ("noun", "verb", "adj", "adv")}
    lemma = wordnet.verb_lemma(word)
    if lemma and lemma != word:
        weights["form"] = wordnet.weight(lemma, "verb")
    noun = _plural_lemma(word, wordnet)
    if noun and noun != word:
        weights["plural"] = 3 * wordnet.weight(noun, "noun")
    best = max(weights, key=weights.get)
    if not weights[best]:
        return ""
    if best == "form":
        t = "t" if wordnet.transitive(lemma) else "i"
        if word in irregular_participles():
            return "h" + t
        if word.endswith("ing"):
            return "g" + t
        if word.endswith("s") and not word.endswith("ss"):
            return "s" + t
        return "d" + t
    if best == "plural":
        return "p"
    if best == "noun":
        return "m" if wordnet.is_name(word) else "n"
    if best == "verb":
        return "v" + ("t" if wordnet.transitive(word) else "i")
    if best == "adj":
        return "a"
    return "r" if word.endswith("ly") else "e"


def _plural_lemma(word: str, wordnet: WordNet) -> str | None:
    if word in wordnet.exc["noun"]:
        return wordnet.exc["noun"][word]
    for suffix, ending in (("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(suffix) and word[: -len(suffix)] + ending in wordnet.index["noun"]:
            return word[: -len(suffix)] + ending
    return None


def irregular_participles() -> set[str]:
    """Irregular past participles that are not also past tenses (seen, taken, given)."""
    return {pp for past, pp in IRREGULAR_VERBS.values() if pp != past}


def render_module(words: list[str], roles: dict[str, str], version: str) -> str:
    """The text of `everyday_words.py`: words in frequency order, each as word:role."""
    lines, line = [], ""
    for word in words:
        item = f"{word}:{roles[word]}"
        if len(line) + len(item) + 1 > 92:
            lines.append(line)
            line = ""
        line = f"{line} {item}".strip()
    lines.append(line)
    body = "\n".join(f"    {ln}" for ln in lines)
    return f'''"""The {len(words)} most frequent English words, with the sentence role of each.

Generated by `python -m speech_lstm.synthetic.wordlist`; do not edit by hand.
Word list: wordfreq {version} (https://github.com/rspeer/wordfreq), English "{WORDFREQ_LIST}"
list, filtered to words the text normaliser keeps and TTS engines speak as written. wordfreq's
data is licensed CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/); this list is
shared under the same licence. Roles: WordNet 3.0 (Princeton University, WordNet licence) and
the hand tables of everyday_frames.py.
"""

WORDFREQ_VERSION = "{version}"
WORD_ROLES = """
{body}
"""
'''


EVERYDAY_COUNT = 3000


def build_roles(count: int = EVERYDAY_COUNT) -> tuple[list[str], dict[str, str]]:
    """The top `count` words and their roles; raises when a word gets no role."""
    words = top_words(count)
    wordnet = WordNet()
    roles = {word: guess_role(word, wordnet) for word in words}
    missing = [word for word in words if not roles[word]]
    if missing:
        raise ValueError(f"No sentence role for {missing}: add them to everyday_frames.py")
    return words, roles


def write_everyday_module(path: Path, count: int = EVERYDAY_COUNT) -> None:
    """Writes `everyday_words.py` (see `render_module`)."""
    from importlib.metadata import version

    words, roles = build_roles(count)
    path.write_text(render_module(words, roles, version("wordfreq")), encoding="utf-8")


if __name__ == "__main__":
    target = Path(__file__).with_name("everyday_words.py")
    write_everyday_module(target)
    print(f"wrote {target}")
