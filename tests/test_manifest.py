import json

import pytest

from speech_lstm.data.manifest import Utterance, read_manifest, write_manifest


def test_round_trip_with_relative_paths(tmp_path):
    audio = tmp_path / "corpus" / "a.wav"
    audio.parent.mkdir()
    audio.write_bytes(b"")
    outside = tmp_path / "elsewhere.wav"
    utterances = [
        Utterance(str(audio), 1.5, "hello there", "spk1"),
        Utterance(str(outside), 0.25, "hi"),
    ]
    manifest = tmp_path / "corpus" / "train.jsonl"
    write_manifest(manifest, utterances)
    rows = [json.loads(line) for line in manifest.read_text().splitlines()]
    assert rows[0] == {
        "audio_filepath": "a.wav",
        "duration": 1.5,
        "text": "hello there",
        "speaker": "spk1",
    }
    assert rows[1]["audio_filepath"] == str(outside) and "speaker" not in rows[1]
    assert read_manifest(manifest) == utterances


def test_relative_paths_resolve_against_manifest_folder(tmp_path):
    manifest = tmp_path / "sub" / "m.jsonl"
    manifest.parent.mkdir()
    manifest.write_text('{"audio_filepath": "x/y.wav", "duration": 1, "text": "t"}\n\n')
    (utterance,) = read_manifest(manifest)
    assert utterance.audio_filepath == str(tmp_path.resolve() / "sub" / "x" / "y.wav")
    assert utterance.duration == 1.0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"audio_filepath": "a.wav", "text": "t"}', "missing keys"),
        (
            '{"audio_filepath": "a.wav", "duration": "long", "text": "t"}',
            "duration must be a number",
        ),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_malformed_lines_name_the_line(tmp_path, line, message):
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"audio_filepath": "a.wav", "duration": 1, "text": "t"}\n' + line + "\n")
    with pytest.raises(ValueError, match=f"m.jsonl:2: {message}"):
        read_manifest(manifest)


def test_missing_manifest(tmp_path):
    with pytest.raises(FileNotFoundError, match="Manifest not found"):
        read_manifest(tmp_path / "nope.jsonl")
