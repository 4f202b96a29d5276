"""A briefly trained BiLSTM-CTC model, trained once per test session (a pytest plugin).

Registered by `pytest_plugins` in tests/conftest.py. The fixture `trained_bilstm` generates
32 utterances of one or two spoken digits ("four nine") with two espeak-ng voices, trains a
one-layer BiLSTM of 32 units on them for 12 epochs through `speech_lstm.training.train`, and
hands back the model directory with its utterances. Scored on the utterances it was trained on
(dev is the train manifest, so the best-by-dev-WER checkpoint is the best fit), it reaches a
few percent WER: confident, peaky logits whose greedy decoding is real text, for tests that
need a model that has learnt something (exports, decoding) without a model file in the repo.
Generating and training take about 80 s on the shared 2-core VM (about 30 s of CPU time).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from speech_lstm.data.manifest import Utterance, read_manifest
from tests.conftest import compose, require_espeak


@dataclass(frozen=True)
class TrainedBilstm:
    """A trained model directory and the utterances it was trained (and selected) on.

    Attributes:
        model_dir: the `model/` directory written by training; treat it as read-only (it is
            shared by the whole session: copy it before writing exports into it).
        utterances: the 32 training utterances, with absolute audio paths.
    """

    model_dir: Path
    utterances: list[Utterance]

    @property
    def audio_paths(self) -> list[str]:
        """The utterances' audio files, in manifest order."""
        return [u.audio_filepath for u in self.utterances]

    @property
    def texts(self) -> list[str]:
        """The utterances' reference transcripts, in manifest order."""
        return [u.text for u in self.utterances]


def training_overrides(root: Path) -> list[str]:
    """Overrides of conf/train.yaml for the fixture: a tiny digits corpus and model below `root`."""
    train_split = "data.synthetic.splits.train"
    return [
        f"paths.root_dir={root}",
        f"paths.output_dir={root / 'run'}",
        "data=synthetic_digits",
        "data.synthetic.words_per_utterance=[1,2]",
        f"{train_split}.num_utterances=32",
        f"{train_split}.espeak_accents=[en-us]",
        f"{train_split}.espeak_variants=[m1,f1]",
        f"{train_split}.flite_voices=[]",
        f"{train_split}.flite_share=0",
        "~data.synthetic.splits.dev",
        "data.dev_manifest=${data.train_manifest}",
        "model.num_layers=1",
        "model.units=32",
        "model.dropout=0",
        "trainer.epochs=12",
        "trainer.batch_size=4",
        "trainer.learning_rate=0.02",
        "trainer.num_workers=1",
        "trainer.verbose=0",
        "lm_order=0",
    ]


@pytest.fixture(scope="session")
def trained_bilstm(tmp_path_factory: pytest.TempPathFactory) -> TrainedBilstm:
    """The session's briefly trained BiLSTM (skipped where espeak-ng is missing)."""
    require_espeak()
    from speech_lstm.config import to_object
    from speech_lstm.synthetic.corpus import generate_corpus
    from speech_lstm.training import train

    root = tmp_path_factory.mktemp("trained_bilstm")
    config = to_object(compose("train", training_overrides(root)))
    generate_corpus(config.data.synthetic, config.data.corpus_dir)
    model_dir = train(config)
    return TrainedBilstm(model_dir, read_manifest(config.data.train_manifest))
