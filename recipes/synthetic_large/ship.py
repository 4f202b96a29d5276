"""Packs a finished synthetic_large run as a shipped model: `models/<name>/` in the repository.

Usage: python -m recipes.synthetic_large.ship OUT DEST [CORPUS_JSON]
(CORPUS_JSON: the corpus's corpus.json, default data/synthetic_large/corpus.json)
Copies the model directory of `OUT/train/model` (weights, vocabulary, feature and model
settings, training.json) into DEST, its LM compressed with xz (`lm.arpa.xz`, read as it is by
`load_model_dir`), and writes DEST/MODEL_CARD.md from what the run recorded: the corpus's
voices, the training command, the commit, the WER per TTS family (OUT/summary.md's table) and
the time it took. A run fine-tuned from a shipped model takes the earlier stages' commands,
families and minutes from that model's card. DEST is replaced whole, or left as it was if
anything fails.
"""

from __future__ import annotations

import json
import lzma
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from recipes.summary import load_json, read_seconds
from recipes.synthetic_large.summarize import (
    EVERYDAY_SPLIT,
    everyday_table,
    family_table,
    load_reports,
    load_search_reports,
    search_factors,
    warp_search_setting,
)
from speech_lstm.atomic import atomic_directory
from speech_lstm.evaluation.number_words import integer_to_words
from speech_lstm.synthetic.config import SHARED_FAMILIES

MODEL_FILES = ("model.keras", "vocabulary.json", "features.json", "model.json", "training.json")
LIMITS = """\
- Trained on synthetic speech only (the TTS voices above); never on recordings of people,
  and it does not recognise them: on FSDD's 200 test recordings (four speakers saying single
  digits, takes 0-4, 8 kHz), the stage-8 model scored a WER above 100% (101.5% greedy,
  100.5% with the LM, 101.0% with the LM and warp search). Fine-tune it on your own data
  (`trainer.init_from=` this folder; see docs/adaptation.md).
- English only; lower-case letters, space and apostrophe. Digits and symbols are not
  transcribed as such (say "twenty", not "20").
- Utterances of a few seconds, read at 140-210 words per minute; long files are cut at quiet
  points into chunks of at most 20 s (`chunk_seconds`).
- The LM's vocabulary (see its word count above) is what beam_lm prefers; other words are
  possible through the unknown-word path but come out less reliably.
- Everyday English is much harder for it than the generated sentences it trained on and is
  tested on: compare the everyday-English table with the test split's, where both are
  above."""


def corpus_voices(corpus_json: Path) -> dict[str, list[str]]:
    """The voices of each split of the generated corpus, as `engine:voice` names."""
    splits = load_json(corpus_json)["config"]["splits"]
    return {split: split_voices(settings) for split, settings in splits.items()}


def split_voices(settings: Mapping[str, Any]) -> list[str]:
    """A split's voices (`data.synthetic.splits.<split>`), as `engine:voice` names."""
    names = [f"espeak-ng:{a}+variants" for a in settings.get("espeak_accents", [])]
    for family in SHARED_FAMILIES:
        names += [f"{family}:{v}" for v in settings.get(f"{family}_voices", [])]
    return names


def stage_families(run: Path) -> str:
    """The TTS families a stage's training split had: from the run's Hydra config, else from
    the data config at the commit its `training.json` records; "not recorded" without both."""
    hydra_config = run / ".hydra" / "config.yaml"
    if hydra_config.is_file():
        train = OmegaConf.load(hydra_config).data.synthetic.splits.train
    else:
        metadata_path = run / "model" / "training.json"
        metadata = load_json(metadata_path) if metadata_path.is_file() else {}
        commit = (metadata.get("environment", {}).get("source") or {}).get("commit")
        shown = subprocess.run(
            ["git", "show", f"{commit}:speech_lstm/conf/data/synthetic_large.yaml"],
            capture_output=True,
            text=True,
            check=False,
        )
        if not commit or shown.returncode:
            return "not recorded (its run folder kept no config)"
        train = OmegaConf.create(shown.stdout).synthetic.splits.train
    families = dict.fromkeys(name.split(":")[0] for name in split_voices(train))
    return ", ".join(families)


def training_command(run_dir: Path) -> str:
    """`python scripts/train.py <overrides>` as Hydra recorded the run's overrides."""
    overrides_path = run_dir / ".hydra" / "overrides.yaml"
    overrides = []
    if overrides_path.is_file():
        overrides = [
            line.removeprefix("- ").strip()
            for line in overrides_path.read_text().splitlines()
            if line.startswith("- ") and not line.startswith("- hydra.")
        ]
    return " ".join(["python scripts/train.py", *overrides])


def earlier_stages(metadata: dict[str, Any]) -> tuple[list[Path], Path | None]:
    """The run directories a run was fine-tuned from (`trainer.init_from` = `<run>/model`),
    earliest first, as far as their `training.json` files are still there; and the shipped
    model (a folder with a MODEL_CARD.md) the earliest of them started from, if one did."""
    stages: list[Path] = []
    while metadata.get("init_from"):
        start = Path(metadata["init_from"])
        if (start / "MODEL_CARD.md").is_file():
            return stages, start
        run = start.parent
        stages.insert(0, run)
        path = run / "model" / "training.json"
        metadata = json.loads(path.read_text()) if path.is_file() else {}
    return stages, None


def shipped_history(model_dir: Path | None) -> tuple[list[str], list[str], float]:
    """What a shipped model's card says of its own stages: each stage's training families,
    its training commands and its minutes of training; nothing without a shipped model."""
    if model_dir is None:
        return [], [], 0.0
    lines = (model_dir / "MODEL_CARD.md").read_text(encoding="utf-8").splitlines()
    families = [line.split(". ", 1)[1] for line in lines if re.match(r"\d+\. ", line)]
    recipe = lines[lines.index("## Recipe") + 2 :]
    commands = [
        line for line in recipe[: recipe.index("```")] if line.startswith("python scripts/train.py")
    ]
    minutes = re.search(r"(\d+) min on 2 CPU cores in all", "\n".join(lines))
    return families or ["not recorded"], commands, float(minutes.group(1)) if minutes else 0.0


def model_card(out: Path, dest: Path, corpus_json: Path) -> str:
    """The card's Markdown, from the run's files (nothing typed in by hand but the limits)."""
    metadata: dict[str, Any] = load_json(out / "train" / "model" / "training.json")
    model = metadata["model"]
    source = metadata.get("environment", {}).get("source") or {}
    greedy, beam_lm = load_reports(out)
    search_reports = load_search_reports(out)
    voices = corpus_voices(corpus_json)
    stages, shipped = earlier_stages(metadata)
    shipped_families, shipped_commands, shipped_minutes = shipped_history(shipped)
    seconds = [read_seconds(run.parent / "train_seconds") or 0 for run in [*stages, out / "train"]]
    train_minutes = shipped_minutes + sum(seconds) / 60
    families = [*shipped_families, *(stage_families(run) for run in [*stages, out / "train"])]
    weights_mb = (out / "train" / "model" / "model.keras").stat().st_size / 1e6
    lm = metadata.get("lm") or {}
    lines = [
        f"# {dest.name}: English BiLSTM-CTC trained on synthetic speech",
        "",
        "Transcribe with it, no training first:",
        "",
        "```bash",
        f"speech-lstm transcribe model_dir={_relative(dest)} input=recording.wav "
        "output=recording.jsonl decoder=beam_lm",
        "```",
        "",
        *_search_hint(search_factors(search_reports)),
        "## Model",
        "",
        f"- {model['num_layers']} x {model['units']} bidirectional LSTM, "
        f"{model['subsampling']} MFCC frames per step, CTC over characters; "
        f"weights {weights_mb:.1f} MB (float32, `model.keras`).",
        f"- Word LM: {lm.get('order', '?')}-gram, {lm.get('words', '?')} words "
        "(`lm.arpa.xz`: the training transcripts plus the corpus's LM text: generated "
        "sentences, WordNet examples and fortune files).",
        *[f"- Trained in {len(families)} stages, each from the weights of the one before."]
        * (len(families) > 1),
        f"- Trained {metadata.get('epochs_run')} epoch(s), best dev WER "
        f"{100 * (metadata.get('best_dev_wer') or 0):.2f}% (greedy, epoch "
        f"{metadata.get('best_epoch')}), {train_minutes:.0f} min on 2 CPU cores in all "
        "(feature computation included).",
        f"- Source commit: `{source.get('commit', 'unknown')}`"
        + (" (with uncommitted changes)" if source.get("dirty") else "")
        + f"; created {metadata.get('created', '?')}.",
        "",
        "## Training data",
        "",
        "The synthetic_large corpus (`conf/data/synthetic_large.yaml`), generated locally by "
        "text-to-speech, with speed, noise and vocal-tract-length copies:",
        "",
        *[f"- {split}: {', '.join(names)}" for split, names in voices.items()],
        "",
        "Test voices never occur in training; festival's whole family is held out.",
        *[
            "",
            "The training split's TTS families in each stage (the last is the corpus above):",
            "",
            *[f"{number}. {names}" for number, names in enumerate(families, start=1)],
        ]
        * (len(families) > 1),
        "",
        "## Recipe",
        "",
        "```bash",
        "bash recipes/synthetic_large/run.sh OUT <overrides>   # generate, train, evaluate",
        *shipped_commands,
        *[training_command(run) for run in stages],
        training_command(out / "train"),
        f"python -m recipes.synthetic_large.ship OUT {_relative(dest)}",
        "```",
        "",
        "## Word error rate on the test split (voices never heard in training)",
        "",
        family_table(greedy, beam_lm, search_reports),
        "",
        *everyday_section(out),
        "## Known limits",
        "",
        LIMITS,
        "",
    ]
    return "\n".join(lines)


def everyday_section(out: Path) -> list[str]:
    """The card's lines on test_everyday (the held-out prose), none when the run did not score
    it."""
    table = everyday_table(out)
    if table is None:
        return []
    return [
        "## Word error rate on everyday English (the same unseen voices)",
        "",
        f"{EVERYDAY_SPLIT}.",
        "",
        table,
        "",
    ]


def _search_hint(factors: list[float]) -> list[str]:
    """The card's paragraph on the warp search the run was evaluated with (none without)."""
    if not factors:
        return []
    readings = integer_to_words(len(factors) + 1)
    return [
        f"For voices unlike its training voices, add `{warp_search_setting(factors)}`: each "
        f"segment is read at {readings} vocal-tract warps and the reading the model is surest "
        f"of is decoded, for {readings} forward passes instead of one (docs/transcription.md).",
        "",
    ]


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def ship(out: Path, dest: Path, corpus_json: Path) -> Path:
    """Writes the shipped model folder `dest` from the run in `out`."""
    source = out / "train" / "model"
    with atomic_directory(dest) as partial:
        for name in MODEL_FILES:
            shutil.copy2(source / name, partial / name)
        with (
            (source / "lm.arpa").open("rb") as arpa,
            lzma.open(partial / "lm.arpa.xz", "wb", preset=9) as packed,
        ):
            shutil.copyfileobj(arpa, packed)
        card = model_card(out, dest, corpus_json)
        (partial / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    return dest


def main(argv: Sequence[str]) -> None:
    """`ship OUT DEST [CORPUS_JSON]` (default corpus: data/synthetic_large/corpus.json)."""
    if len(argv) not in (2, 3):
        raise SystemExit(__doc__)
    corpus_json = Path(argv[2] if len(argv) == 3 else "data/synthetic_large/corpus.json")
    dest = ship(Path(argv[0]), Path(argv[1]), corpus_json)
    print(json.dumps({"shipped": str(dest), "files": sorted(p.name for p in dest.iterdir())}))


if __name__ == "__main__":
    main(sys.argv[1:])
