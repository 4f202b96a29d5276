"""Model variants (GRU cells, masked self-attention, L2 weight decay, unidirectional models with
look-ahead): their settings, their masking and causality on hand-made inputs, and, trained
briefly, that they save, reload, transcribe and export with the Keras model's logits.

The streaming variant (unidirectional, look-ahead, causal front end) is trained and exported
in tests/test_streaming.py. Export tolerances are those of tests/test_export.py.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import keras
import numpy as np
import pytest

from speech_lstm.evaluation import score
from speech_lstm.features import MfccConfig
from speech_lstm.inference.model_dir import load_model_dir
from speech_lstm.inference.streaming import check_streamable
from speech_lstm.inference.tflite_graph import constant_graph_function
from speech_lstm.model.config import ModelConfig
from speech_lstm.model.network import CtcTrainingModel, build_acoustic_model, ctc_loss
from speech_lstm.transcription import Transcriber
from tests.conftest import ROOT, compose, require_espeak
from tests.variant_training import check_exports, export_variant, spoken, train_variant

FEATURE_DIM = 39
VOCAB = 29
# One trained model carries the new layers together (a GRU, an attention block, weight decay),
# which keeps this file to one training; the combinations are checked untrained below.
TRAINED_VARIANT = ModelConfig(
    num_layers=1, units=24, dropout=0.0, subsampling=2, cell="gru", l2=1e-5, attention_heads=2
)
# Measured after 40 steps: 0% CER on its six training sentences (an untrained model: ~100%).
TRAINED_CER = 0.2
UNTRAINED_COMBINATIONS = {
    "bilstm_attention_projection": ModelConfig(
        num_layers=1, units=8, attention_heads=2, projection_units=8
    ),
    "unilstm_lookahead_causal_attention": ModelConfig(
        num_layers=1, units=8, bidirectional=False, lookahead_frames=2, attention_heads=2
    ),
}


def random_features(lengths: list[int], seed: int = 0) -> np.ndarray:
    """A zero-padded (batch, max(lengths), FEATURE_DIM) batch of random frames."""
    rng = np.random.default_rng(seed)
    batch = np.zeros((len(lengths), max(lengths), FEATURE_DIM), dtype=np.float32)
    for row, length in enumerate(lengths):
        batch[row, :length] = rng.standard_normal((length, FEATURE_DIM))
    return batch


def test_model_json_of_earlier_versions_loads_as_the_stacked_bilstm(tmp_path):
    earlier = {
        "num_layers": 2,
        "units": 64,
        "dropout": 0.1,
        "subsampling": 3,
        "projection_units": 0,
    }
    (tmp_path / "model.json").write_text(json.dumps(earlier))
    loaded = ModelConfig.load(tmp_path / "model.json")
    assert asdict(loaded) == {**asdict(ModelConfig()), **earlier}
    model = build_acoustic_model(FEATURE_DIM, VOCAB, loaded)
    names = [layer.name for layer in model.layers]
    assert model.name == "bilstm_ctc" and "bilstm_0" in names and "bilstm_1" in names
    assert model.get_layer("bilstm_0").forward_layer.name.endswith("lstm_0")


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"cell": "rnn"}, "cell must be one of"),
        ({"attention_position": "first"}, "attention_position must be one of"),
        ({"attention_heads": 3, "units": 16}, "must divide the recurrent width"),
        ({"lookahead_frames": 2}, "bidirectional=true, lookahead_frames=2"),
        ({"l2": -0.1}, "must be >= 0"),
        ({"recurrent_dropout": 1.0}, "recurrent_dropout must be in"),
    ],
)
def test_bad_settings_are_refused_by_name(settings, message):
    with pytest.raises(ValueError, match=message):
        ModelConfig(**settings)


def test_gru_keeps_the_cudnn_settings():
    model = build_acoustic_model(FEATURE_DIM, VOCAB, ModelConfig(units=8, cell="gru"))
    for index in range(3):
        gru = model.get_layer(f"bigru_{index}").forward_layer
        assert isinstance(gru, keras.layers.GRU)
        assert gru.cell.reset_after and gru.cell.recurrent_dropout == 0.0
        assert gru.cell.activation is keras.activations.tanh
        assert gru.cell.recurrent_activation is keras.activations.sigmoid
    # A GRU layer has 3 gates' weights where an LSTM has 4 (plus a second bias row).
    lstm = build_acoustic_model(FEATURE_DIM, VOCAB, ModelConfig(units=8))
    assert model.count_params() < lstm.count_params()


@pytest.mark.parametrize(
    "config",
    [
        ModelConfig(num_layers=2, units=8, attention_heads=2, attention_position="every"),
        ModelConfig(num_layers=2, units=8, bidirectional=False, attention_heads=4, cell="gru"),
        ModelConfig(num_layers=1, units=8, bidirectional=False, lookahead_frames=2),
    ],
    ids=["bidirectional_attention", "causal_attention", "lookahead"],
)
def test_padding_changes_no_logit_of_the_real_steps(config):
    """An utterance alone and padded in a batch with a longer one: the same logits on its
    steps (padding is masked from the recurrences and never attended to)."""
    keras.utils.set_random_seed(1)
    model = build_acoustic_model(FEATURE_DIM, VOCAB, config)
    batch = random_features([24, 60])
    alone = keras.ops.convert_to_numpy(model(batch[:1, :24]))
    padded = keras.ops.convert_to_numpy(model(batch))
    steps = 24 // config.subsampling
    np.testing.assert_allclose(padded[0, :steps], alone[0], rtol=0, atol=1e-5)
    # Not vacuous: the padding is there to be ignored, and attention mixes steps.
    assert padded.shape[1] == 20 and not np.allclose(padded[1, :steps], alone[0], atol=1e-3)


@pytest.mark.parametrize("lookahead", [0, 2])
def test_a_unidirectional_step_sees_the_past_and_lookahead_steps_only(lookahead):
    config = ModelConfig(
        num_layers=2, units=8, bidirectional=False, lookahead_frames=lookahead, attention_heads=2
    )
    keras.utils.set_random_seed(2)
    model = build_acoustic_model(FEATURE_DIM, VOCAB, config)
    batch = random_features([60])
    changed = batch.copy()
    step = 10
    first_changed_frame = (step + lookahead) * config.subsampling
    changed[0, first_changed_frame:] += 1.0
    before = keras.ops.convert_to_numpy(model(batch))[0]
    after = keras.ops.convert_to_numpy(model(changed))[0]
    np.testing.assert_allclose(after[:step], before[:step], rtol=0, atol=1e-6)
    assert not np.allclose(after[step], before[step], atol=1e-4)


def test_l2_weight_decay_is_added_to_the_ctc_loss():
    config = ModelConfig(num_layers=1, units=8, cell="gru", l2=1e-2, projection_units=8)
    keras.utils.set_random_seed(3)
    acoustic = build_acoustic_model(FEATURE_DIM, VOCAB, config)
    trainer = CtcTrainingModel(acoustic, config.subsampling)
    x = {"features": random_features([30, 27]), "feature_lengths": np.asarray([30, 27])}
    y = {"labels": np.asarray([[3, 4, 5], [6, 7, 0]]), "label_lengths": np.asarray([3, 2])}
    logits = trainer(x)
    loss = float(trainer.compute_loss(x, y, logits))
    ctc = float(np.mean(ctc_loss(y["labels"], logits, y["label_lengths"], np.asarray([10, 9]))))
    # kernel and recurrent kernel of both GRU directions, the projection and the logits layer
    assert len(trainer.losses) == 6
    decay = sum(1e-2 * float(np.sum(np.square(w))) for w in _decayed_weights(acoustic))
    np.testing.assert_allclose(loss, ctc + decay, rtol=1e-5)
    assert decay > 1e-3 * ctc


def _decayed_weights(model: keras.Model) -> list[np.ndarray]:
    gru = model.get_layer("bigru_0")
    cells = [gru.forward_layer.cell, gru.backward_layer.cell]
    matrices = [c.kernel for c in cells] + [c.recurrent_kernel for c in cells]
    matrices += [model.get_layer("projection").kernel, model.get_layer("logits").kernel]
    return [keras.ops.convert_to_numpy(m) for m in matrices]


def test_recurrent_dropout_reaches_the_cells():
    model = build_acoustic_model(FEATURE_DIM, VOCAB, ModelConfig(units=8, recurrent_dropout=0.2))
    assert model.get_layer("bilstm_0").forward_layer.cell.recurrent_dropout == 0.2


@pytest.fixture(scope="module")
def spoken_rows(tmp_path_factory):
    require_espeak()
    return spoken(tmp_path_factory.mktemp("variant_audio"))


@pytest.mark.parametrize("name", list(UNTRAINED_COMBINATIONS))
def test_the_tflite_graph_computes_each_combinations_logits(name):
    """The constant-weight graph that TFLite converts (`tflite_graph`) against Keras, on a
    padded batch, for shapes the trained variants do not have."""
    keras.utils.set_random_seed(4)
    model = build_acoustic_model(FEATURE_DIM, VOCAB, UNTRAINED_COMBINATIONS[name])
    batch = random_features([30, 18, 9])
    want = keras.ops.convert_to_numpy(model(batch))
    got = constant_graph_function(model, batch_size=3)(batch).numpy()
    for row, steps in enumerate([10, 6, 3]):
        np.testing.assert_allclose(got[row, :steps], want[row, :steps], rtol=0, atol=1e-5)


@pytest.fixture(scope="module")
def variant_dir(spoken_rows, tmp_path_factory):
    """A model directory of `TRAINED_VARIANT`, trained briefly on the spoken sentences and
    exported (the waveform exports are tested with the streaming variant)."""
    root = tmp_path_factory.mktemp("variant")
    model_dir = train_variant(spoken_rows, MfccConfig(), TRAINED_VARIANT, root / "model")
    export_variant(model_dir, waveform=False)
    return model_dir


def test_variant_reloads_and_transcribes(variant_dir, spoken_rows):
    trained = load_model_dir(variant_dir)
    assert trained.model_config == TRAINED_VARIANT
    paths = [row.audio_filepath for row in spoken_rows]
    results = Transcriber(trained).transcribe(paths, batch_size=4)
    assert all(r.error is None for r in results), [r.error for r in results]
    cer = score([row.text for row in spoken_rows], [r.text for r in results]).cer
    assert cer < TRAINED_CER, f"CER {cer:.2%} on its training sentences"


def test_variant_exports_compute_the_keras_logits(variant_dir, spoken_rows):
    check_exports(variant_dir, [row.audio_filepath for row in spoken_rows])


@pytest.mark.parametrize("option", sorted(p.stem for p in (ROOT / "conf" / "model").glob("*.yaml")))
def test_every_model_option_composes_into_a_valid_config(option, tmp_path):
    from speech_lstm.config import to_object

    config = to_object(compose("train", [f"model={option}", f"paths.output_dir={tmp_path}"]))
    assert isinstance(config.model, ModelConfig)
    if option == "streaming":
        check_streamable(config.features, config.model)
