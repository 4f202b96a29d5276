"""The TTS engines that speak the synthetic corpus: espeak-ng, flite and festival.

`synthesize` speaks one `SpeechRequest` into a WAV file; `require_engines` names the Debian
packages to install when an engine or a festival voice is missing.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from speech_lstm.audio import load_audio, write_wav

ENGINES = ("espeak-ng", "flite", "festival")
ENGINE_COMMANDS = {"espeak-ng": "espeak-ng", "flite": "flite", "festival": "text2wave"}
# Debian package of each engine, and of each festival voice the configs in conf/ use.
DEBIAN_PACKAGES = {
    "espeak-ng": "espeak-ng",
    "flite": "flite",
    "festival": "festival",
    "festival:kal_diphone": "festvox-kallpc16k",
    "festival:ked_diphone": "festvox-kdlpc16k",
    "festival:cmu_us_slt_arctic_hts": "festvox-us-slt-hts",
}


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
    silence_s: tuple[float, float] = (0.0, 0.0)  # added before and after the speech

    @property
    def engine_text(self) -> str:
        """The text given to the TTS engine."""
        return self.spoken or self.text


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


TTS_TIMEOUTS_S = (60.0, 120.0, 240.0)
"""Each try's time limit for one utterance: an engine starved of CPU by other jobs (or
stopped for a while) is tried again with more time before generation gives up."""


def synthesize(
    request: SpeechRequest, sample_rate: int, timeouts_s: tuple[float, ...] = TTS_TIMEOUTS_S
) -> float:
    """Speaks one request into a 16-bit mono WAV at `sample_rate`; returns its duration (s).

    Raises:
        RuntimeError: when the engine timed out on every try, or wrote no audio.
    """
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        result = _run_engine(request, raw, timeouts_s)
        if not raw.is_file():  # text2wave exits 0 after a Scheme error
            raise RuntimeError(
                f"{request.voice} wrote no audio for {request.engine_text!r}: "
                f"{result.stderr.decode(errors='replace').strip()[-500:]}"
            )
        waveform = load_audio(raw, sample_rate)
    before, after = (int(round(s * sample_rate)) for s in request.silence_s)
    waveform = np.pad(waveform, (before, after))
    peak = float(np.abs(waveform).max()) or 1.0
    write_wav(request.path, 0.9 * waveform / peak, sample_rate)
    return len(waveform) / sample_rate


def _run_engine(
    request: SpeechRequest, raw: Path, timeouts_s: tuple[float, ...]
) -> subprocess.CompletedProcess:
    for timeout in timeouts_s:
        try:
            return subprocess.run(
                tts_command(request, raw),
                input=request.engine_text.encode(),
                check=True,
                capture_output=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raw.unlink(missing_ok=True)
    limits = ", ".join(f"{t:g}" for t in timeouts_s)
    raise RuntimeError(
        f"{request.voice} timed out on {request.engine_text!r} {len(timeouts_s)} times "
        f"(after {limits} s); the machine may be overloaded. Rerunning generation keeps the "
        "files already spoken."
    )
