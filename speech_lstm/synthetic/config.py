"""Settings of the synthetic corpus (`data.synthetic` in `conf/data/`): `SyntheticConfig` and
one `SplitConfig` per split. Light: no TTS engine or sentence generator is imported here.

Voices are `engine:name` strings: `espeak-ng:en-us+m3` (accent + variant), `flite:slt`,
`festival:kal_diphone`, `piper:joe` (or `piper:MODEL.onnx`, `piper:MODEL.onnx#SPEAKER`),
`kokoro:jf_alpha` or a blend, `kokoro:jf_alpha+jm_kumo`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from speech_lstm.synthetic.espeak_variants import random_variant_names, random_variant_text
from speech_lstm.text import read_sentences

PIPER_SPEAKER = "#"  # MODEL.onnx#SPEAKER: one speaker of a multi-speaker piper model
KOKORO_BLEND = "+"  # jf_alpha+jm_kumo: the mean of the voices' styles (kokoro.py)
# Families other than espeak-ng, in the order a split's share of utterances is drawn.
SHARED_FAMILIES = ("flite", "festival", "piper", "kokoro")
# Everyday English written for this project, in no LM source: a split may speak it
# (`sentences_file: heldout_prose`), and the LM's OOV rate is measured on it.
HELDOUT_PROSE = Path(__file__).with_name("heldout_prose.txt")
PACKAGED_SENTENCES = {"heldout_prose": HELDOUT_PROSE}


@dataclass
class SplitConfig:
    """One split of the synthetic corpus: how many sentences and which voices speak them.

    Voices are the product of `espeak_accents` and `espeak_variants`, plus `flite_voices`,
    `festival_voices` (festival voice names without `voice_`, e.g. `kal_diphone`),
    `piper_voices` (`engines.PIPER_VOICE_PACKAGES` names, `.onnx` model paths, or
    `MODEL.onnx#SPEAKER` for one speaker of a multi-speaker model, `#*` for each) and
    `kokoro_voices` (`jf_alpha`, ..., or blends such as `jf_alpha+jm_kumo`: `kokoro.py`),
    which speak their `<family>_share` of the utterances; espeak-ng speaks the rest. Without
    espeak-ng voices, the utterances are divided in proportion to the shares (one family speaks
    them all). Each family's voices take turns.
    `espeak_random_variants` adds that many variants with settings drawn at random (`rand000`,
    ...; see `espeak_variants`) to `espeak_variants`: voice randomisation for a training split.
    `nonspeech_share` adds that share of `num_utterances` again as clips with nothing said
    (silence, noise, tones; empty transcript), and `edge_silence_s` pads each spoken utterance
    with up to that many seconds of silence before and after: both for a training split, so that
    the model learns to write nothing where nothing is said.
    `sentences_file` makes the split speak given sentences instead of generated ones: a text
    file, one sentence per line (`#` comments), or a packaged text by name (`heldout_prose`);
    its first `num_utterances` sentences not in an earlier split, in file order.
    """

    num_utterances: int = 100
    espeak_accents: list[str] = field(default_factory=list)
    espeak_variants: list[str] = field(default_factory=list)
    flite_voices: list[str] = field(default_factory=list)
    flite_share: float = 0.0
    festival_voices: list[str] = field(default_factory=list)
    festival_share: float = 0.0
    piper_voices: list[str] = field(default_factory=list)
    piper_share: float = 0.0
    kokoro_voices: list[str] = field(default_factory=list)
    kokoro_share: float = 0.0
    espeak_random_variants: int = 0
    nonspeech_share: float = 0.0
    edge_silence_s: float = 0.0
    sentences_file: str = ""

    def __post_init__(self) -> None:
        random_variant_names(self.espeak_random_variants)  # validates the count
        given = len(self.given_sentences())
        if self.sentences_file and given < self.num_utterances:
            raise ValueError(
                f"sentences_file {self.sentences_file} holds {given} sentences, fewer than "
                f"num_utterances={self.num_utterances}"
            )
        if not 0.0 <= self.nonspeech_share <= 1.0 or not 0.0 <= self.edge_silence_s <= 10.0:
            raise ValueError(
                "Need 0 <= nonspeech_share <= 1 and 0 <= edge_silence_s <= 10. Received: "
                f"{self.nonspeech_share}, {self.edge_silence_s}"
            )
        shares = self.shares()
        members = self.family_voices()
        for family, share in shares.items():
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"{family}_share must be in [0, 1]. Received: {share}")
            if share and not members[family]:
                raise ValueError(f"{family}_share > 0 needs {family}_voices. Received: []")
        has_espeak = bool(self.espeak_accents and self.all_espeak_variants())
        if has_espeak and sum(shares.values()) >= 1.0:
            raise ValueError(
                "espeak-ng voices would never speak: the other families' shares must sum to "
                f"less than 1. Received: {shares}"
            )
        speaking = [family for family in SHARED_FAMILIES if members[family]]
        for family in speaking:
            if not shares[family] and (has_espeak or len(speaking) > 1):
                raise ValueError(
                    f"{family}_voices {members[family]} would never speak: set "
                    f"{family}_share > 0. Received: {family}_share=0"
                )
        for name in self.festival_voices:
            if not re.fullmatch(r"[A-Za-z0-9_]+", name):
                raise ValueError(
                    "festival_voices are voice names such as kal_diphone (letters, digits, "
                    f"underscores). Received: {name!r}"
                )
        for name in self.kokoro_voices:
            if not re.fullmatch(r"[a-z_]+(\+[a-z_]+)*", name):
                raise ValueError(
                    "kokoro_voices are voice names such as jf_alpha, or blends such as "
                    f"jf_alpha+jm_kumo. Received: {name!r}"
                )
        for name in self.piper_voices:
            if not re.fullmatch(r"[A-Za-z0-9_-]+|.+\.onnx(#[^#]+)?", name):
                raise ValueError(
                    "piper_voices are voice names such as joe, paths of .onnx voice models, or "
                    "MODEL.onnx#SPEAKER for one speaker of a multi-speaker model (#* for all). "
                    f"Received: {name!r}"
                )

    def given_sentences(self) -> list[str]:
        """The normalised sentences of `sentences_file` in file order; none without one.

        Raises:
            ValueError: the file does not exist.
        """
        if not self.sentences_file:
            return []
        path = PACKAGED_SENTENCES.get(self.sentences_file, Path(self.sentences_file))
        if not path.is_file():
            raise ValueError(
                f"sentences_file is a text file or one of {sorted(PACKAGED_SENTENCES)}. "
                f"Received: {self.sentences_file!r}"
            )
        return read_sentences(path)

    def voices(self) -> list[str]:
        """All `engine:voice` names of this split."""
        espeak = [
            f"espeak-ng:{accent}+{variant}"
            for accent, variant in itertools.product(
                self.espeak_accents, self.all_espeak_variants()
            )
        ]
        others = [
            f"{family}:{name}" for family, names in self.family_voices().items() for name in names
        ]
        return espeak + others

    def all_espeak_variants(self) -> list[str]:
        """The named espeak-ng variants followed by the random ones."""
        return [*self.espeak_variants, *random_variant_names(self.espeak_random_variants)]

    def shares(self) -> dict[str, float]:
        """Family -> its share of the utterances, for the families other than espeak-ng."""
        return {family: getattr(self, f"{family}_share") for family in SHARED_FAMILIES}

    def family_voices(self) -> dict[str, list[str]]:
        """Family -> its voice names, for the families other than espeak-ng (a piper
        `MODEL.onnx#*` stands for each speaker of the model)."""
        voices = {family: getattr(self, f"{family}_voices") for family in SHARED_FAMILIES}
        voices["piper"] = [each for name in voices["piper"] for each in _piper_speakers(name)]
        return voices


def piper_speaker_ids(model: str) -> dict[str, int]:
    """Speaker name -> id of a piper `.onnx` model, from the `.onnx.json` beside it (empty for
    a model of one speaker)."""
    config = Path(f"{model}.json")
    if not config.is_file():
        raise ValueError(f"piper voice model {model}: its config {config} does not exist")
    return json.loads(config.read_text(encoding="utf-8")).get("speaker_id_map") or {}


def _piper_speakers(name: str) -> list[str]:
    """`MODEL.onnx#*` -> `MODEL.onnx#<speaker>` for each of its speakers; other names as they
    are."""
    model, _, speaker = name.partition(PIPER_SPEAKER)
    if speaker != "*":
        return [name]
    speakers = piper_speaker_ids(model)
    if not speakers:
        raise ValueError(f"piper voice {name!r}: {model} has a single speaker; drop the #*")
    return [f"{model}{PIPER_SPEAKER}{each}" for each in speakers]


@dataclass
class SyntheticConfig:
    """Settings of the generated corpus. Same settings, same audio and text.

    Attributes:
        seed: seeds the sentence generator and the voice, rate and pitch choices.
        sample_rate: rate of the written WAV files (16-bit mono).
        rate_wpm: [min, max] speaking rate in words per minute, drawn per utterance.
        pitch: [min, max] espeak-ng pitch (0-99), drawn per utterance; flite's f0 follows it.
        zipf_exponent: word-frequency skew of the sentence generator.
        num_workers: TTS processes run at once.
        splits: split name -> SplitConfig; voice sets must not overlap between splits (test
            splits may share theirs: `check_disjoint_voices`).
        only_splits: when set, only these splits are spoken and written (every split is still
            planned, so their sentences stay apart), e.g. the test splits, to score a shipped
            model without the training audio. Not part of the corpus: no other audio or text.
        word_list: when set, each utterance is `words_per_utterance` words drawn uniformly from
            this list instead of a generated sentence (e.g. the ten digits); texts may repeat.
        words_per_utterance: [min, max] words per utterance with `word_list`.
        lm_sentences: extra generated sentences written to `lm_text.txt` for the language
            model (no sentence of any split other than train among them); 0 writes none.
        everyday_words: the train split speaks each of this many most frequent English words
            (up to 3,000, `everyday.py`) in sentences of their own, spread evenly over the
            split; the split needs at least as many utterances as those sentences (about
            1,770 for 3,000 words). 0: none.
        lm_prose: real English prose added to `lm_text.txt`: names of `prose.PROSE_SOURCES`
            (Debian packages' text, e.g. WordNet's example sentences).
        respellings: espeak-ng language -> {word: the word spelt in that language}, for
            foreign-accented English. A voice of a language other than English reads each word
            as respelt (Greek `τού` for `two`), so it sounds like a speaker of that language
            saying the English word; the transcript keeps the English word. Such a voice needs
            `word_list`, and a table that spells every word of it.
    """

    seed: int = 0
    sample_rate: int = 16000
    rate_wpm: list[int] = field(default_factory=lambda: [140, 200])
    pitch: list[int] = field(default_factory=lambda: [30, 70])
    zipf_exponent: float = 1.0
    num_workers: int = 2
    splits: dict[str, SplitConfig] = field(default_factory=dict)
    only_splits: list[str] = field(default_factory=list)
    word_list: list[str] = field(default_factory=list)
    words_per_utterance: list[int] = field(default_factory=lambda: [1, 1])
    lm_sentences: int = 0
    respellings: dict[str, dict[str, str]] = field(default_factory=dict)
    everyday_words: int = 0
    lm_prose: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.only_splits) - set(self.splits))
        if unknown:
            raise ValueError(
                f"only_splits names splits the corpus does not have: {unknown}. "
                f"Received: only_splits={self.only_splits}, splits {list(self.splits)}"
            )
        for name, split in self.splits.items():
            for accent in split.espeak_accents:
                if not is_english_accent(accent):
                    self._check_respelling(name, accent)

    def _check_respelling(self, split: str, accent: str) -> None:
        table = self.respellings.get(accent)
        if table is None or not self.word_list:
            raise ValueError(
                f"Split {split!r} has the non-English espeak-ng accent {accent!r}: it would read "
                "English text with its own language's spelling rules. Give `word_list` and "
                f"respellings.{accent} (word -> spelling). Received: word_list={self.word_list}, "
                f"respellings for {sorted(self.respellings)}"
            )
        missing = [word for word in self.word_list if word not in table]
        if missing:
            raise ValueError(f"respellings.{accent} does not spell {missing}")

    def spoken_text(self, text: str, voice: str) -> str:
        """What `voice` is given to read for `text`: respelt word by word for a foreign accent."""
        engine, name = voice.split(":", 1)
        accent = name.split("+", 1)[0]
        if engine != "espeak-ng" or is_english_accent(accent):
            return text
        return " ".join(self.respellings[accent][word] for word in text.split())

    def fingerprint(self) -> str:
        """Hash of everything that changes the audio or text (not `num_workers`)."""
        return self._prefix_hashes()[-1]

    def split_fingerprints(self) -> dict[str, str]:
        """Split name -> hash of everything its audio and text depend on, in split order.

        A split depends on the splits before it (their sentences are skipped), so each hash
        covers the settings of its split and of those before; the last one is `fingerprint()`.
        Adding a split at the end, or changing one, keeps the hashes of the splits before it.
        """
        return dict(zip(self.splits, self._prefix_hashes()[1:], strict=True))

    def _prefix_hashes(self) -> list[str]:
        """The hash of the settings with the first 0, 1, ..., all splits."""
        settings = asdict(self)
        settings.pop("num_workers")
        settings.pop("only_splits")
        for added_later in ("respellings", "everyday_words", "lm_prose"):
            if not settings[added_later]:  # unused: corpora made before keep their hash
                del settings[added_later]
        splits = [
            (name, self._split_settings(name, split)) for name, split in settings["splits"].items()
        ]
        hashes = []
        for count in range(len(splits) + 1):
            settings["splits"] = dict(splits[:count])
            text = json.dumps(settings, sort_keys=True).encode()
            hashes.append(hashlib.sha256(text).hexdigest()[:16])
        return hashes

    def _split_settings(self, name: str, split: dict) -> dict:
        """A split's settings as hashed: sentences by their text, later options only if used."""
        if split.pop("sentences_file"):  # their text, not where it lies
            text = "\n".join(self.splits[name].given_sentences())
            split["sentences"] = hashlib.sha256(text.encode()).hexdigest()
        # Festival, piper and Kokoro came later: unused, they stay out of the hash, so corpora
        # generated before them keep their fingerprint and are reused.
        for family in ("festival", "piper", "kokoro"):
            if not split[f"{family}_voices"] and not split[f"{family}_share"]:
                del split[f"{family}_voices"], split[f"{family}_share"]
        for added_later in ("nonspeech_share", "edge_silence_s"):
            if not split[added_later]:  # unused: corpora made before keep their hash
                del split[added_later]
        count = split.pop("espeak_random_variants")
        if count:  # the variant files themselves, so a change to their draw counts
            files = "".join(map(random_variant_text, random_variant_names(count)))
            split["espeak_random_variants"] = hashlib.sha256(files.encode()).hexdigest()
        return split


def is_english_accent(accent: str) -> bool:
    """Whether an espeak-ng language (`en-gb-scotland`, `el`) is a variety of English."""
    return accent == "en" or accent.startswith("en-")


def check_disjoint_voices(splits: dict[str, SplitConfig]) -> None:
    """Raises ValueError when two splits share a voice, which would leak voices into test.

    Test splits (names starting with `test`) may share voices with each other: both only
    measure, so the same held-out voices can read two kinds of text (`test`, `test_everyday`).
    """
    seen: dict[str, str] = {}
    for name, split in splits.items():
        for voice in split.voices():
            for speaker in _speakers(voice):
                other = seen.get(speaker, name)
                if other != name and not (_is_test_split(other) and _is_test_split(name)):
                    raise ValueError(
                        f"Voice {speaker!r} is in splits {other!r} and {name!r} "
                        f"({voice!r}); held-out splits must use voices never seen in training "
                        "or dev (only test splits may share voices). "
                        "Received: overlapping voice lists"
                    )
                seen[speaker] = name


def _is_test_split(name: str) -> bool:
    return name.startswith("test")


def kokoro_voice_parts(voice: str) -> list[str]:
    """The packaged Kokoro voices `voice` is made of: itself, or the parts of a blend."""
    return voice.split(KOKORO_BLEND)


def _speakers(voice: str) -> list[str]:
    """The packaged voices heard in `voice`: the parts of a Kokoro blend, else the voice."""
    family, _, name = voice.partition(":")
    if family != "kokoro":
        return [voice]
    return [f"kokoro:{part}" for part in kokoro_voice_parts(name)]
