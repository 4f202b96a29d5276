"""The labelled training and dev sets: manifests read, features stored, utterances kept.

Training reads every manifest once per audio variant the `augment` group asks for (speeds,
noisy and reverberant copies); each copy is its own entry of the feature store.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from speech_lstm.data.augment.variants import ORIGINAL, AudioVariant
from speech_lstm.data.dataset import LabelledSplit, label_split
from speech_lstm.data.feature_store import build_feature_store
from speech_lstm.data.manifest import Utterance, read_manifest
from speech_lstm.text import Vocabulary

if TYPE_CHECKING:
    from speech_lstm.config import TrainConfig


def load_labelled_split(
    manifests: list[str],
    config: TrainConfig,
    vocabulary: Vocabulary,
    variants: tuple[AudioVariant, ...] = ORIGINAL,
) -> LabelledSplit:
    """Reads manifests, builds (or reuses) their feature store and keeps the usable utterances.

    With several `variants`, every utterance appears once per variant (see
    `build_feature_store`).
    """
    utterances = [u for manifest in manifests for u in read_manifest(manifest)]
    store = build_feature_store(
        utterances, config.features, config.paths.cache_dir, config.trainer.num_workers, variants
    )
    if config.features.normalizes_per_speaker:
        store.normalize_by_group(speaker_groups(utterances, len(variants)))
    copies = [replace(u, duration=u.duration / v.speed) for v in variants for u in utterances]
    return label_split(
        copies, store, vocabulary, config.model.subsampling, config.data.max_duration
    )


def speaker_groups(utterances: list[Utterance], num_variants: int) -> list[tuple[str, int]]:
    """The normalisation group of each store entry: its speaker (or, unlabelled, its own
    file) within its audio variant, as a sped-up copy of a speaker is another voice."""
    return [
        (u.speaker or u.audio_filepath, variant)
        for variant in range(num_variants)
        for u in utterances
    ]


def training_variants(config: TrainConfig) -> tuple[AudioVariant, ...]:
    """The training copies `augment` asks for: one per speed, plus the noisy, reverberant,
    frequency-warped, pitch-shifted and vocoded copies."""
    augment = config.augment
    speeds = tuple(AudioVariant(speed=speed) for speed in augment.speed_factors)
    snr_db = tuple(augment.noise_snr_db)
    noisy = tuple(AudioVariant(snr_db=snr_db, copy=k) for k in range(augment.noise_copies))
    rt60_s, drr_db = tuple(augment.reverb_rt60_s), tuple(augment.reverb_drr_db)
    reverberant = tuple(
        AudioVariant(rt60_s=rt60_s, drr_db=drr_db, copy=k) for k in range(augment.reverb_copies)
    )
    warped = tuple(AudioVariant(warp=warp) for warp in augment.vtlp_warps)
    shifted = tuple(AudioVariant(semitones=shift) for shift in augment.pitch_shifts)
    f0_scale = tuple(augment.vocoder_f0_scale)
    formant_scale = tuple(augment.vocoder_formant_scale)
    vocoded = tuple(
        AudioVariant(vocoder_f0_scale=f0_scale, vocoder_formant_scale=formant_scale, copy=k)
        for k in range(augment.vocoder_copies)
    )
    return speeds + noisy + reverberant + warped + shifted + vocoded
