"""The recipes' summary steps on small hand-made run folders: no training, known answers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from recipes.demo.summarize import demo_summary
from recipes.fsdd.summarize import summary_table as fsdd_table
from recipes.fsdd_adapt.summarize import summary_table as adapt_table
from recipes.fsdd_speaker_count.choices import fsdd_speakers, speaker_choices
from recipes.fsdd_speaker_count.summarize import summary_table as speaker_count_table
from recipes.summary import load_json, markdown_table, pooled_wer, read_seconds
from recipes.synthetic_large import summarize as synthetic_large
from recipes.synthetic_large.ship import (
    _search_hint,
    earlier_stages,
    everyday_section,
    shipped_history,
    stage_families,
)
from recipes.synthetic_large.summarize import summary as synthetic_large_summary
from recipes.synthetic_large.summarize import target_line
from tests.conftest import ROOT


def write_json(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))


def write_report(path: Path, errors: int, n_words: int, **more) -> None:
    """A report.json as scripts/evaluate.py writes it, with the fields the summaries read."""
    report = {"errors": errors, "n_words": n_words, "wer": errors / n_words, "cer": 0.0}
    write_json(path / "report.json", {"n_utterances": n_words, **report, **more})


def write_seconds(path: Path, seconds: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{seconds}\n")


def test_markdown_table_aligns_numbers_and_writes_empty_cells():
    table = markdown_table(["name", "n", "note"], [["a", "1", ""]], numeric=[False, True, False])
    assert table == "| name | n | note |\n|---|---:|---|\n| a | 1 | |"
    with pytest.raises(ValueError, match="A row of 2 cells in a table of 3"):
        markdown_table(["name", "n", "note"], [["a", "1"]], numeric=[False, True, False])


def test_pooled_wer_weighs_reports_by_their_words():
    assert pooled_wer([{"errors": 1, "n_words": 10}, {"errors": 9, "n_words": 30}]) == 0.25
    with pytest.raises(ValueError, match="No reference word"):
        pooled_wer([{"errors": 0, "n_words": 0}])


def test_missing_files_name_the_step(tmp_path):
    with pytest.raises(ValueError, match="No report.json at .*eval/report.json: its step"):
        load_json(tmp_path / "eval" / "report.json")
    assert read_seconds(tmp_path / "train_seconds") is None


def test_fsdd_summary_has_a_row_per_speaker_in_the_order_given(tmp_path):
    for speaker, greedy_errors, lm_errors, seconds in (
        ("jackson", 50, 25, 512),
        ("george", 100, 40, 498),
    ):
        write_report(tmp_path / speaker / "eval_greedy", greedy_errors, 500, cer=0.1)
        write_report(tmp_path / speaker / "eval_beam_lm", lm_errors, 500)
        write_seconds(tmp_path / speaker / "train" / "train_seconds", seconds)
    table = fsdd_table(tmp_path, ["jackson", "george"]).splitlines()
    assert table[0].startswith("| held-out speaker | test utts | WER greedy | WER beam_lm |")
    assert table[2:] == [
        "| jackson | 500 | 10.00% | 5.00% | 10.00% | 512 |",
        "| george | 500 | 20.00% | 8.00% | 10.00% | 498 |",
    ]


def make_adapted_half(half: Path, base_errors: int, round_errors: list[int]) -> None:
    """One scored half (250 recordings, one word each) through len(round_errors) rounds, with
    two fine-tuned members per round (100 and 200 s)."""
    write_report(half / "eval_base", base_errors, 250)
    for number, errors in enumerate(round_errors, start=1):
        step = half / f"round_{number}"
        write_report(step / "eval", errors, 250)
        labels = {"rows": 250, "kept": 200, "checked": 200, "correct": 196 + number}
        write_json(step / "pseudo_label" / "summary.json", labels)
        write_seconds(step / "train" / "train_seconds", 100)
        write_seconds(step / "train_2" / "train_seconds", 200)


def test_adapt_summary_pools_the_halves_and_averages_the_speakers(tmp_path):
    make_adapted_half(tmp_path / "george" / "adapt_cross" / "test_0-24", 20, [10, 5])
    make_adapted_half(tmp_path / "george" / "adapt_cross" / "test_25-49", 30, [20, 15])
    make_adapted_half(tmp_path / "nicolas" / "adapt_cross" / "test_0-24", 10, [5, 5])
    make_adapted_half(tmp_path / "nicolas" / "adapt_cross" / "test_25-49", 10, [5, 5])
    table = adapt_table(tmp_path, 2, "cross", ["george", "nicolas"]).splitlines()
    assert table[0] == (
        "| held-out speaker | WER base | WER round 1 | WER round 2 | labels kept (last round) "
        "| their accuracy | fine-tune s |"
    )
    assert table[1] == "|---|---:|---:|---:|---:|---:|---:|"
    # george: (20 + 30) / 500 errors; labels of round 2 over both halves: 396 of 400 checked
    # right; 2 halves x 2 rounds x (100 + 200) s.
    assert table[2] == "| george | 10.00% | 6.00% | 4.00% | 400 of 500 | 99.0% | 1200 |"
    assert table[3] == "| nicolas | 4.00% | 2.00% | 2.00% | 400 of 500 | 99.0% | 1200 |"
    assert table[4] == "| mean | 7.00% | 4.00% | 3.00% | | | |"
    # Only the rounds asked for: round 2's labels are not read for a one-round table.
    assert "| george | 10.00% | 6.00% | 400 of 500 | 98.5% | 600 |" in adapt_table(
        tmp_path, 1, "cross", ["george"]
    )


def test_adapt_summary_refuses_a_speaker_without_adaptation(tmp_path):
    with pytest.raises(ValueError, match="No adaptation of george"):
        adapt_table(tmp_path, 2, "self", ["george"])


def test_adapt_summary_without_checked_labels_says_n_a(tmp_path):
    half = tmp_path / "george" / "adapt_self" / "test_0-49"
    make_adapted_half(half, 20, [10])
    write_json(
        half / "round_1" / "pseudo_label" / "summary.json",
        dict.fromkeys(("rows", "kept", "checked", "correct"), 0),
    )
    assert "| 0 of 0 | n/a |" in adapt_table(tmp_path, 1, "self", ["george"])


def test_speaker_choices_leave_the_held_out_speaker_out(tmp_path):
    for name in ("0_george_0", "1_jackson_3", "2_nicolas_0", "0_yweweler_1"):
        (tmp_path / "recordings").mkdir(exist_ok=True)
        (tmp_path / "recordings" / f"{name}.wav").touch()
    speakers = fsdd_speakers(tmp_path)
    assert speakers == ["george", "jackson", "nicolas", "yweweler"]
    assert speaker_choices(speakers, "jackson", 2) == [
        ("george", "nicolas"),
        ("george", "yweweler"),
        ("nicolas", "yweweler"),
    ]
    assert speaker_choices(speakers, "jackson", 3) == [("george", "nicolas", "yweweler")]
    with pytest.raises(ValueError, match="4 is not between 1 and 3"):
        speaker_choices(speakers, "jackson", 4)


def test_speaker_count_summary_lists_every_run_then_the_means(tmp_path):
    for count, choice, speaker, greedy, lm in (
        (1, "george", "jackson", 30, 20),
        (1, "nicolas", "jackson", 20, 10),
        (2, "george_nicolas", "jackson", 10, 5),
    ):
        run = tmp_path / f"n{count}" / choice / speaker
        write_report(run / "eval_greedy", greedy, 100)
        write_report(run / "eval_beam_lm", lm, 100)
        write_seconds(run / "train" / "train_seconds", 400 + count)
    unfinished = tmp_path / "n2" / "george_yweweler" / "jackson" / "eval_greedy"
    write_report(unfinished, 1, 100)  # no beam_lm report yet: not a run to count
    assert speaker_count_table(tmp_path, [1, 2, 3]).splitlines()[2:] == [
        "| george | 1 | jackson | 30.00% | 20.00% | 401 |",
        "| nicolas | 1 | jackson | 20.00% | 10.00% | 401 |",
        "| george, nicolas | 2 | jackson | 10.00% | 5.00% | 402 |",
        "| mean of 2 runs | 1 | | 25.00% | 15.00% | |",
        "| mean of 1 runs | 2 | | 10.00% | 5.00% | |",
    ]


def test_synthetic_large_summary_scores_each_tts_family(tmp_path):
    by_speaker = [
        {"name": "espeak-ng:en-us+m5", "n_utterances": 10, "n_words": 100, "errors": 5},
        {"name": "festival:kal_diphone", "n_utterances": 5, "n_words": 50, "errors": 20},
        {"name": "festival:ked_diphone", "n_utterances": 5, "n_words": 50, "errors": 10},
    ]
    write_report(tmp_path / "eval_greedy", 35, 200, n_utterances=20, by_speaker=by_speaker)
    write_seconds(tmp_path / "train_seconds", 9000)
    lines = synthetic_large_summary(tmp_path, 9600).splitlines()
    assert lines[2:5] == [
        "| espeak-ng | 10 | 5.00% | - |",
        "| festival (whole family held out) | 10 | 30.00% | - |",
        "| all | 20 | **17.50%** (CER 0.00%) | **-** |",
    ]
    by_speaker[1]["errors"], by_speaker[2]["errors"] = 4, 3
    write_report(tmp_path / "eval_beam_lm", 9, 200, n_utterances=20, by_speaker=by_speaker)
    lines = synthetic_large_summary(tmp_path, 9600).splitlines()
    assert lines[3:5] == [
        "| festival (whole family held out) | 10 | 30.00% | 7.00% |",
        "| all | 20 | **17.50%** (CER 0.00%) | **4.50%** |",
    ]
    assert lines[-1] == (
        "Time: generation -, training 150.0 min, evaluation -; this run 160.0 min in all."
    )
    assert synthetic_large.search_factors(synthetic_large.load_search_reports(tmp_path)) == []
    assert _search_hint([]) == []
    by_speaker[1]["errors"] = 2
    searched = {"warp_search": [0.9, 1.15]}  # as evaluate.py records its settings
    write_report(
        tmp_path / "eval_greedy_search",
        30,
        200,
        n_utterances=20,
        by_speaker=by_speaker,
        config=searched,
    )
    factors = synthetic_large.search_factors(synthetic_large.load_search_reports(tmp_path))
    assert synthetic_large.warp_search_setting(factors) == "warp_search=[0.9,1.15]"
    assert "add `warp_search=[0.9,1.15]`: each segment is read at three vocal-tract" in " ".join(
        _search_hint(factors)
    )
    lines = synthetic_large_summary(tmp_path, 9600).splitlines()
    assert lines[0].endswith("| WER greedy | WER LM | greedy, warp search | LM, warp search |")
    assert lines[3:5] == [
        "| festival (whole family held out) | 10 | 30.00% | 7.00% | 5.00% | - |",
        "| all | 20 | **17.50%** (CER 0.00%) | **4.50%** | **15.00%** | **-** |",
    ]
    assert target_line(0.175) == "Targets on the held-out festival family: greedy <= 20%: met."
    assert target_line(0.2001, 0.07) == (
        "Targets on the held-out festival family: greedy <= 20%: not met; LM <= 10%: met."
    )


def test_synthetic_large_summary_adds_the_everyday_split_when_scored(tmp_path):
    by_speaker = [
        {"name": "espeak-ng:en-us+m6", "n_utterances": 10, "n_words": 100, "errors": 10},
        {"name": "festival:kal_diphone", "n_utterances": 10, "n_words": 100, "errors": 40},
    ]
    write_report(tmp_path / "eval_greedy", 50, 200, n_utterances=20, by_speaker=by_speaker)
    assert "Everyday English" not in synthetic_large_summary(tmp_path, 60)
    assert everyday_section(tmp_path) == []  # the model card says nothing of it either
    by_speaker[1]["errors"] = 60
    write_report(tmp_path / "eval_everyday_greedy", 70, 200, n_utterances=20, by_speaker=by_speaker)
    by_speaker[1]["errors"] = 30
    write_report(
        tmp_path / "eval_everyday_beam_lm", 40, 200, n_utterances=20, by_speaker=by_speaker
    )
    lines = synthetic_large_summary(tmp_path, 60).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Everyday English"))
    assert lines[start + 5 : start + 7] == [
        "| festival (whole family held out) | 10 | 60.00% | 30.00% |",
        "| all | 20 | **35.00%** (CER 0.00%) | **20.00%** |",
    ]
    assert lines[3] == "| festival (whole family held out) | 10 | 40.00% | - |"  # test as it was
    card = "\n".join(everyday_section(tmp_path))
    assert card.startswith("## Word error rate on everyday English")
    assert "| festival (whole family held out) | 10 | 60.00% | 30.00% |" in card


def test_demo_summary_reports_both_decoders(tmp_path):
    write_report(tmp_path / "eval", 9, 100, n_utterances=300, cer=0.04)
    write_report(tmp_path / "eval_greedy", 40, 100)
    lines = demo_summary(tmp_path, 905).splitlines()
    assert lines[0] == "Demo finished in 15 min 5 s."
    assert "300 utterances" in lines[1]
    assert lines[2] == "  beam search + trigram LM: WER 9.00%  CER 4.00%"
    assert lines[3] == "  greedy decoding:          WER 40.00%  CER 0.00%"
    assert lines[4].startswith("Report:")


def test_demo_summary_adds_the_everyday_split_when_evaluated(tmp_path):
    write_report(tmp_path / "eval", 9, 100, n_utterances=300)
    write_report(tmp_path / "eval_greedy", 40, 100)
    write_report(tmp_path / "eval_everyday_beam_lm", 20, 100, n_utterances=245)
    write_report(tmp_path / "eval_everyday_greedy", 55, 100)
    lines = demo_summary(tmp_path, 905).splitlines()
    assert lines[4].startswith("Everyday English") and "245 utterances" in lines[4]
    assert lines[5] == "  beam search + trigram LM: WER 20.00%  CER 0.00%"
    assert lines[6] == "  greedy decoding:          WER 55.00%  CER 0.00%"


DATA_CONFIG = ROOT / "speech_lstm" / "conf" / "data" / "synthetic_large.yaml"


def test_the_model_card_names_each_stages_training_families(tmp_path, monkeypatch):
    hydra_run = tmp_path / "hydra" / "train"
    (hydra_run / ".hydra").mkdir(parents=True)
    splits = {"train": {"espeak_accents": ["en-us"], "kokoro_voices": ["jm_kumo"]}}
    (hydra_run / ".hydra" / "config.yaml").write_text(
        json.dumps({"data": {"synthetic": {"splits": splits}}})  # JSON is YAML
    )
    assert stage_families(hydra_run) == "espeak-ng, kokoro"
    monkeypatch.chdir(ROOT)  # where `git show` finds the commit's data config
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    committed = tmp_path / "committed" / "train"
    write_json(
        committed / "model" / "training.json",
        {"environment": {"source": {"commit": head.stdout.strip()}}},
    )
    train = yaml.safe_load(DATA_CONFIG.read_text())["synthetic"]["splits"]["train"]
    expected = ["espeak-ng"] + [f for f in ("flite", "piper", "kokoro") if train.get(f"{f}_voices")]
    assert stage_families(committed) == ", ".join(expected)
    assert stage_families(tmp_path / "lost" / "train").startswith("not recorded")


SHIPPED = ROOT / "models" / "en-synthetic-bilstm"


def test_a_stage_fine_tuned_from_the_shipped_model_keeps_the_cards_history(tmp_path):
    """A run started from a shipped model (`trainer.init_from=models/...`) has no run folders
    behind it: the earlier stages' families, commands and minutes come from that card."""
    run = tmp_path / "stage" / "train"
    write_json(run / "model" / "training.json", {"init_from": str(tmp_path / "stage0" / "model")})
    write_json(tmp_path / "stage0" / "model" / "training.json", {"init_from": str(SHIPPED)})
    metadata = load_json(run / "model" / "training.json")
    assert earlier_stages(metadata) == ([tmp_path / "stage0"], SHIPPED)
    families, commands, minutes = shipped_history(SHIPPED)
    card = (SHIPPED / "MODEL_CARD.md").read_text()
    stages = int(card.split("- Trained in ", 1)[1].split(" stages")[0])
    assert len(families) == len(commands) == stages
    assert all(command.startswith("python scripts/train.py experiment=") for command in commands)
    assert families[-1].startswith("espeak-ng, flite") and minutes > 60
    assert shipped_history(None) == ([], [], 0.0)
