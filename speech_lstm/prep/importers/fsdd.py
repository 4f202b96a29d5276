"""Free Spoken Digit Dataset: `recordings/{digit}_{speaker}_{take}.wav`, the digit's word.

The dataset's own convention puts takes 0-4 of every digit and speaker in the test set and
takes 5-49 in training, so both sets hear every speaker. `held_out_speaker` instead trains on
all takes of the other speakers and tests on all takes of one, to measure unseen voices.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from speech_lstm.prep.importers.base import SourceUtterance, require_dir

log = logging.getLogger(__name__)

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
SPLITS = ("train", "dev", "test", "all")
FIRST_TRAIN_TAKE = 5
_FILE_NAME = re.compile(r"^(\d)_([A-Za-z0-9]+)_(\d+)\.wav$")


@dataclass
class FsddConfig:
    """Options of the FSDD importer.

    Attributes:
        name: the importer's name in `conf/dataset/`.
        split: `train`, `dev`, `test` or `all`.
        held_out_speaker: null for the dataset's take-based split (takes 0-4 test, 5-49
            train); a speaker name for a speaker-held-out split (`test` = all of that
            speaker's takes, `train` = all takes of the others).
        dev_takes: the first `dev_takes` of the takes that would be `train` form `dev` and
            leave `train`, so model selection never sees the test files nor the training
            files: takes 5..4+dev_takes of every speaker in the take-based split, takes
            0..dev_takes-1 of every other speaker with `held_out_speaker`.
        test_takes: with `held_out_speaker`, `[first, last]`: `test` keeps only these takes
            of the held-out speaker (both included). Two halves let one be transcribed for
            unsupervised adaptation while the other is scored; null keeps all.
        train_speakers: null for every speaker; a list of speaker names keeps only those in
            `train` and `dev` (never the held-out speaker), to measure what each added
            training speaker buys. `test` is unchanged.
    """

    name: str = "fsdd"
    split: str = "train"
    held_out_speaker: str | None = None
    dev_takes: int = 0
    test_takes: list[int] | None = None
    train_speakers: list[str] | None = None

    def __post_init__(self) -> None:
        if self.train_speakers is not None and (
            not self.train_speakers or self.held_out_speaker in self.train_speakers
        ):
            raise ValueError(
                "train_speakers must name at least one speaker and not the held-out one. "
                f"Received: {self.train_speakers} with held_out_speaker={self.held_out_speaker!r}"
            )
        if self.test_takes is not None and self.held_out_speaker is None:
            raise ValueError("test_takes needs held_out_speaker (the speaker whose takes it picks)")
        if self.test_takes is not None and (
            len(self.test_takes) != 2 or not 0 <= self.test_takes[0] <= self.test_takes[1]
        ):
            raise ValueError(
                f"test_takes must be [first, last] with 0 <= first <= last. "
                f"Received: {self.test_takes}"
            )


@dataclass(frozen=True)
class _Recording:
    digit: int
    speaker: str
    take: int
    path: Path


def read_fsdd(source: Path, config: FsddConfig) -> list[SourceUtterance]:
    """Lists the recordings of the requested split, sorted by speaker, digit and take.

    Args:
        source: the dataset folder (holding `recordings/`) or the `recordings/` folder itself.
        config: split options.

    Returns:
        One utterance per recording: text is the digit's English word, speaker the speaker name.
    """
    if config.split not in SPLITS:
        raise ValueError(f"FSDD split must be one of {SPLITS}. Received: {config.split!r}")
    if config.split == "dev" and config.dev_takes < 1:
        raise ValueError(f"FSDD split=dev needs dev_takes >= 1. Received: {config.dev_takes}")
    recordings = _list_recordings(source)
    speakers = sorted({recording.speaker for recording in recordings})
    if config.held_out_speaker is not None and config.held_out_speaker not in speakers:
        raise ValueError(
            f"held_out_speaker must be one of the dataset's speakers {speakers}. "
            f"Received: {config.held_out_speaker!r}"
        )
    unknown = sorted(set(config.train_speakers or ()) - set(speakers))
    if unknown:
        raise ValueError(
            f"train_speakers must be speakers of the dataset {speakers}. Received: {unknown}"
        )
    chosen = [r for r in recordings if _in_split(r, config)]
    chosen.sort(key=lambda r: (r.speaker, r.digit, r.take))
    return [SourceUtterance(r.path.stem, r.path, DIGIT_WORDS[r.digit], r.speaker) for r in chosen]


def _list_recordings(source: Path) -> list[_Recording]:
    folder = source / "recordings" if (source / "recordings").is_dir() else source
    require_dir(folder, "the FSDD folder (or its recordings/ folder)")
    recordings, unexpected = [], []
    for path in sorted(folder.glob("*.wav")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            unexpected.append(path.name)
            continue
        digit, speaker, take = match.groups()
        recordings.append(_Recording(int(digit), speaker, int(take), path))
    if unexpected:
        log.warning(
            "Skipped %d .wav files not named {digit}_{speaker}_{take}.wav, e.g. %s",
            len(unexpected),
            unexpected[:3],
        )
    if not recordings:
        raise ValueError(
            f"No FSDD recordings named {{digit}}_{{speaker}}_{{take}}.wav in {folder}. "
            f"Received: {len(unexpected)} other .wav files"
        )
    return recordings


def _in_split(recording: _Recording, config: FsddConfig) -> bool:
    if config.split == "all":
        return True
    if config.held_out_speaker is None:
        if recording.take < FIRST_TRAIN_TAKE:
            return config.split == "test"
        is_dev = recording.take < FIRST_TRAIN_TAKE + config.dev_takes
    elif recording.speaker == config.held_out_speaker:
        first, last = config.test_takes or (0, recording.take)
        return config.split == "test" and first <= recording.take <= last
    else:
        is_dev = recording.take < config.dev_takes
    if config.train_speakers is not None and recording.speaker not in config.train_speakers:
        return False
    return config.split == ("dev" if is_dev else "train")
