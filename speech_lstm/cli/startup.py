"""Importing TensorFlow for a job without what Keras loads that no job uses.

Keras imports scikit-learn when it is installed (librosa requires it), only for its
scikit-learn wrappers, and matplotlib's pyplot (the evaluation report's charts need
matplotlib), only for its image-gallery plots; speech-lstm uses neither. On the 2-core
reference machine they cost about 2 s and 0.7 s of CPU at every start of a job
(benchmarks/RESULTS.md, "Start-up").
"""

from __future__ import annotations

import sys

UNUSED_BY_KERAS = ("sklearn", "matplotlib")


def import_tensorflow() -> None:
    """Imports TensorFlow and Keras with `UNUSED_BY_KERAS` hidden from Keras' import only.

    Each package is hidden just while Keras loads (Keras then sees it as not installed, so
    `keras.wrappers.SKLearn*` and `keras.visualization` are unusable in this process) and made
    importable again at once: anything that imports it later gets it as usual. A package
    already imported is left alone, and nothing changes when Keras is already imported.
    """
    if "keras" in sys.modules:
        return
    hidden = [name for name in UNUSED_BY_KERAS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # an import of it raises ImportError meanwhile
    try:
        import keras  # noqa: F401  (imports TensorFlow, its back end)
    finally:
        for name in hidden:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]
