"""CTC known answers: the training loss on hand-made logit matrices against values computed by
enumerating every alignment by hand, and the lengths the loss is given for padded batches."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from speech_lstm.model.config import ModelConfig
from speech_lstm.model.network import CtcTrainingModel, build_acoustic_model

# Per-step probabilities over (blank, "a", "b"): blank is index 0, as everywhere in the project.
P1, P2, P3 = (0.6, 0.3, 0.1), (0.5, 0.4, 0.1), (0.2, 0.7, 0.1)
BLANK, A, B = 0, 1, 2


def _training_model(subsampling: int, vocab_size: int = 3, feature_dim: int = 2):
    config = ModelConfig(num_layers=1, units=4, dropout=0.0, subsampling=subsampling)
    acoustic = build_acoustic_model(feature_dim, vocab_size, config)
    return CtcTrainingModel(acoustic, subsampling)


def _loss(model, feature_lengths, labels, label_lengths, logits) -> float:
    x = {"feature_lengths": np.asarray(feature_lengths, dtype=np.int32)}
    y = {
        "labels": np.asarray(labels, dtype=np.int32),
        "label_lengths": np.asarray(label_lengths, dtype=np.int32),
    }
    loss = model.compute_loss(x=x, y=y, y_pred=np.asarray(logits, dtype=np.float32))
    return float(keras.ops.convert_to_numpy(loss))


# Each case: label, steps, and -log of the sum over the alignments that collapse to the label.
CASES = {
    # "a" in 2 steps: a a | a - | - a
    "single": ([A], [P1, P2], -math.log(0.3 * 0.4 + 0.3 * 0.5 + 0.6 * 0.4)),
    # "aa" in 3 steps: only a - a (a repeat needs a blank between)
    "repeat": ([A, A], [P1, P2, P3], -math.log(0.3 * 0.5 * 0.7)),
    # "ab" in 3 steps: a a b | a b b | - a b | a - b | a b -
    "pair": (
        [A, B],
        [P1, P2, P3],
        -math.log(
            0.3 * 0.4 * 0.1 + 0.3 * 0.1 * 0.1 + 0.6 * 0.4 * 0.1 + 0.3 * 0.5 * 0.1 + 0.3 * 0.1 * 0.2
        ),
    ),
    # "" in 2 steps: - -
    "blank only": ([], [P1, P2], -math.log(0.6 * 0.5)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_loss_of_one_utterance_equals_the_sum_over_its_alignments(case):
    label, steps, expected = CASES[case]
    model = _training_model(subsampling=1)
    logits = np.log(np.asarray([steps]))
    padded_label = [label or [0]]
    loss = _loss(model, [len(steps)], padded_label, [len(label)], logits)
    assert loss == pytest.approx(expected, rel=1e-4)


def test_a_padded_batch_of_mixed_lengths_takes_each_sample_s_own_lengths():
    """Subsampling 3: 4, 9 and 7 feature frames give 2, 3 and 3 logit steps. The first
    sample's third step is padding, made to favour "b" strongly: it must not count."""
    model = _training_model(subsampling=3)
    padding_step = (0.01, 0.01, 0.98)
    logits = np.log(np.asarray([[P1, P2, padding_step], [P1, P2, P3], [P1, P2, P3]]))
    labels = [[A, 0], [A, A], [A, B]]
    loss = _loss(model, [4, 9, 7], labels, [1, 2, 2], logits)
    expected = np.mean([CASES["single"][2], CASES["repeat"][2], CASES["pair"][2]])
    assert loss == pytest.approx(expected, rel=1e-4)


def test_the_loss_of_a_model_s_outputs_does_not_depend_on_padding():
    """Real features through the acoustic model: a batch padded to its longest utterance has
    the mean loss of the utterances scored one by one, unpadded."""
    keras.utils.set_random_seed(0)
    model = _training_model(subsampling=3, vocab_size=5, feature_dim=4)
    rng = np.random.default_rng(0)
    lengths = [12, 30, 21]
    utterances = [rng.normal(size=(n, 4)).astype(np.float32) for n in lengths]
    labels = [[1, 2], [3, 3, 4, 1], [2, 4, 2]]

    def loss_of(indices: list[int]) -> float:
        longest = max(lengths[i] for i in indices)
        features = np.stack(
            [np.pad(utterances[i], ((0, longest - lengths[i]), (0, 0))) for i in indices]
        )
        label_rows = keras.utils.pad_sequences([labels[i] for i in indices], padding="post")
        logits = model({"features": features})
        return _loss(
            model,
            [lengths[i] for i in indices],
            label_rows,
            [len(labels[i]) for i in indices],
            logits,
        )

    alone = [loss_of([i]) for i in range(3)]
    assert loss_of([0, 1, 2]) == pytest.approx(np.mean(alone), rel=1e-4)
    swapped = keras.utils.pad_sequences([labels[1], labels[0], labels[2]], padding="post")
    batch = np.stack([np.pad(u, ((0, 30 - len(u)), (0, 0))) for u in utterances])
    mismatched = _loss(model, lengths, swapped, [4, 2, 3], model({"features": batch}))
    assert mismatched != pytest.approx(np.mean(alone), rel=1e-3)


def test_empty_transcripts_cost_the_all_blank_path_even_in_a_batch_of_only_empty_ones():
    """A clip with nothing said: its loss is -log P(blank at every step). A batch of such
    clips has zero-width labels, which TensorFlow's CTC scores wrongly unless padded."""
    model = _training_model(subsampling=1)
    logits = np.log(np.asarray([[P1, P2, P3], [P1, P2, P3]]))
    all_blank = [-math.log(0.6 * 0.5 * 0.2), -math.log(0.6 * 0.5)]
    only_empty = _loss(model, [3, 2], np.zeros((2, 0)), [0, 0], logits)
    assert only_empty == pytest.approx(np.mean(all_blank), rel=1e-4)
    with_speech = _loss(model, [3, 2], [[0, 0], [A, 0]], [0, 1], logits)
    assert with_speech == pytest.approx(np.mean([all_blank[0], CASES["single"][2]]), rel=1e-4)
