"""The embedded default corpus: generated English sentences spoken by local TTS engines.

Voices are `engine:name` strings: `espeak-ng:en-us+m3` (accent + variant) or `flite:slt`.
Each split lists its own voices, and the splits' voice sets must be disjoint, so dev and
test always measure voices the model never heard in training.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
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
from speech_lstm.data.sentences import SentenceGenerator

ENGINES = ("espeak-ng", "flite")
LM_TEXT_FILE = "lm_text.txt"
DEBIAN_PACKAGES = {"espeak-ng": "espeak-ng", "flite": "flite"}


@dataclass
class SplitConfig:
    """One split of the synthetic corpus: how many sentences and which voices speak them.

    Voices are the product of `espeak_accents` and `espeak_variants`, plus `flite_voices`,
    which speak a `flite_share` of the utterances (each family's voices take turns).
    """

    num_utterances: int = 100
    espeak_accents: list[str] = field(default_factory=list)
    espeak_variants: list[str] = field(default_factory=list)
    flite_voices: list[str] = field(default_factory=list)
    flite_share: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.flite_share <= 1.0:
            raise ValueError(f"flite_share must be in [0, 1]. Received: {self.flite_share}")
        if self.flite_share and not self.flite_voices:
            raise ValueError("flite_share > 0 needs flite_voices. Received: an empty list")
        if (
            self.flite_voices
            and self.espeak_accents
            and self.espeak_variants
            and not self.flite_share
        ):
            raise ValueError(
                f"flite_voices {self.flite_voices} would never speak: set flite_share > 0. "
                "Received: flite_share=0"
            )

    def voices(self) -> list[str]:
        """All `engine:voice` names of this split."""
        espeak = [
            f"espeak-ng:{accent}+{variant}"
            for accent, variant in itertools.product(self.espeak_accents, self.espeak_variants)
        ]
        return espeak + [f"flite:{name}" for name in self.flite_voices]


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

    def fingerprint(self) -> str:
        """Hash of everything that changes the audio or text (not `num_workers`)."""
        settings = asdict(self)
        settings.pop("num_workers")
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SpeechRequest:
    """One utterance to synthesise."""

    text: str
    voice: str
    rate_wpm: int
    pitch: int
    path: Path


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
    """Raises RuntimeError naming the Debian package when a TTS engine is not installed."""
    for engine in sorted({voice.split(":", 1)[0] for voice in voices}):
        if engine not in ENGINES:
            raise ValueError(f"Unknown TTS engine {engine!r}; use one of {ENGINES}")
        if shutil.which(engine) is None:
            raise RuntimeError(
                f"The TTS engine {engine!r} is not installed. Install it with: "
                f"sudo apt-get install -y {DEBIAN_PACKAGES[engine]}"
            )


def tts_command(request: SpeechRequest, wav_path: Path) -> list[str]:
    """The engine command line that speaks `request` into `wav_path`."""
    engine, voice = request.voice.split(":", 1)
    if engine == "espeak-ng":
        return [
            "espeak-ng",
            "-v",
            voice,
            "-s",
            str(request.rate_wpm),
            "-p",
            str(request.pitch),
            "-w",
            str(wav_path),
            request.text,
        ]
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
        request.text,
        "-o",
        str(wav_path),
    ]


def synthesize(request: SpeechRequest, sample_rate: int) -> float:
    """Speaks one request into a 16-bit mono WAV at `sample_rate`; returns its duration (s)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run(tts_command(request, raw), check=True, capture_output=True, timeout=60)
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
        family = _pick_family(families, split.flite_share, rng)
        voice = families[family][turns[family] % len(families[family])]
        turns[family] += 1
        requests.append(
            SpeechRequest(
                text=text,
                voice=voice,
                rate_wpm=rng.randint(*config.rate_wpm),
                pitch=rng.randint(*config.pitch),
                path=corpus_dir / name / f"{name}_{index:06d}.wav",
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
        "espeak-ng": [v for v in voices if v.startswith("espeak-ng:")],
        "flite": [v for v in voices if v.startswith("flite:")],
    }
    return {family: members for family, members in families.items() if members}


def _pick_family(families: dict[str, list[str]], flite_share: float, rng: random.Random) -> str:
    if "espeak-ng" not in families:
        return "flite"
    if "flite" not in families:
        return "espeak-ng"
    return "flite" if rng.random() < flite_share else "espeak-ng"


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
