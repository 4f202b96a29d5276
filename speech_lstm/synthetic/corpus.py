"""The embedded default corpus: generated English sentences spoken by local TTS engines.

Each split lists its own voices, and the splits' voice sets must be disjoint, so dev and test
always measure voices the model never heard in training. `generate_corpus` plans every split
(sentence, voice, rate and pitch of each utterance), speaks what is missing and writes the
manifests and the LM text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import shutil
from collections import defaultdict
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

import soundfile

from speech_lstm.atomic import leftover_temporaries, write_text
from speech_lstm.data.manifest import Utterance, read_manifest, write_manifest
from speech_lstm.synthetic.config import (
    SHARED_FAMILIES,
    SplitConfig,
    SyntheticConfig,
    check_disjoint_voices,
)
from speech_lstm.synthetic.engines import (
    PIPER_BATCH,
    SpeechRequest,
    piper_length_scale,
    require_engines,
    synthesize,
    synthesize_piper_batch,
)
from speech_lstm.synthetic.espeak_variants import (
    is_random_variant,
    random_variant_names,
    write_variant_root,
)
from speech_lstm.synthetic.everyday import EverydaySentences
from speech_lstm.synthetic.nonspeech import plan_nonspeech, write_nonspeech
from speech_lstm.synthetic.prose import prose_sentences
from speech_lstm.synthetic.sentences import SentenceGenerator

log = logging.getLogger(__name__)

LM_TEXT_FILE = "lm_text.txt"
ESPEAK_VARIANT_ROOT = "espeak-variants"  # the random variants' espeak-ng data, in the corpus


def plan_split(
    name: str, split: SplitConfig, config: SyntheticConfig, corpus_dir: Path, taken: set[str]
) -> list[SpeechRequest]:
    """Chooses sentence, voice, rate and pitch for each utterance of a split, deterministically.

    Sentences already in `taken` (earlier splits) are skipped, so no sentence is in two splits.
    """
    split_seed = int(hashlib.sha256(f"{config.seed}:{name}".encode()).hexdigest()[:8], 16)
    next_text = _text_source(config, split, split_seed)
    everyday = _everyday_schedule(name, split.num_utterances, config, split_seed)
    rng = random.Random(split_seed)
    if not split.voices():
        raise ValueError(f"Split {name!r} has no voices. Received: {split}")
    families = _voice_families(split)
    turns = {family: 0 for family in families}
    silence_rng = random.Random(split_seed + 2)  # its own draws: other choices stay as they were
    requests = []
    while len(requests) < split.num_utterances:
        if len(requests) in everyday:
            text = everyday[len(requests)]
            taken.add(text)
        else:
            text = next_text()
            if not config.word_list or split.sentences_file:  # word lists may repeat
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
                silence_s=_edge_silence(split.edge_silence_s, silence_rng),
            )
        )
    return requests


def _everyday_schedule(name: str, count: int, config: SyntheticConfig, seed: int) -> dict[int, str]:
    """Utterance index -> everyday-word sentence, spread evenly over the train split.

    A split shorter than the sentences is made of them alone (and misses some words).
    """
    if name != "train" or not config.everyday_words or config.word_list:
        return {}
    sentences = EverydaySentences(seed + 3, config.everyday_words).sentences()[:count]
    return {i * count // len(sentences): text for i, text in enumerate(sentences)}


def _edge_silence(longest: float, rng: random.Random) -> tuple[float, float]:
    """Seconds of silence before and after one utterance, each up to `longest`."""
    if not longest:
        return (0.0, 0.0)
    return (round(rng.uniform(0, longest), 3), round(rng.uniform(0, longest), 3))


def _text_source(config: SyntheticConfig, split: SplitConfig, seed: int):
    """A function returning the next utterance text: the split's given sentence, a generated
    sentence, or words from `word_list`."""
    if split.sentences_file:
        return _given_sentence_source(split)
    if not config.word_list:
        return SentenceGenerator(seed, zipf_exponent=config.zipf_exponent).sentence
    rng = random.Random(seed + 1)
    low, high = config.words_per_utterance
    return lambda: " ".join(rng.choice(config.word_list) for _ in range(rng.randint(low, high)))


def _given_sentence_source(split: SplitConfig):
    sentences = iter(split.given_sentences())

    def next_given() -> str:
        text = next(sentences, None)
        if text is None:
            raise ValueError(
                f"sentences_file {split.sentences_file}: fewer than num_utterances="
                f"{split.num_utterances} of its sentences are in no earlier split"
            )
        return text

    return next_given


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


def _speak_piper_batches(pool: Executor, requests: list[SpeechRequest], sample_rate: int) -> None:
    """Speaks the missing piper utterances in batches of one voice and rate: one piper
    process per batch, which loads its model once, instead of one per utterance."""
    groups: dict[tuple[str, float], list[SpeechRequest]] = defaultdict(list)
    for request in requests:
        if request.voice.startswith("piper:") and not request.path.is_file():
            groups[(request.voice, piper_length_scale(request.rate_wpm))].append(request)
    batches = [
        group[start : start + PIPER_BATCH]
        for group in groups.values()
        for start in range(0, len(group), PIPER_BATCH)
    ]
    for _ in pool.map(lambda batch: synthesize_piper_batch(batch, sample_rate), batches):
        pass


def generate_corpus(config: SyntheticConfig, corpus_dir: str | Path) -> dict[str, Path]:
    """Generates every split (or `config.only_splits`) into `corpus_dir` and writes
    `<split>.jsonl` manifests, and the LM text when every split is there.

    A corpus already generated with the same settings is reused as it is; an interrupted run
    keeps the WAV files it finished and speaks only the rest; after a change to the settings,
    a split whose settings and earlier splits' settings are unchanged keeps its audio
    (`SyntheticConfig.split_fingerprints`, `reusable_splits`).

    Returns:
        Split name -> manifest path, for the splits generated.
    """
    corpus_dir = Path(corpus_dir)
    check_disjoint_voices(config.splits)
    spoken = config.only_splits or list(config.splits)
    require_engines([voice for name in spoken for voice in config.splits[name].voices()])
    stamp = corpus_dir / "corpus.json"
    manifests = {name: corpus_dir / f"{name}.jsonl" for name in config.splits}
    kept = reusable_splits(_read_stamp(stamp), config)
    if len(kept) == len(config.splits) and _is_complete(stamp, config, manifests):
        return {name: manifests[name] for name in spoken}
    # Made with other settings: remade if spoken now, else left for a later run to remake
    # (only_splits never deletes audio it does not replace).
    stale = [name for name in spoken if name not in kept]
    if kept and stale:
        log.info(
            "%s: settings unchanged, audio kept; %s: generated anew",
            ", ".join(kept),
            ", ".join(stale),
        )
    _remove_generated(corpus_dir, stale)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    for leftover in leftover_temporaries(corpus_dir):  # of a killed run: never complete
        leftover.unlink(missing_ok=True)
    _write_stamp(stamp, config, complete=False, recorded=[*kept, *stale])
    random_count = max(config.splits[name].espeak_random_variants for name in spoken)
    if random_count:
        write_variant_root(corpus_dir / ESPEAK_VARIANT_ROOT, random_variant_names(random_count))
    taken: set[str] = set()
    with ThreadPoolExecutor(max_workers=config.num_workers) as pool:
        for name, split in config.splits.items():
            requests = plan_split(name, split, config, corpus_dir, taken)
            if name in spoken:
                _speak_split(pool, name, split, requests, config, manifests[name])
    if len(spoken) == len(config.splits):
        write_lm_text(config, corpus_dir / LM_TEXT_FILE, manifests)
        _write_stamp(stamp, config, complete=True)
    return {name: manifests[name] for name in spoken}


def _speak_split(
    pool: Executor,
    name: str,
    split: SplitConfig,
    requests: list[SpeechRequest],
    config: SyntheticConfig,
    manifest: Path,
) -> None:
    """Speaks a split's missing utterances, adds its non-speech clips, writes its manifest."""
    _speak_piper_batches(pool, requests, config.sample_rate)
    utterances = list(pool.map(lambda r: _speak_if_missing(r, config.sample_rate), requests))
    count = round(split.num_utterances * split.nonspeech_share)
    clips = plan_nonspeech(name, count, config.seed, manifest.parent / name)
    utterances += [write_nonspeech(clip, config.sample_rate) for clip in clips]
    write_manifest(manifest, utterances)


def reusable_splits(stamp: dict, config: SyntheticConfig) -> list[str]:
    """The splits of `config` whose audio a corpus with this stamp already holds.

    A split is reusable when the stamp recorded its fingerprint, which covers its settings and
    those of the splits before it, after the same splits in the same order. A stamp of a
    corpus made before per-split fingerprints records only the whole corpus's, for its last
    split: when that matches, so do the splits before it.
    """
    recorded_names = list(stamp.get("config", {}).get("splits", {}))
    recorded = stamp.get("split_fingerprints")
    whole_corpus_only = recorded is None
    if whole_corpus_only:
        recorded = {recorded_names[-1]: stamp.get("fingerprint")} if recorded_names else {}
    names = list(config.splits)
    kept = [
        name
        for i, (name, fingerprint) in enumerate(config.split_fingerprints().items())
        if names[: i + 1] == recorded_names[: i + 1] and recorded.get(name) == fingerprint
    ]
    if whole_corpus_only and kept:
        return names[: names.index(kept[-1]) + 1]
    return kept


def write_lm_text(config: SyntheticConfig, path: Path, manifests: dict[str, Path]) -> None:
    """Writes the LM text: generated sentences, everyday-word sentences and real prose.

    `config.lm_sentences` generated sentences (the corpus's language, in-domain text the way
    book text is for read speech), three rounds of everyday-word sentences (every word of
    `config.everyday_words` in the LM vocabulary), then `config.lm_prose`'s sentences.
    Dev and test sentences are removed, so no test utterance is in the LM verbatim.
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
    lines = generator.sentences(config.lm_sentences)
    if config.everyday_words:
        for round_seed in range(3):
            seed = config.seed + 2_000_003 + round_seed
            lines += EverydaySentences(seed, config.everyday_words).sentences()
    lines += prose_sentences(config.lm_prose)
    write_text(path, "\n".join(s for s in lines if s not in held_out) + "\n")


def _read_stamp(stamp: Path) -> dict:
    return json.loads(stamp.read_text(encoding="utf-8")) if stamp.is_file() else {}


def _write_stamp(
    stamp: Path, config: SyntheticConfig, complete: bool, recorded: list[str] | None = None
) -> None:
    """Records the settings of the splits in `recorded` (default: all), whose audio on disk
    is theirs or not spoken yet; a split left out is remade by the next run that speaks it."""
    fingerprints = config.split_fingerprints()
    if recorded is not None:
        fingerprints = {name: fingerprints[name] for name in config.splits if name in recorded}
    payload: dict = {"complete": complete, "config": asdict(config)}
    if fingerprints and len(fingerprints) == len(config.splits):  # older code checks this
        payload["fingerprint"] = list(fingerprints.values())[-1]  # the whole corpus's
    payload["split_fingerprints"] = fingerprints
    write_text(stamp, json.dumps(payload, indent=2) + "\n")


def _remove_generated(corpus_dir: Path, splits: list[str]) -> None:
    """Deletes the audio and manifests of these splits, made with other settings."""
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
