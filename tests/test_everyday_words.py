"""Everyday English coverage: the 3,000 most frequent words are spoken in training and known
to the LM, and the LM built from the corpus's LM text knows held-out everyday prose."""

from importlib.metadata import version
from pathlib import Path

import pytest

from speech_lstm.decoding.lm import build_ngram_lm, read_lm_text
from speech_lstm.evaluation.lm_text_coverage import lm_coverage
from speech_lstm.synthetic.config import HELDOUT_PROSE, SplitConfig, SyntheticConfig
from speech_lstm.synthetic.corpus import plan_split, write_lm_text
from speech_lstm.synthetic.everyday import EverydaySentences, everyday_words
from speech_lstm.synthetic.everyday_frames import CLOSED_FRAMES
from speech_lstm.synthetic.everyday_words import WORDFREQ_VERSION
from speech_lstm.synthetic.sentences import distinct_words
from speech_lstm.text import read_sentences
from tests.conftest import compose

WORDS = everyday_words()


def test_the_list_holds_3000_words_each_with_a_role():
    assert len(WORDS) == 3000 and all(WORDS.values())
    assert all(word in CLOSED_FRAMES[word].split() for word in WORDS if WORDS[word] == "c")
    assert {"for", "all", "be", "been", "had", "if", "about", "again", "down", "end"} <= set(WORDS)


def test_the_committed_list_is_what_wordfreq_and_wordnet_give():
    pytest.importorskip("wordfreq")
    from speech_lstm.synthetic.wordlist import build_roles

    assert version("wordfreq") == WORDFREQ_VERSION
    words, roles = build_roles()
    assert list(WORDS) == words and roles == WORDS


def test_everyday_sentences_are_deterministic_and_hold_every_word():
    sentences = EverydaySentences(5).sentences()
    assert sentences == EverydaySentences(5).sentences() != EverydaySentences(6).sentences()
    assert set(WORDS) <= distinct_words(sentences)
    assert all(3 <= len(s.split()) <= 16 for s in sentences)


@pytest.mark.parametrize("experiment", [[], ["experiment=synthetic_large"]])
def test_train_split_speaks_every_everyday_word(tmp_path, experiment):
    data = compose("train", experiment).data.synthetic
    splits = {name: SplitConfig(**split) for name, split in data.splits.items()}
    config = SyntheticConfig(splits=splits, everyday_words=data.everyday_words)
    requests = plan_split("train", splits["train"], config, tmp_path, set())
    assert set(WORDS) <= distinct_words(r.text for r in requests)


def test_lm_text_knows_every_everyday_word_and_heldout_prose(tmp_path):
    config = SyntheticConfig(
        lm_sentences=500, everyday_words=3000, lm_prose=["wordnet", "fortunes"]
    )
    write_lm_text(config, tmp_path / "lm_text.txt", {})
    lm = build_ngram_lm(read_lm_text(tmp_path / "lm_text.txt", " abcdefghijklmnopqrstuvwxyz'"), 1)
    assert set(WORDS) <= lm.words
    coverage = lm_coverage(lm, read_sentences(HELDOUT_PROSE))
    assert coverage.words > 3000 and coverage.oov_rate <= 0.01, coverage.oov_words


def test_unknown_prose_source_is_rejected():
    with pytest.raises(ValueError, match="Unknown LM prose sources"):
        write_lm_text(SyntheticConfig(lm_sentences=1, lm_prose=["gcide"]), Path("unused"), {})
