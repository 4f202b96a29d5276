"""The compiled LM prefix search gives the reference search's transcripts, option by option."""

import numpy as np
import pytest

from speech_lstm.decoding.beam import LexiconBeamSearch, LmWeights
from speech_lstm.decoding.lm import build_ngram_lm
from speech_lstm.decoding.lm_arrays import ArrayLM
from speech_lstm.decoding.prefix_search import CompiledBeamSearch
from speech_lstm.text import Vocabulary

# Digit words, near-miss spellings and longer words sharing their prefixes, so that the
# lexicon trie, unknown words and back-off all come into play.
EXTRA_LM_TEXT = ["one for nine", "for one", "fourteen nine", "six seven", "five fives", "nine"]

OPTIONS = [
    {"beam_width": 1},
    {"beam_width": 8},
    {"beam_width": 32},
    {"beam_width": 8, "unk_penalty": 1.0},
    {"beam_width": 8, "lexicon_constrained": False},
    {"beam_width": 8, "alpha": 2.0, "beta": 0.0},
]


def searches(characters: str, lm: ArrayLM, options: dict):
    settings = dict(options)
    alpha, beta = settings.pop("alpha", 0.8), settings.pop("beta", 1.5)
    reference = LexiconBeamSearch(characters, lm, LmWeights(alpha, beta), **settings)
    return reference, CompiledBeamSearch(characters, lm, alpha, beta, **settings)


@pytest.fixture(scope="module")
def trained_logits(trained_bilstm):
    """The trained model's logits of its utterances, and an LM of their texts."""
    from speech_lstm.inference.chunking import ChunkingConfig
    from speech_lstm.inference.logits import LogitComputer
    from speech_lstm.inference.model_dir import load_model_dir
    from speech_lstm.inference.pipeline import LogitPipeline

    trained = load_model_dir(trained_bilstm.model_dir)
    computer = LogitComputer(trained.acoustic_model, trained.model_config.subsampling)
    pipeline = LogitPipeline(trained.features, computer, chunking=ChunkingConfig(0))
    logits = []
    for batch in pipeline.batches(trained_bilstm.audio_paths, 16):
        logits += [row[: int(n)] for row, n in zip(batch.logits, batch.lengths)]
    lm = build_ngram_lm(trained_bilstm.texts + EXTRA_LM_TEXT, order=3)
    return trained.vocabulary.characters, ArrayLM.from_ngram_lm(lm), logits


@pytest.mark.parametrize(
    "options", OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items())
)
def test_same_transcripts_as_the_reference_on_real_logits(trained_logits, options):
    characters, lm, logits = trained_logits
    reference, compiled = searches(characters, lm, options)
    # The model's own logits are confident; flattened ones (x 0.3) give many candidates
    # per step, so that the ranking and the pruning matter.
    rows = logits[:12] + [row * 0.3 for row in logits[:12]]
    assert [compiled.decode(r) for r in rows] == [reference.decode(r) for r in rows]


@pytest.mark.parametrize("options", OPTIONS[1:4], ids=str)
def test_same_transcripts_as_the_reference_on_noise(options):
    vocabulary = Vocabulary()
    lm = ArrayLM.from_ngram_lm(build_ngram_lm(["the cat sat", "a cat sat down", "the dog"] * 2))
    reference, compiled = searches(vocabulary.characters, lm, options)
    rng = np.random.default_rng(7)
    for _ in range(10):
        logits = rng.normal(size=(40, vocabulary.size)) * 4
        assert compiled.decode(logits) == reference.decode(logits)
    assert compiled.decode(np.zeros((0, vocabulary.size))) == ""
