"""`AugmentConfig`: the training-only augmentation of `conf/augment/`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AugmentConfig:
    """Training-only augmentation; evaluation and transcription never see it.

    SpecAugment-style masks on the MFCC matrix: `freq_masks` bands of up to `freq_mask_width`
    cepstral coefficients (the same coefficients in the delta blocks), and `time_masks` spans
    of up to `time_mask_width` frames, each at most `time_mask_max_fraction` of the utterance.
    `speed_factors` adds a copy of every training utterance at each speed (tempo and pitch,
    as Kaldi's speed perturbation); `noise_copies` adds that many copies with white noise at an
    SNR drawn per utterance from `noise_snr_db`; `reverb_copies` adds that many copies convolved
    with a synthetic room impulse response (RT60 drawn per utterance from `reverb_rt60_s`,
    direct-to-reverberant ratio from `reverb_drr_db`), same length and level as the original;
    `vtlp_warps` adds a copy at each vocal-tract-length warp (every frequency times the factor,
    formants included: another speaker's vocal tract), `pitch_shifts` a copy at each pitch
    shift in semitones (formants kept). `vocoder_copies` adds that many copies spoken again
    through a linear-prediction vocoder (the buzzy sound of parametric synthesis), their
    pitch and formants scaled by factors drawn per utterance from `vocoder_f0_scale` and
    `vocoder_formant_scale`. Copies' features are cached like the originals.
    """

    spec_augment: bool = False
    freq_masks: int = 2
    freq_mask_width: int = 3
    time_masks: int = 2
    time_mask_width: int = 20
    time_mask_max_fraction: float = 0.1
    speed_factors: list[float] = field(default_factory=lambda: [1.0])
    noise_copies: int = 0
    noise_snr_db: list[float] = field(default_factory=lambda: [5.0, 25.0])
    reverb_copies: int = 0
    reverb_rt60_s: list[float] = field(default_factory=lambda: [0.2, 0.8])
    reverb_drr_db: list[float] = field(default_factory=lambda: [0.0, 10.0])
    vtlp_warps: list[float] = field(default_factory=list)
    pitch_shifts: list[float] = field(default_factory=list)
    vocoder_copies: int = 0
    vocoder_f0_scale: list[float] = field(default_factory=lambda: [0.8, 1.25])
    vocoder_formant_scale: list[float] = field(default_factory=lambda: [0.9, 1.1])

    def __post_init__(self) -> None:
        if not self.speed_factors or any(not 0.5 <= f <= 2.0 for f in self.speed_factors):
            raise ValueError(
                f"speed_factors must be a non-empty list in [0.5, 2]. "
                f"Received: {self.speed_factors}"
            )
        if any(not 0.7 <= w <= 1.3 or w == 1.0 for w in self.vtlp_warps) or any(
            not -12 <= p <= 12 or p == 0 for p in self.pitch_shifts
        ):
            raise ValueError(
                "vtlp_warps must be factors in [0.7, 1.3] other than 1 and pitch_shifts "
                f"semitones in [-12, 12] other than 0. Received: {self.vtlp_warps}, "
                f"{self.pitch_shifts}"
            )
        f0, formants = self.vocoder_f0_scale, self.vocoder_formant_scale
        if (
            self.vocoder_copies < 0
            or len(f0) != 2
            or not 0.5 <= f0[0] <= f0[1] <= 2.0
            or len(formants) != 2
            or not 0.7 <= formants[0] <= formants[1] <= 1.3
        ):
            raise ValueError(
                "Need vocoder_copies >= 0, vocoder_f0_scale = [low, high] in [0.5, 2] and "
                "vocoder_formant_scale = [low, high] in [0.7, 1.3]. Received: "
                f"{self.vocoder_copies}, {self.vocoder_f0_scale}, {self.vocoder_formant_scale}"
            )
        snr = self.noise_snr_db
        if self.noise_copies < 0 or len(snr) != 2 or snr[0] > snr[1]:
            raise ValueError(
                "Need noise_copies >= 0 and noise_snr_db = [low, high]. Received: "
                f"{self.noise_copies}, {self.noise_snr_db}"
            )
        rt60, drr = self.reverb_rt60_s, self.reverb_drr_db
        if (
            self.reverb_copies < 0
            or len(rt60) != 2
            or not 0 < rt60[0] <= rt60[1] <= 5
            or len(drr) != 2
            or drr[0] > drr[1]
        ):
            raise ValueError(
                "Need reverb_copies >= 0, reverb_rt60_s = [low, high] seconds in (0, 5] and "
                "reverb_drr_db = [low, high]. Received: "
                f"{self.reverb_copies}, {self.reverb_rt60_s}, {self.reverb_drr_db}"
            )
