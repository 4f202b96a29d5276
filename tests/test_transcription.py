import csv
import json
import logging
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from speech_lstm import Transcriber as LazyTranscriber
from speech_lstm.inference.model_dir import load_model_dir
from speech_lstm.text import Vocabulary
from speech_lstm.transcription import (
    Transcriber,
    TranscriptionResult,
    resolve_inputs,
    run_transcription,
)
from speech_lstm.transcription import runner as runner_module
from speech_lstm.transcription.config import TranscribeConfig
from tests.conftest import ROOT, write_tone
from tests.transcription_fixtures import (
    loudness_model,
    save,
    speaker_loudness_model,
    untrained_model,
    write_bursts,
    write_near_silence,
)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A real (untrained) model directory: transcription mechanics do not need a good model."""
    return save(untrained_model(), tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="module")
def stub_dir(tmp_path_factory):
    """The known-answer model: noise bursts become "a", so texts can be checked exactly."""
    return save(loudness_model(), tmp_path_factory.mktemp("stub"))


def config(model_dir, source, output, **overrides) -> TranscribeConfig:
    return TranscribeConfig(str(model_dir), str(source), str(output), progress=False, **overrides)


def test_model_dir_round_trip(model_dir):
    loaded = load_model_dir(model_dir)
    assert loaded.vocabulary == Vocabulary() and loaded.model_config.units == 8
    x = np.random.default_rng(0).normal(size=(2, 30, 39)).astype("float32")
    assert loaded.acoustic_model(x).shape == (2, 10, 29)


def test_model_dir_lm_is_read_only_when_asked_for(tmp_path):
    from dataclasses import replace

    from speech_lstm.decoding.lm import build_ngram_lm

    lm = build_ngram_lm(["one two", "two one"], order=2)
    directory = save(replace(untrained_model(), lm=lm), tmp_path / "with_lm")
    # Saving writes the ARPA file and its array form; loading reads neither.
    assert (directory / "lm.arpa.npz").is_file()
    loaded = load_model_dir(directory)
    assert loaded.lm is None and loaded.lm_path == directory / "lm.arpa"
    assert sorted(loaded.language_model().lexicon) == sorted(lm.words)
    assert load_model_dir(directory, with_lm=False).language_model() is None


def test_not_a_model_dir(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a model directory"):
        load_model_dir(tmp_path)


def test_resolve_inputs(tmp_path):
    a = write_tone(tmp_path / "in" / "a.wav")
    b = write_tone(tmp_path / "in" / "deep" / "b.wav")
    c = write_tone(tmp_path / "in" / "deep" / "c.FLAC")
    (tmp_path / "in" / "notes.txt").write_text("x")
    assert resolve_inputs(tmp_path / "in") == [str(a), str(b), str(c)]
    assert resolve_inputs(tmp_path / "in", extensions=[".wav"]) == [str(a), str(b)]
    assert resolve_inputs(str(tmp_path / "in" / "**" / "*.wav")) == [str(a), str(b)]
    assert resolve_inputs(a) == [str(a)]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"audio_filepath": "in/a.wav"}) + "\n\n")
    assert resolve_inputs(manifest) == [str(tmp_path.resolve() / "in" / "a.wav")]
    listing = tmp_path / "list.txt"
    listing.write_text(f"# inputs\nin/deep/b.wav\n{a}  # absolute\n\n")
    assert resolve_inputs(listing) == [str(tmp_path.resolve() / "in/deep/b.wav"), str(a)]
    with pytest.raises(FileNotFoundError, match="No audio found"):
        resolve_inputs(tmp_path / "nothing*.wav")


def test_every_audio_format_rate_and_channel_count(stub_dir, tmp_path):
    inputs = [
        write_bursts(tmp_path / "a.wav", rate=8000, channels=2),
        write_bursts(tmp_path / "b.flac", rate=22050),
        write_bursts(tmp_path / "c.ogg", rate=16000, channels=3),
        write_bursts(tmp_path / "d.mp3", rate=44100),
    ]
    opus = tmp_path / "e.opus"
    wave = soundfile.read(write_bursts(tmp_path / "src" / "e.wav", rate=48000))[0]
    soundfile.write(opus, wave, 48000, format="OGG", subtype="OPUS")
    inputs.append(opus)
    results = Transcriber.load(stub_dir).transcribe(inputs, batch_size=2)
    for result in results:
        assert result.error is None, result.error
        assert result.text == "a a a"
        assert result.duration == pytest.approx(3.5, abs=0.1)


def test_corrupt_empty_unsupported_and_missing_files_fail_alone(model_dir, tmp_path):
    good = [write_tone(tmp_path / f"g{i}.wav", seconds=0.3 + 0.2 * i) for i in range(5)]
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF garbage")
    empty = tmp_path / "empty.wav"
    soundfile.write(empty, np.zeros(0, dtype=np.float32), 16000)
    zero_bytes = tmp_path / "zero.flac"
    zero_bytes.write_bytes(b"")
    unsupported = tmp_path / "notes.mp4"
    unsupported.write_text("not audio at all")
    missing = tmp_path / "missing.wav"
    bad = [corrupt, empty, zero_bytes, unsupported, missing]
    inputs = [good[0], bad[0], good[1], bad[1], good[2], bad[2], bad[3], good[3], bad[4], good[4]]
    results = Transcriber.load(model_dir).transcribe(inputs, batch_size=3, sort_window=1)
    assert [r.audio_filepath for r in results] == [str(p) for p in inputs]
    assert {r.audio_filepath for r in results if r.error} == {str(p) for p in bad}
    assert all(isinstance(r.text, str) and r.duration > 0 for r in results if not r.error)
    assert all(r.text is None and r.duration is None for r in results if r.error)


def test_run_transcription_writes_jsonl_and_counts_failures(model_dir, tmp_path, caplog):
    write_tone(tmp_path / "in" / "a.wav")
    (tmp_path / "in" / "b.wav").write_bytes(b"broken")
    out = tmp_path / "out" / "t.jsonl"
    with caplog.at_level(logging.INFO, logger="speech_lstm"):
        summary = run_transcription(config(model_dir, tmp_path / "in", out))
    assert summary == {"done": 1, "failed": 1, "skipped": 0}
    assert "1 done, 1 failed, 0 skipped" in caplog.text
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    rows.sort(key=lambda row: row["audio_filepath"])
    assert rows[0].keys() == {"audio_filepath", "text", "duration"}
    assert "error" in rows[1] and rows[1]["text"] is None


def test_jsonl_with_timestamps(stub_dir, tmp_path):
    write_bursts(tmp_path / "in" / "a.wav")
    out = tmp_path / "t.jsonl"
    run_transcription(config(stub_dir, tmp_path / "in", out, timestamps=True))
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["text"] == "a a a" and len(row["words"]) == 3
    assert row["words"][0].keys() == {"word", "start", "end", "confidence"}


def test_csv_output(stub_dir, tmp_path):
    write_bursts(tmp_path / "in" / "a.wav")
    (tmp_path / "in" / "b.wav").write_bytes(b"broken")
    out = tmp_path / "t.csv"
    run_transcription(config(stub_dir, tmp_path / "in", out, timestamps=True))
    with out.open(newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: row["audio_filepath"])
    assert [r["text"] for r in rows] == ["a a a", ""]
    assert rows[1]["error"] and len(json.loads(rows[0]["words"])) == 3


@pytest.mark.parametrize("fmt", ["txt", "srt", "vtt"])
def test_per_file_outputs_mirror_the_input_tree(stub_dir, tmp_path, fmt):
    write_bursts(tmp_path / "in" / "a.wav")
    write_bursts(tmp_path / "in" / "deep" / "b.flac", count=2)
    (tmp_path / "in" / "deep" / "bad.wav").write_bytes(b"broken")
    out = tmp_path / "out"
    summary = run_transcription(config(stub_dir, tmp_path / "in", out, format=fmt))
    assert summary == {"done": 2, "failed": 1, "skipped": 0}
    first, second = out / f"a.{fmt}", out / "deep" / f"b.{fmt}"
    assert not (out / "deep" / f"bad.{fmt}").exists()
    index = [json.loads(line) for line in (out / "transcripts.jsonl").read_text().splitlines()]
    assert len(index) == 3 and sum("error" in row for row in index) == 1
    if fmt == "txt":
        assert first.read_text() == "a a a\n" and second.read_text() == "a a\n"
    elif fmt == "srt":
        assert first.read_text().startswith("1\n00:00:00,5") and " --> " in first.read_text()
    else:
        assert second.read_text().startswith("WEBVTT\n\n00:00:00.5")


def test_output_format_errors(model_dir, tmp_path):
    write_tone(tmp_path / "a.wav")
    with pytest.raises(ValueError, match="output format"):
        run_transcription(config(model_dir, tmp_path / "a.wav", tmp_path / "out.xyz"))
    with pytest.raises(ValueError, match="format must be one of"):
        run_transcription(config(model_dir, tmp_path / "a.wav", tmp_path / "o", format="doc"))


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_resume_after_an_interrupted_run(stub_dir, tmp_path, monkeypatch, suffix):
    inputs = [write_bursts(tmp_path / "in" / f"{i:02d}.wav", count=1 + i % 3) for i in range(9)]
    out = tmp_path / f"t{suffix}"
    real = runner_module.Transcriber.transcribe_batches

    def crash_after_two_batches(self, *args, **kwargs):
        for number, batch in enumerate(real(self, *args, **kwargs)):
            if number == 2:
                raise KeyboardInterrupt
            yield batch

    monkeypatch.setattr(runner_module.Transcriber, "transcribe_batches", crash_after_two_batches)
    with pytest.raises(KeyboardInterrupt):
        run_transcription(config(stub_dir, tmp_path / "in", out, batch_size=2, sort_window=1))
    written = out.read_text().splitlines()
    assert 0 < len(written) < 9 + 1
    with out.open("a") as handle:
        handle.write('{"audio_filepath": "' if suffix == ".jsonl" else "half,a row")  # torn
    monkeypatch.undo()
    summary = run_transcription(config(stub_dir, tmp_path / "in", out, resume=True))
    assert summary["done"] + summary["skipped"] == 9 and summary["failed"] == 0
    assert summary["skipped"] == 4
    if suffix == ".jsonl":
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    else:
        rows = list(csv.DictReader(out.open(newline="")))
    assert sorted(r["audio_filepath"] for r in rows) == [str(p) for p in inputs]
    again = run_transcription(config(stub_dir, tmp_path / "in", out, resume=True))
    assert again == {"done": 0, "failed": 0, "skipped": 9}


def test_waveform_inputs_and_the_lazy_import(model_dir):
    assert LazyTranscriber is Transcriber
    wave = np.sin(np.linspace(0, 2000, 16000)).astype("float32")
    stereo = np.stack([wave, wave], axis=1)
    results = Transcriber.load(model_dir).transcribe([wave, stereo, np.zeros(0)])
    assert all(isinstance(r, TranscriptionResult) for r in results)
    assert [r.duration for r in results[:2]] == [1.0, 1.0] and results[0].error is None
    assert "non-empty waveform" in results[2].error


def test_script_exit_status_and_summary(stub_dir, tmp_path):
    write_bursts(tmp_path / "in" / "a.wav")
    (tmp_path / "in" / "b.wav").write_bytes(b"broken")
    command = [
        sys.executable,
        str(ROOT / "scripts" / "transcribe.py"),
        f"model_dir={stub_dir}",
        f"input={tmp_path / 'in'}",
        f"output={tmp_path / 'out.jsonl'}",
        "decoder=beam",
        f"hydra.run.dir={tmp_path / 'run'}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "1 done, 1 failed, 0 skipped" in done.stdout
    assert "RTF" in done.stderr


def test_every_transcription_config_composes():
    from hydra.core.config_store import ConfigStore

    from speech_lstm.config import to_object
    from speech_lstm.decoding.lm import BuildLmConfig
    from speech_lstm.evaluation.config import TuneDecoderConfig
    from speech_lstm.inference.config import ExportConfig
    from tests.conftest import compose

    for decoder in ("greedy", "beam", "beam_lm"):
        overrides = ["model_dir=m", "input=i", "output=o.csv", f"decoder={decoder}"]
        cfg = to_object(compose("transcribe", [*overrides, "chunk_seconds=30", "resume=true"]))
        assert isinstance(cfg, TranscribeConfig) and cfg.decoder.type == decoder
    assert to_object(compose("transcribe", overrides)).decoder.alpha == 0.8
    store = ConfigStore.instance()
    store.store(name="export_schema", node=ExportConfig)
    store.store(name="build_lm_schema", node=BuildLmConfig)
    store.store(name="tune_decoder_schema", node=TuneDecoderConfig)
    assert to_object(compose("export", ["model_dir=m"])).tflite_batch_size == 8
    assert to_object(compose("build_lm", ["input=t.txt", "output=lm.arpa"])).order == 3
    tune = to_object(compose("tune_decoder", ["model_dir=m", "manifest=d", "output=o.yaml"]))
    assert tune.decoder.type == "beam_lm" and len(tune.alphas) == 5
    with pytest.raises(Exception, match="no_such_key"):
        compose("transcribe", ["model_dir=m", "input=i", "output=o", "no_such_key=1"])


@pytest.fixture(scope="module")
def speaker_stub_dir(tmp_path_factory):
    """The known-answer model normalised per speaker."""
    return save(speaker_loudness_model(), tmp_path_factory.mktemp("speaker_stub"))


def test_speaker_normalisation_pools_each_speakers_files(speaker_stub_dir, tmp_path):
    bursts = write_bursts(tmp_path / "in" / "bursts.wav")
    quiet = write_near_silence(tmp_path / "in" / "quiet.wav")
    transcriber = Transcriber.load(speaker_stub_dir)
    pooled = transcriber.transcribe([bursts, quiet], speakers=["x", "x"])
    assert [r.text for r in pooled] == ["a a a", ""]  # quiet is below x's mean throughout
    alone = transcriber.transcribe([bursts, quiet])  # each input its own speaker
    assert alone[0].text == "a a a" and "a" in alone[1].text
    with pytest.raises(ValueError, match="one speaker per input"):
        transcriber.transcribe([bursts, quiet], speakers=["x"])


def test_speakers_come_from_the_manifest_or_the_speaker_option(speaker_stub_dir, tmp_path):
    bursts = write_bursts(tmp_path / "in" / "bursts.wav")
    quiet = write_near_silence(tmp_path / "in" / "quiet.wav")
    broken = tmp_path / "in" / "broken.wav"
    broken.write_bytes(b"broken")
    manifest = tmp_path / "m.jsonl"
    rows = [{"audio_filepath": str(p), "speaker": "x"} for p in (bursts, quiet, broken)]
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))

    def texts(source, **overrides):
        out = tmp_path / f"out{len(list(tmp_path.glob('out*')))}.jsonl"
        summary = run_transcription(config(speaker_stub_dir, source, out, **overrides))
        assert summary["failed"] == 1  # the broken file fails alone in both passes
        results = [json.loads(line) for line in out.read_text().splitlines()]
        # A manifest's rows keep their fields and get the hypothesis as `pred_text`.
        field = "pred_text" if str(source).endswith(".jsonl") else "text"
        return {row["audio_filepath"]: row[field] for row in results}

    from_manifest = texts(manifest)
    assert from_manifest[str(bursts)] == "a a a" and from_manifest[str(quiet)] == ""
    per_file = texts(tmp_path / "in")
    assert "a" in per_file[str(quiet)]
    assert texts(tmp_path / "in", speaker="x")[str(quiet)] == ""


def test_a_resumed_job_normalises_with_each_speakers_whole_set(speaker_stub_dir, tmp_path):
    bursts = write_bursts(tmp_path / "in" / "a_bursts.wav")
    quiet = write_near_silence(tmp_path / "in" / "b_quiet.wav")
    out = tmp_path / "out.jsonl"
    # An interrupted job that got as far as the bursts: only the quiet file is left.
    out.write_text(json.dumps({"audio_filepath": str(bursts), "text": "a a a"}) + "\n")
    summary = run_transcription(
        config(speaker_stub_dir, tmp_path / "in", out, speaker="x", resume=True)
    )
    assert summary == {"done": 1, "failed": 0, "skipped": 1}
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    # With x's statistics over both files, the quiet one is below x's mean throughout; with
    # its own statistics alone (the pending inputs only) it would be full of "a"s.
    assert [r["text"] for r in rows] == ["a a a", ""]
    transcriber = Transcriber.load(speaker_stub_dir)
    pooled = transcriber.speaker_statistics([bursts, quiet, quiet], ["x", "x", None])
    assert list(pooled) == ["x"] and pooled["x"].count > 0
    with pytest.raises(ValueError, match="one speaker per input"):
        transcriber.speaker_statistics([bursts], [])


def test_feature_worker_processes_give_the_rows_threads_give(stub_dir, tmp_path):
    """`speech-lstm transcribe` computes features in worker processes started before
    TensorFlow loads: reading, chunking, error rows and timestamps come out exactly as with
    the pipeline's own threads."""
    from speech_lstm.parallel import audio_process_pool

    folder = tmp_path / "in"
    write_bursts(folder / "bursts.wav")
    write_bursts(folder / "long.flac", count=8)  # 6.9 s: chunked at 2 s below
    write_near_silence(folder / "quiet.wav")
    (folder / "corrupt.wav").write_bytes(b"RIFF garbage")
    soundfile.write(folder / "empty.wav", np.zeros(0, dtype=np.float32), 16000)
    options = {"chunk_seconds": 2.0, "chunk_search_seconds": 0.5, "timestamps": True}
    threads = tmp_path / "threads.jsonl"
    run_transcription(config(stub_dir, folder, threads, **options))
    processes = tmp_path / "processes.jsonl"
    pool = audio_process_pool(2)
    try:
        summary = run_transcription(config(stub_dir, folder, processes, **options), pool)
    finally:
        pool.shutdown()
    assert summary == {"done": 3, "failed": 2, "skipped": 0}
    assert processes.read_text() == threads.read_text()
    rows = {json.loads(line)["audio_filepath"]: json.loads(line) for line in threads.open()}
    assert rows[str(folder / "long.flac")]["text"] == " ".join(["a"] * 8)


def test_a_speaker_pooling_model_gets_the_same_statistics_from_worker_processes(
    speaker_stub_dir, tmp_path
):
    from speech_lstm.inference.featurize import feature_processes

    bursts = write_bursts(tmp_path / "bursts.wav")
    quiet = write_near_silence(tmp_path / "quiet.wav")
    with feature_processes(2) as pool:
        transcriber = Transcriber.load(speaker_stub_dir, feature_executor=pool)
        pooled = transcriber.transcribe([bursts, quiet], speakers=["x", "x"])
    assert [r.text for r in pooled] == ["a a a", ""]


def test_a_transcription_job_leaves_librosa_to_its_feature_workers():
    """The start-up gain of `feature_processes` holds only while the job's own process does
    not import librosa (or scipy.signal) on its way to the first batch."""
    probe = (
        "import sys; import speech_lstm.cli.jobs, speech_lstm.transcription.runner; "
        "import speech_lstm.transcription.transcriber, speech_lstm.inference.backends; "
        "print(sorted(m for m in ('librosa', 'scipy.signal') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"
