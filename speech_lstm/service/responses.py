"""Response bodies: the JSONL row, plain text, SRT/WebVTT, and the OpenAI-compatible forms.

`/v1/transcribe` answers with exactly the row batch transcription writes (`audio_filepath`,
`text`, `duration`, `words` with timestamps). `/v1/audio/transcriptions` answers as the widely
used OpenAI audio API does: `{"text": ...}` for json, the bare text, SRT or WebVTT, or
verbose_json with segments (subtitle cues of the timed words) and words.
"""

from __future__ import annotations

import math
import zlib

from speech_lstm.transcription.output_formats import render_text, subtitle_cues
from speech_lstm.transcription.results import TranscriptionResult

TRANSCRIBE_FORMATS = ("json", "txt", "srt", "vtt")
OPENAI_FORMATS = ("json", "text", "srt", "vtt", "verbose_json")
TEXT_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "text": "text/plain; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}


def transcribe_body(result: TranscriptionResult, fmt: str, timestamps: bool) -> dict | str:
    """The `/v1/transcribe` body: the JSONL row (words only with `timestamps`), or a text
    format's content."""
    if fmt == "json":
        row = result.to_dict()
        if not timestamps:
            row.pop("words", None)
        return row
    return render_text(result, fmt)


def openai_body(result: TranscriptionResult, fmt: str, granularities: list[str]) -> dict | str:
    """The `/v1/audio/transcriptions` body for `response_format=fmt`.

    verbose_json has `segments` unless `timestamp_granularities` leaves them out, and `words`
    when it asks for them (as the OpenAI API does); each word also carries its `confidence`.
    """
    if fmt == "json":
        return {"text": result.text}
    if fmt == "text":
        return render_text(result, "txt")
    if fmt in ("srt", "vtt"):
        return render_text(result, fmt)
    body: dict = {
        "task": "transcribe",
        "language": "english",
        "duration": result.duration,
        "text": result.text,
    }
    if not granularities or "segment" in granularities:
        body["segments"] = _segments(result)
    if "word" in granularities:
        body["words"] = [
            {"word": w.word, "start": w.start, "end": w.end, "confidence": w.confidence}
            for w in result.words or []
        ]
    return body


def _segments(result: TranscriptionResult) -> list[dict]:
    """Subtitle cues as OpenAI verbose_json segments. `avg_logprob` is the mean log word
    confidence and `compression_ratio` the text's zlib ratio; decoding has no temperature
    (0.0) and there are no tokens, nor a no-speech probability."""
    words = result.words or []
    segments = []
    position = 0
    for index, (start, end, text) in enumerate(subtitle_cues(words)):
        cue_words = words[position : position + len(text.split())]
        position += len(cue_words)
        confidences = [max(w.confidence, 1e-6) for w in cue_words] or [1.0]
        segments.append(
            {
                "id": index,
                "seek": 0,
                "start": start,
                "end": end,
                "text": text,
                "tokens": [],
                "temperature": 0.0,
                "avg_logprob": round(sum(map(math.log, confidences)) / len(confidences), 4),
                "compression_ratio": _compression_ratio(text),
            }
        )
    return segments


def _compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return round(len(data) / len(zlib.compress(data)), 4) if data else 0.0
