"""Test-time warp search: every segment read at several vocal-tract warps, the reading the
model is most confident about decoded (speech_lstm.inference.warp_search)."""

import csv
import json

import numpy as np
import pytest

from speech_lstm.audio import load_audio, write_wav
from speech_lstm.decoding.decoder import DecoderConfig
from speech_lstm.decoding.lm import build_ngram_lm
from speech_lstm.evaluation import run_evaluation, tuning
from speech_lstm.evaluation.config import EvaluateConfig, TuneDecoderConfig
from speech_lstm.features import MfccConfig, compute_mfcc
from speech_lstm.inference.chunking import ChunkingConfig
from speech_lstm.inference.warp_search import best_path_confidence, most_confident, search_warps
from speech_lstm.service.config import ServeConfig
from speech_lstm.service.engine import TranscriptionEngine
from speech_lstm.transcription import Transcriber
from speech_lstm.transcription.config import TranscribeConfig
from speech_lstm.transcription.output_formats import open_writer
from tests.test_ensemble import tiny_model
from tests.transcription_fixtures import save, write_bursts

SEARCH = [0.85, 1.15]


def test_the_search_always_tries_the_input_as_it_is_first_without_repeats():
    assert search_warps([]) == ()
    assert search_warps([0.9, 1.1, 0.9]) == (1.0, 0.9, 1.1)
    assert search_warps([1.2, 1.0]) == (1.0, 1.2)


@pytest.mark.parametrize("warps", [[0.5], [1.0, 1.4]])
def test_factors_that_no_longer_sound_like_a_voice_are_refused(warps):
    with pytest.raises(ValueError, match=r"warp_search factors must lie in \[0.7, 1.3\]"):
        search_warps(warps)
    with pytest.raises(ValueError, match="warp_search"):
        TranscribeConfig(model_dir="m", input="i", output="o.jsonl", warp_search=warps)
    with pytest.raises(ValueError, match="warp_search"):
        EvaluateConfig(manifest="m.jsonl", output_dir="out", warp_search=warps)
    with pytest.raises(ValueError, match="warp_search"):
        ServeConfig(model_dir="m", warp_search=warps)
    with pytest.raises(ValueError, match="warp_search"):
        TuneDecoderConfig(model_dir="m", manifest="d", output="o.yaml", warp_search=warps)


def test_confidence_is_the_mean_best_log_posterior_over_valid_steps_only():
    sure = np.log(np.array([[0.9, 0.05, 0.05], [0.05, 0.9, 0.05]]))
    unsure = np.log(np.full((2, 3), 1 / 3))
    padding = np.zeros((1, 3))  # a row's steps past its length must not count
    logits = np.stack([sure, np.concatenate([unsure[:1], padding])])
    confidence = best_path_confidence(logits, np.array([2, 1]))
    np.testing.assert_allclose(confidence, [np.log(0.9), np.log(1 / 3)])


def test_each_row_takes_the_candidate_it_is_surest_in_and_its_members_follow():
    rng = np.random.default_rng(0)
    lengths = np.array([4, 4])
    flat = rng.normal(0, 0.01, (2, 4, 5))
    peaked = flat.copy()
    peaked[1, :, 2] += 8.0  # row 1 is sure under the second candidate only
    peaked[0] = rng.normal(0, 0.01, (4, 5))
    logits, chosen_lengths, members, chosen = most_confident(
        [(flat, lengths, [flat + 1]), (peaked, lengths, [peaked + 1])]
    )
    assert chosen[1] == 1
    np.testing.assert_array_equal(logits[1], peaked[1])
    np.testing.assert_array_equal(members[0][1], peaked[1] + 1)
    expected_first = [flat, peaked][chosen[0]][0]
    np.testing.assert_array_equal(logits[0], expected_first)
    np.testing.assert_array_equal(chosen_lengths, lengths)


def test_the_decoded_logits_are_the_models_on_the_chosen_warp(trained_bilstm):
    transcriber = Transcriber.load(trained_bilstm.model_dir, warp_search=SEARCH)
    paths = trained_bilstm.audio_paths[:8]
    batches = list(transcriber.pipeline.batches(paths, batch_size=4))
    features = transcriber.trained.features
    seen = set()
    for batch in batches:
        assert len(batch.warps) == len(batch.segments)
        for row, (segment, warp) in enumerate(zip(batch.segments, batch.warps)):
            seen.add(warp)
            waveform = load_audio(paths[segment.item], features.sample_rate)
            readings = {
                w: compute_mfcc(waveform, features.sample_rate, features, w) for w in (1.0, *SEARCH)
            }
            scores = {}
            for w, matrix in readings.items():
                logits, lengths = transcriber.logits([matrix])
                scores[w] = best_path_confidence(logits, lengths)[0]
            assert warp == max(scores, key=scores.get)
            n = int(batch.lengths[row])
            own, _ = transcriber.logits([readings[warp]])
            np.testing.assert_allclose(batch.logits[row, :n], own[0, :n], atol=1e-4)
    assert seen <= {1.0, *SEARCH}


def test_a_search_of_the_input_alone_transcribes_as_without_one(trained_bilstm):
    paths = trained_bilstm.audio_paths[:6]
    plain = Transcriber.load(trained_bilstm.model_dir).transcribe(paths)
    alone = Transcriber.load(trained_bilstm.model_dir, warp_search=[1.0]).transcribe(paths)
    assert [r.text for r in alone] == [r.text for r in plain]
    assert [r.warps for r in alone] == [[1.0]] * len(paths)
    assert all(r.warps is None and "warps" not in r.to_dict() for r in plain)


def test_chunks_of_a_long_file_and_bad_files_are_searched_and_reported(trained_bilstm, tmp_path):
    rate = 16000
    spoken = [load_audio(p, rate) for p in trained_bilstm.audio_paths[:4]]
    gap = np.zeros(rate // 2, dtype=np.float32)
    long_file = tmp_path / "long.wav"
    write_wav(long_file, np.concatenate([x for s in spoken for x in (s, gap)]), rate)
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF not a wav")
    transcriber = Transcriber.load(
        trained_bilstm.model_dir, warp_search=SEARCH, chunking=ChunkingConfig(2.0, 0.8)
    )
    long_result, bad_result, short_result = transcriber.transcribe(
        [long_file, corrupt, trained_bilstm.audio_paths[0]]
    )
    assert long_result.error is None and long_result.text
    assert bad_result.error and "corrupt.wav" in bad_result.error
    assert short_result.error is None and short_result.text
    # The output says which warp each chunk was decoded at; an error row says nothing of it.
    [single] = transcriber.pipeline.batches([trained_bilstm.audio_paths[0]])
    assert short_result.warps == single.warps
    parts = list(transcriber.pipeline.batches([long_file]))
    chosen = {s.part: w for batch in parts for s, w in zip(batch.segments, batch.warps)}
    assert len(chosen) > 1 and long_result.warps == [chosen[p] for p in sorted(chosen)]
    assert long_result.to_dict()["warps"] == long_result.warps
    assert bad_result.warps is None and "warps" not in bad_result.to_dict()
    table = tmp_path / "out.csv"
    writer = open_writer(table, "csv", resume=False)
    for result in (long_result, bad_result):
        writer.write(result)
    writer.close()
    with table.open(newline="") as handle:
        long_row, bad_row = csv.DictReader(handle)
    assert json.loads(long_row["warps"]) == long_result.warps and bad_row["warps"] == ""


def test_the_service_searches_with_every_decoder(trained_bilstm):
    engine = TranscriptionEngine.load(
        ServeConfig(model_dir=str(trained_bilstm.model_dir), warp_search=SEARCH)
    )
    for decoder in ("greedy", "beam"):
        assert engine._transcriber(decoder, False).pipeline.warps == (1.0, *SEARCH)


def test_an_ensemble_is_searched_on_its_average_and_aligns_words_on_its_members(tmp_path):
    first, second = save(tiny_model(1), tmp_path / "a"), save(tiny_model(2), tmp_path / "b")
    audio = write_bursts(tmp_path / "bursts.wav")
    transcriber = Transcriber.load(first, ensemble=[second], warp_search=SEARCH, timestamps=True)
    [batch] = list(transcriber.pipeline.batches([audio]))
    assert len(batch.members) == 2 and batch.warps[0] in (1.0, *SEARCH)
    features = transcriber.trained.features
    waveform = load_audio(audio, features.sample_rate)
    chosen = compute_mfcc(waveform, features.sample_rate, features, batch.warps[0])
    averaged, _, members = transcriber.logits.with_members([chosen])
    np.testing.assert_allclose(batch.logits, averaged, atol=1e-4)
    np.testing.assert_allclose(batch.members[1], members[1], atol=1e-4)
    result = transcriber.transcribe(audio)
    assert result.error is None and result.words is not None


def test_a_model_normalised_per_speaker_refuses_the_search():
    trained = tiny_model(1, MfccConfig(normalize_scope="speaker"))
    with pytest.raises(ValueError, match="normalised per speaker"):
        Transcriber(trained, warp_search=[0.9])


def test_evaluation_reads_with_the_search_and_records_it(trained_bilstm, tmp_path):
    manifest = tmp_path / "manifest.jsonl"
    rows = [
        {"audio_filepath": u.audio_filepath, "text": u.text, "duration": u.duration}
        for u in trained_bilstm.utterances[:8]
    ]
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = run_evaluation(
        EvaluateConfig(
            manifest=str(manifest),
            output_dir=str(tmp_path / "eval"),
            model_dir=str(trained_bilstm.model_dir),
            warp_search=SEARCH,
            bootstrap_samples=0,
        )
    )
    saved = json.loads((tmp_path / "eval" / "report.json").read_text())
    assert saved["config"]["warp_search"] == SEARCH
    predictions = (tmp_path / "eval" / "predictions.jsonl").read_text().splitlines()
    assert all(json.loads(line)["warps"][0] in (1.0, *SEARCH) for line in predictions)
    assert report["wer"] <= 0.5  # the model was trained on these utterances


def test_decoder_tuning_reads_the_dev_set_with_the_search_transcription_uses(
    trained_bilstm, tmp_path
):
    utterances = trained_bilstm.utterances[:6]
    manifest = tmp_path / "dev.jsonl"
    rows = [
        {"audio_filepath": u.audio_filepath, "text": u.text, "duration": u.duration}
        for u in utterances
    ]
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    lm_path = tmp_path / "lm.arpa"
    build_ngram_lm(trained_bilstm.texts).save_arpa(lm_path)
    transcriber = Transcriber.load(trained_bilstm.model_dir, warp_search=SEARCH)
    searched = {}
    for batch in transcriber.pipeline.batches([u.audio_filepath for u in utterances], 4):
        for segment, row, length in zip(batch.segments, batch.logits, batch.lengths):
            searched[segment.item] = row[: int(length)]
    tuned = tuning._dev_logits(transcriber.trained, utterances, 4, SEARCH)
    for item, row in enumerate(tuned):
        np.testing.assert_allclose(row, searched[item], atol=1e-5)
    output = tmp_path / "tuned.yaml"
    result = tuning.tune_decoder(
        TuneDecoderConfig(
            str(trained_bilstm.model_dir),
            str(manifest),
            str(output),
            decoder=DecoderConfig("beam_lm", lm_path=str(lm_path)),
            alphas=[0.5],
            betas=[1.0],
            warp_search=SEARCH,
        )
    )
    assert result["warp_search"] == SEARCH
    assert f"# Tuned with warp_search={SEARCH}" in output.read_text()
