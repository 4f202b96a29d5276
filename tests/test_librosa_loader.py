"""librosa's numba cache is written under a lock that all of a user's processes share."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

from speech_lstm.librosa_loader import COMPILED_MODULES, load_librosa, numba_cache_lock

PACKAGE = Path(__file__).resolve().parents[1] / "speech_lstm"
TRY_LOCK = """
import fcntl, sys
with open(sys.argv[1], "a") as handle:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(3)
"""


def another_process_gets_the_lock(directory: Path) -> bool:
    (lock_file,) = directory.glob("speech-lstm-numba-*.lock")
    result = subprocess.run([sys.executable, "-c", TRY_LOCK, str(lock_file)], check=False)
    assert result.returncode in (0, 3)
    return result.returncode == 0


def test_the_cache_lock_shuts_out_other_processes_until_released(tmp_path):
    with numba_cache_lock(tmp_path):
        assert not another_process_gets_the_lock(tmp_path)
    assert another_process_gets_the_lock(tmp_path)


def test_a_missing_lock_directory_locks_nothing_and_fails_nothing(tmp_path):
    with numba_cache_lock(tmp_path / "missing"):
        pass


def test_every_librosa_module_that_caches_compiled_gufuncs_is_loaded_under_the_lock():
    """A librosa upgrade that compiles cached gufuncs in another module fails here. Beat
    tracking compiles them too, but nothing here tracks beats (its import costs 2.3 s)."""
    assert not any("librosa.beat" in path.read_text() for path in PACKAGE.rglob("*.py"))
    package = Path(importlib.util.find_spec("librosa").origin).parent
    decorator = re.compile(r"guvectorize\((?:[^()]|\([^()]*\))*cache=True", re.S)
    compiling = {
        "librosa." + ".".join(path.relative_to(package).with_suffix("").parts)
        for path in package.rglob("*.py")
        if decorator.search(path.read_text(encoding="utf-8"))
    }
    assert compiling - {"librosa.beat"} == set(COMPILED_MODULES)
    librosa = load_librosa()
    assert all(name in sys.modules for name in COMPILED_MODULES)
    assert librosa is sys.modules["librosa"] and load_librosa() is librosa
