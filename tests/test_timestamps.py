import numpy as np
import pytest

from speech_lstm.decoding.alignment import (
    WordTiming,
    ctc_viterbi_alignment,
    log_softmax,
    word_timings,
)
from speech_lstm.text import Vocabulary
from speech_lstm.transcription import Transcriber, TranscriptionResult
from speech_lstm.transcription.output_formats import render_text, subtitle_cues
from tests.transcription_fixtures import bursts, loudness_model


def test_viterbi_alignment_on_a_hand_made_matrix():
    # Steps favour: blank, 1, 1, blank, 2, 2 -> label 1 at steps 1-2, label 2 at steps 4-5.
    probs = np.full((6, 3), 0.05)
    for step, label in enumerate([0, 1, 1, 0, 2, 2]):
        probs[step, label] = 0.9
    path = ctc_viterbi_alignment(np.log(probs), [1, 2])
    assert path.tolist() == [-1, 0, 0, -1, 1, 1]
    # A repeated label needs a blank between its two emissions.
    assert ctc_viterbi_alignment(np.log(probs[:2]), [1, 1]) is None


def test_word_timings_from_hand_made_logits():
    vocabulary = Vocabulary()
    ids = {c: vocabulary.encode(c)[0] for c in "hi yo"}
    frames = ["h", "i", " ", " ", "y", "o", "", ""]
    logits = np.zeros((len(frames), vocabulary.size))
    for step, char in enumerate(frames):
        logits[step, ids[char] if char else 0] = 8.0
    words = word_timings(logits, "hi yo", vocabulary, step_seconds=0.03, duration=0.2, offset=1)
    assert [w.word for w in words] == ["hi", "yo"]
    assert (words[0].start, words[0].end) == (1.0, 1.06)
    assert (words[1].start, words[1].end) == (1.12, 1.18)
    assert all(0.99 < w.confidence <= 1.0 for w in words)
    doubtful = logits.copy()
    doubtful[5, ids["o"]] = 0.0  # "o" now barely beats the other characters
    assert word_timings(doubtful, "hi yo", vocabulary, 0.03)[1].confidence < 0.5


def test_word_timestamps_follow_the_audio():
    wave, spans = bursts(count=3)
    transcriber = Transcriber(loudness_model(), timestamps=True)
    (result,) = transcriber.transcribe([wave])
    assert result.text == "a a a"
    for word, (start, end) in zip(result.words, spans):
        assert word.start == pytest.approx(start, abs=0.06)
        assert word.end == pytest.approx(end, abs=0.06)
        assert 0.0 <= word.confidence <= 1.0
    times = [t for w in result.words for t in (w.start, w.end)]
    assert times == sorted(times) and times[0] >= 0 and times[-1] <= result.duration


def test_timestamps_are_off_by_default():
    (result,) = Transcriber(loudness_model()).transcribe([bursts()[0]])
    assert result.words is None and "words" not in result.to_dict()


def test_subtitles():
    words = [
        WordTiming("hello", 0.5, 0.9, 0.9),
        WordTiming("world", 1.0, 1.4, 0.8),
        WordTiming("again", 3.0, 3.5, 0.7),  # after a pause: a new cue
    ]
    assert subtitle_cues(words) == [(0.5, 1.4, "hello world"), (3.0, 3.5, "again")]
    result = TranscriptionResult("a.wav", "hello world again", 4.0, words=words)
    assert render_text(result, "srt") == (
        "1\n00:00:00,500 --> 00:00:01,400\nhello world\n\n2\n00:00:03,000 --> 00:00:03,500\nagain\n"
    )
    assert render_text(result, "vtt").startswith("WEBVTT\n\n00:00:00.500 --> 00:00:01.400\n")
    assert render_text(TranscriptionResult("b.wav", "", 1.0, words=[]), "vtt") == "WEBVTT\n"


def test_log_softmax_normalises():
    out = log_softmax(np.array([[1.0, 2.0, 3.0]]))
    assert np.exp(out).sum() == pytest.approx(1.0)
