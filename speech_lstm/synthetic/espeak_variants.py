"""Random espeak-ng voice variants: voice randomisation for the synthetic training split.

An espeak-ng variant (`en-us+m3`) is a small text file of formant, pitch, voicing and
breathiness settings. A model trained on a few dozen named variants still fails on unseen
ones, so the training split can also speak with variants drawn at random from the same
parameter space. Dev and test keep the named variants that training never uses.

espeak-ng only reads variants from its data folder, so the random ones go into a private copy
of that folder (symbolic links to the system's languages plus the generated variant files),
which `espeak-ng --path` then points at for the voices that use them. espeak-ng lists at most
349 voice files and the system's languages take 131 of them, hence MAX_RANDOM_VARIANTS.
"""

from __future__ import annotations

import hashlib
import random
import re
import subprocess
from pathlib import Path

from speech_lstm.atomic import write_text

RANDOM_VARIANT_PREFIX = "rand"
DATA_FOLDER = "espeak-ng-data"
_VARIANT_FOLDER = "!v"
MAX_RANDOM_VARIANTS = 200


def random_variant_names(count: int) -> list[str]:
    """Names of the first `count` random variants: `rand000`, `rand001`, ...

    A name fixes its settings, so two splits drawing random variants would share voices;
    the corpus's disjointness check refuses that.
    """
    if not 0 <= count <= MAX_RANDOM_VARIANTS:
        raise ValueError(
            f"espeak-ng can list at most {MAX_RANDOM_VARIANTS} extra variants. Received: {count}"
        )
    return [f"{RANDOM_VARIANT_PREFIX}{index:03d}" for index in range(count)]


def is_random_variant(voice: str) -> bool:
    """Whether an espeak-ng voice string (`accent+variant`) names a random variant."""
    _, _, variant = voice.partition("+")
    return re.fullmatch(rf"{RANDOM_VARIANT_PREFIX}\d{{3}}", variant) is not None


def random_variant_text(name: str) -> str:
    """The variant file for `name`: settings drawn from a generator seeded by the name.

    Ranges span the named variants that ship with espeak-ng: formants shifted by up to 15%
    (vocal tract length), their strength and width, the pitch base and range of low male to
    high female voices, voicing and consonant strength, and now and then breath noise,
    roughness or the Klatt synthesiser.
    """
    rng = random.Random(int(hashlib.sha256(name.encode()).hexdigest()[:16], 16))
    tract = rng.uniform(0.85, 1.15)
    lines = ["language variant", f"name {name}"]
    for formant in range(6):
        frequency = round(100 * tract * rng.uniform(0.95, 1.05))
        strength = rng.randint(60, 160)
        width = rng.randint(80, 190)
        lines.append(f"formant {formant} {frequency} {strength} {width}")
    base = rng.randint(70, 190)
    lines.append(f"pitch {base} {base + rng.randint(30, 130)}")
    lines.append(f"voicing {rng.randint(30, 150)}")
    lines.append(f"consonants {rng.randint(50, 130)} {rng.randint(40, 130)}")
    lines.append(f"flutter {rng.randint(0, 40)}")
    lines.append(f"roughness {rng.randint(0, 4)}")
    if rng.random() < 0.3:
        lines.append("breath " + " ".join(str(rng.randint(0, 12)) for _ in range(8)))
    if rng.random() < 0.2:
        lines.append(f"klatt {rng.choice([1, 2, 3, 4, 6])}")
    return "\n".join(lines) + "\n"


def system_data_dir() -> Path:
    """The espeak-ng data folder of the installed engine (`espeak-ng --version` names it)."""
    version = subprocess.run(
        ["espeak-ng", "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    match = re.search(r"Data at:\s*(\S+)", version)
    if not match:
        raise RuntimeError(f"espeak-ng --version did not name its data folder: {version!r}")
    return Path(match.group(1))


def write_variant_root(root: Path, names: list[str], system_dir: Path | None = None) -> Path:
    """Builds `root/espeak-ng-data`: the system's data with only the random `names` as voice
    variants (no named variants, no MBROLA voices); returns root.

    Pass the returned folder to `espeak-ng --path`. Rebuilding with the same names writes the
    same files, so a corpus regenerated from its config speaks with the same voices.
    """
    system_dir = system_dir or system_data_dir()
    data = root / DATA_FOLDER
    variants = data / "voices" / _VARIANT_FOLDER
    variants.mkdir(parents=True, exist_ok=True)
    _link_children(system_dir, data, skip={"voices"})
    for name in names:
        write_text(variants / name, random_variant_text(name))
    return root


def _link_children(source: Path, target: Path, skip: set[str]) -> None:
    for child in source.iterdir():
        link = target / child.name
        if child.name not in skip and not link.exists() and not link.is_symlink():
            link.symlink_to(child)
