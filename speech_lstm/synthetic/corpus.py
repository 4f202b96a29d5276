"""The embedded default corpus: generated English sentences spoken by local TTS engines.

Voices are `engine:name` strings: `espeak-ng:en-us+m3` (accent + variant), `flite:slt` or
`festival:kal_diphone`. Each split lists its own voices, and the splits' voice sets must be
disjoint, so dev and test always measure voices the model never heard in training.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import soundfile

from speech_lstm.audio import load_audio
from speech_lstm.data.manifest import Utterance, read_manifest, write_manifest
from speech_lstm.synthetic.espeak_variants import (
    is_random_variant,
    random_variant_names,
    random_variant_text,
    write_variant_root,
)
from speech_lstm.synthetic.sentences import SentenceGenerator

ENGINES = ("espeak-ng", "flite", "festival")
ENGINE_COMMANDS = {"espeak-ng": "espeak-ng", "flite": "flite", "festival": "text2wave"}
LM_TEXT_FILE = "lm_text.txt"
ESPEAK_VARIANT_ROOT = "espeak-variants"  # the random variants' espeak-ng data, in the corpus
# Debian package of each engine, and of each festival voice the configs in conf/ use.
DEBIAN_PACKAGES = {
    "espeak-ng": "espeak-ng",
    "flite": "flite",
    "festival": "festival",
    "festival:kal_diphone": "festvox-kallpc16k",
    "festival:ked_diphone": "festvox-kdlpc16k",
    "festival:cmu_us_slt_arctic_hts": "festvox-us-slt-hts",
}
# Families other than espeak-ng, in the order a split's share of utterances is drawn.
SHARED_FAMILIES = ("flite", "festival")


@dataclass
class SplitConfig:
    """One split of the synthetic corpus: how many sentences and which voices speak them.

    Voices are the product of `espeak_accents` and `espeak_variants`, plus `flite_voices` and
    `festival_voices` (festival voice names without `voice_`, e.g. `kal_diphone`), which speak
    a `flite_share` and a `festival_share` of the utterances; espeak-ng speaks the rest. Without
    espeak-ng voices, the utterances are divided in proportion to the shares (one family speaks
    them all). Each family's voices take turns. `espeak_random_variants` adds that many
    variants with settings drawn at random (`rand000`, ...; see `espeak_variants`) to
    `espeak_variants`: voice randomisation for a training split.
    """

    num_utterances: int = 100
    espeak_accents: list[str] = field(default_factory=list)
    espeak_variants: list[str] = field(default_factory=list)
    flite_voices: list[str] = field(default_factory=list)
    flite_share: float = 0.0
    festival_voices: list[str] = field(default_factory=list)
    festival_share: float = 0.0
    espeak_random_variants: int = 0

    def __post_init__(self) -> None:
        random_variant_names(self.espeak_random_variants)  # validates the count
        shares = self.shares()
        members = {"flite": self.flite_voices, "festival": self.festival_voices}
        for family, share in shares.items():
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"{family}_share must be in [0, 1]. Received: {share}")
            if share and not members[family]:
                raise ValueError(f"{family}_share > 0 needs {family}_voices. Received: []")
        has_espeak = bool(self.espeak_accents and self.all_espeak_variants())
        if has_espeak and sum(shares.values()) >= 1.0:
            raise ValueError(
                "espeak-ng voices would never speak: flite_share + festival_share must be < 1. "
                f"Received: {self.flite_share} + {self.festival_share}"
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

    def voices(self) -> list[str]:
        """All `engine:voice` names of this split."""
        espeak = [
            f"espeak-ng:{accent}+{variant}"
            for accent, variant in itertools.product(
                self.espeak_accents, self.all_espeak_variants()
            )
        ]
        flite = [f"flite:{name}" for name in self.flite_voices]
        return espeak + flite + [f"festival:{name}" for name in self.festival_voices]

    def all_espeak_variants(self) -> list[str]:
        """The named espeak-ng variants followed by the random ones."""
        return [*self.espeak_variants, *random_variant_names(self.espeak_random_variants)]

    def shares(self) -> dict[str, float]:
        """Family -> its share of the utterances, for the families other than espeak-ng."""
        return {"flite": self.flite_share, "festival": self.festival_share}


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
        splits: split name -> SplitConfig; voice sets must not overlap between splits.
        word_list: when set, each utterance is `words_per_utterance` words drawn uniformly from
            this list instead of a generated sentence (e.g. the ten digits); texts may repeat.
        words_per_utterance: [min, max] words per utterance with `word_list`.
        lm_sentences: extra generated sentences written to `lm_text.txt` for the language
            model (no sentence of any split other than train among them); 0 writes none.
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
    word_list: list[str] = field(default_factory=list)
    words_per_utterance: list[int] = field(default_factory=lambda: [1, 1])
    lm_sentences: int = 0
    respellings: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
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
        settings = asdict(self)
        settings.pop("num_workers")
        if not settings["respellings"]:  # added later: corpora made before keep their hash
            del settings["respellings"]
        for split in settings["splits"].values():
            # Festival came later: unused, it stays out of the hash, so corpora generated
            # before it keep their fingerprint and are reused.
            if not split["festival_voices"] and not split["festival_share"]:
                del split["festival_voices"], split["festival_share"]
            count = split.pop("espeak_random_variants")
            if count:  # the variant files themselves, so a change to their draw counts
                files = "".join(map(random_variant_text, random_variant_names(count)))
                split["espeak_random_variants"] = hashlib.sha256(files.encode()).hexdigest()
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SpeechRequest:
    """One utterance to synthesise: `text` is its transcript, `spoken` what the engine reads."""

    text: str
    voice: str
    rate_wpm: int
    pitch: int
    path: Path
    espeak_data: Path | None = None  # `espeak-ng --path` for a random variant
    spoken: str = ""  # empty: the engine reads `text`

    @property
    def engine_text(self) -> str:
        """The text given to the TTS engine."""
        return self.spoken or self.text


def is_english_accent(accent: str) -> bool:
    """Whether an espeak-ng language (`en-gb-scotland`, `el`) is a variety of English."""
    return accent == "en" or accent.startswith("en-")


def check_disjoint_voices(splits: dict[str, SplitConfig]) -> None:
    """Raises ValueError when two splits share a voice, which would leak voices into test."""
    seen: dict[str, str] = {}
    for name, split in splits.items():
        for voice in split.voices():
            if voice in seen and seen[voice] != name:
                raise ValueError(
                    f"Voice {voice!r} is in splits {seen[voice]!r} and {name!r}; held-out splits "
                    "must use voices never seen in training. Received: overlapping voice lists"
                )
            seen[voice] = name


def require_engines(voices: list[str]) -> None:
    """Raises RuntimeError naming the Debian packages when a TTS engine or voice is missing."""
    missing = missing_debian_packages(voices)
    if missing:
        raise RuntimeError(
            "Text-to-speech engines or voices this corpus needs are not installed. Install "
            f"them with: sudo apt-get install -y {' '.join(missing)}"
        )


def missing_debian_packages(voices: list[str]) -> list[str]:
    """The Debian packages to install before `voices` can speak: engines, festival voices.

    Raises:
        ValueError: for an unknown engine.
        RuntimeError: for a festival voice that is not installed and not in DEBIAN_PACKAGES.
    """
    engines = sorted({voice.split(":", 1)[0] for voice in voices})
    for engine in engines:
        if engine not in ENGINES:
            raise ValueError(f"Unknown TTS engine {engine!r}; use one of {ENGINES}")
    missing = [DEBIAN_PACKAGES[e] for e in engines if shutil.which(ENGINE_COMMANDS[e]) is None]
    festival = sorted({voice for voice in voices if voice.startswith("festival:")})
    installed = installed_festival_voices() if festival and "festival" not in missing else []
    absent = [voice for voice in festival if voice.split(":", 1)[1] not in installed]
    unknown = [voice for voice in absent if voice not in DEBIAN_PACKAGES]
    if unknown and "festival" not in missing:
        raise RuntimeError(
            f"Festival has no voice {unknown}; it has {installed}. Find the voice's package "
            "with: apt-cache search festvox"
        )
    return missing + sorted({DEBIAN_PACKAGES[voice] for voice in absent if voice not in unknown})


def installed_festival_voices() -> list[str]:
    """Names of the voices festival finds (`voice.list`), e.g. `kal_diphone`."""
    listing = subprocess.run(
        ["festival", "--batch", "(print (voice.list))"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return listing.strip().strip("()").split()


def tts_command(request: SpeechRequest, wav_path: Path) -> list[str]:
    """The engine command line that speaks `request` into `wav_path`.

    espeak-ng and flite get the text as an argument; festival's `text2wave` reads it from
    standard input, which `synthesize` fills for every engine (the other two ignore it).
    """
    engine, voice = request.voice.split(":", 1)
    builders = {
        "espeak-ng": _espeak_command,
        "flite": _flite_command,
        "festival": _festival_command,
    }
    return builders[engine](voice, request, wav_path)


def _espeak_command(voice: str, request: SpeechRequest, wav_path: Path) -> list[str]:
    rate, pitch = str(request.rate_wpm), str(request.pitch)
    data = [f"--path={request.espeak_data}"] if request.espeak_data else []
    return [
        "espeak-ng",
        *data,
        *("-v", voice, "-s", rate, "-p", pitch, "-w", str(wav_path), request.engine_text),
    ]


def _flite_command(voice: str, request: SpeechRequest, wav_path: Path) -> list[str]:
    stretch = 175.0 / request.rate_wpm
    f0_mean = 80 + 1.6 * request.pitch if voice in ("slt",) else 70 + 1.2 * request.pitch
    return [
        "flite",
        "-voice",
        voice,
        "--setf",
        f"duration_stretch={stretch:.3f}",
        "--setf",
        f"int_f0_target_mean={f0_mean:.0f}",
        "-t",
        request.engine_text,
        "-o",
        str(wav_path),
    ]


def _festival_command(voice: str, request: SpeechRequest, wav_path: Path) -> list[str]:
    """`text2wave` with the voice, then the rate and pitch of `request` set in Scheme.

    Rate: `Duration_Stretch` for diphone voices; HTS voices ignore it, so they get
    hts_engine's speed (`-r`) instead. Pitch: the linear-regression intonation targets
    (`int_lr_params`, used by the diphone voices), scaled like flite's male voices; HTS voices
    make their own F0 (festival passes hts_engine only `-m` and `-r`), so their pitch is not
    varied.
    """
    speed = request.rate_wpm / 175.0
    f0_mean = 70 + 1.2 * request.pitch
    settings = [
        f"(voice_{voice})",
        f"(Parameter.set 'Duration_Stretch {1 / speed:.3f})",
        f"(if (eq? (Parameter.get 'Synth_Method) 'HTS) "
        f'(set! hts_engine_params (cons (list "-r" {speed:.3f}) hts_engine_params)))',
        f"(set! int_lr_params (append '((target_f0_mean {f0_mean:.0f}) "
        f"(target_f0_std {0.13 * f0_mean:.0f})) int_lr_params))",
    ]
    return ["text2wave", *(a for s in settings for a in ("-eval", s)), "-o", str(wav_path)]


def synthesize(request: SpeechRequest, sample_rate: int) -> float:
    """Speaks one request into a 16-bit mono WAV at `sample_rate`; returns its duration (s)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        result = subprocess.run(
            tts_command(request, raw),
            input=request.engine_text.encode(),
            check=True,
            capture_output=True,
            timeout=60,
        )
        if not raw.is_file():  # text2wave exits 0 after a Scheme error
            raise RuntimeError(
                f"{request.voice} wrote no audio for {request.engine_text!r}: "
                f"{result.stderr.decode(errors='replace').strip()[-500:]}"
            )
        waveform = load_audio(raw, sample_rate)
    peak = float(np.abs(waveform).max()) or 1.0
    request.path.parent.mkdir(parents=True, exist_ok=True)
    partial = request.path.with_suffix(".partial.wav")
    soundfile.write(partial, 0.9 * waveform / peak, sample_rate, subtype="PCM_16")
    partial.replace(request.path)
    return len(waveform) / sample_rate


def plan_split(
    name: str, split: SplitConfig, config: SyntheticConfig, corpus_dir: Path, taken: set[str]
) -> list[SpeechRequest]:
    """Chooses sentence, voice, rate and pitch for each utterance of a split, deterministically.

    Sentences already in `taken` (earlier splits) are skipped, so no sentence is in two splits.
    """
    split_seed = int(hashlib.sha256(f"{config.seed}:{name}".encode()).hexdigest()[:8], 16)
    next_text = _text_source(config, split_seed)
    rng = random.Random(split_seed)
    if not split.voices():
        raise ValueError(f"Split {name!r} has no voices. Received: {split}")
    families = _voice_families(split)
    turns = {family: 0 for family in families}
    requests = []
    while len(requests) < split.num_utterances:
        text = next_text()
        if not config.word_list:
            if text in taken:
                continue
            taken.add(text)
        index = len(requests)
        family = _pick_family(families, split.shares(), rng)
        voice = families[family][turns[family] % len(families[family])]
        turns[family] += 1
        requests.append(
            SpeechRequest(
                text=text,
                voice=voice,
                rate_wpm=rng.randint(*config.rate_wpm),
                pitch=rng.randint(*config.pitch),
                path=corpus_dir / name / f"{name}_{index:06d}.wav",
                espeak_data=corpus_dir / ESPEAK_VARIANT_ROOT if is_random_variant(voice) else None,
                spoken=config.spoken_text(text, voice),
            )
        )
    return requests


def _text_source(config: SyntheticConfig, seed: int):
    """A function returning the next utterance text: a sentence, or words from `word_list`."""
    if not config.word_list:
        return SentenceGenerator(seed, zipf_exponent=config.zipf_exponent).sentence
    rng = random.Random(seed + 1)
    low, high = config.words_per_utterance
    return lambda: " ".join(rng.choice(config.word_list) for _ in range(rng.randint(low, high)))


def _voice_families(split: SplitConfig) -> dict[str, list[str]]:
    voices = split.voices()
    families = {
        family: [v for v in voices if v.startswith(f"{family}:")]
        for family in ("espeak-ng", *SHARED_FAMILIES)
    }
    return {family: members for family, members in families.items() if members}


def _pick_family(
    families: dict[str, list[str]], shares: dict[str, float], rng: random.Random
) -> str:
    """The family that speaks the next utterance: one draw, cut by the shares in a fixed order.

    One family present: no draw. Without espeak-ng, the present shares are scaled to sum to 1.
    """
    if len(families) == 1:
        return next(iter(families))
    others = [family for family in SHARED_FAMILIES if family in families]
    draw = rng.random()
    if "espeak-ng" not in families:
        draw *= sum(shares[family] for family in others)
    for family in others:
        if draw < shares[family]:
            return family
        draw -= shares[family]
    return "espeak-ng" if "espeak-ng" in families else others[-1]


def _speak_if_missing(request: SpeechRequest, sample_rate: int) -> Utterance:
    if request.path.is_file():
        duration = soundfile.info(str(request.path)).duration
    else:
        duration = synthesize(request, sample_rate)
    speaker = request.voice
    return Utterance(str(request.path), round(duration, 3), request.text, speaker)


def generate_corpus(config: SyntheticConfig, corpus_dir: str | Path) -> dict[str, Path]:
    """Generates every split into `corpus_dir` and writes `<split>.jsonl` manifests.

    A corpus already generated with the same settings is reused as it is; an interrupted run
    keeps the WAV files it finished and speaks only the rest.

    Returns:
        Split name -> manifest path.
    """
    corpus_dir = Path(corpus_dir)
    check_disjoint_voices(config.splits)
    require_engines([voice for split in config.splits.values() for voice in split.voices()])
    stamp = corpus_dir / "corpus.json"
    manifests = {name: corpus_dir / f"{name}.jsonl" for name in config.splits}
    if _read_stamp(stamp).get("fingerprint") != config.fingerprint():
        _remove_generated(corpus_dir, config.splits)
    elif _is_complete(stamp, config, manifests):
        return manifests
    corpus_dir.mkdir(parents=True, exist_ok=True)
    _write_stamp(stamp, config, complete=False)
    random_count = max(split.espeak_random_variants for split in config.splits.values())
    if random_count:
        write_variant_root(corpus_dir / ESPEAK_VARIANT_ROOT, random_variant_names(random_count))
    taken: set[str] = set()
    with ThreadPoolExecutor(max_workers=config.num_workers) as pool:
        for name, split in config.splits.items():
            requests = plan_split(name, split, config, corpus_dir, taken)
            utterances = list(
                pool.map(lambda r: _speak_if_missing(r, config.sample_rate), requests)
            )
            write_manifest(manifests[name], utterances)
    write_lm_text(config, corpus_dir / LM_TEXT_FILE, manifests)
    _write_stamp(stamp, config, complete=True)
    return manifests


def write_lm_text(config: SyntheticConfig, path: Path, manifests: dict[str, Path]) -> None:
    """Writes `config.lm_sentences` generated sentences, none of them a dev or test sentence.

    The generator is the corpus's language, so its text is in-domain LM training text, the
    way book text is for read speech; held-out sentences are removed so no test utterance is
    in the LM verbatim.
    """
    if not config.lm_sentences:
        path.unlink(missing_ok=True)
        return
    held_out = {
        u.text
        for name, manifest in manifests.items()
        if name != "train"
        for u in read_manifest(manifest)
    }
    generator = SentenceGenerator(config.seed + 1_000_003, zipf_exponent=config.zipf_exponent)
    lines = [s for s in generator.sentences(config.lm_sentences) if s not in held_out]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _read_stamp(stamp: Path) -> dict:
    return json.loads(stamp.read_text(encoding="utf-8")) if stamp.is_file() else {}


def _write_stamp(stamp: Path, config: SyntheticConfig, complete: bool) -> None:
    payload = {"fingerprint": config.fingerprint(), "complete": complete, "config": asdict(config)}
    stamp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def _remove_generated(corpus_dir: Path, splits: dict[str, SplitConfig]) -> None:
    """Deletes audio and manifests of an earlier corpus made with other settings."""
    for name in splits:
        shutil.rmtree(corpus_dir / name, ignore_errors=True)
        (corpus_dir / f"{name}.jsonl").unlink(missing_ok=True)


def _is_complete(stamp: Path, config: SyntheticConfig, manifests: dict[str, Path]) -> bool:
    if not _read_stamp(stamp).get("complete") or not all(p.is_file() for p in manifests.values()):
        return False
    return all(
        len(read_manifest(manifests[name])) == split.num_utterances
        for name, split in config.splits.items()
    )
