"""Importing TensorFlow for a job without what Keras loads that no job uses.

Keras imports scikit-learn when it is installed (librosa requires it), only for its
scikit-learn wrappers, which speech-lstm never uses: about 2 s of CPU at every start of a job
on a 2-core machine (benchmarks/RESULTS.md, "Start-up"), 15-20% of `import tensorflow`.
"""

from __future__ import annotations

import sys

UNUSED_BY_KERAS = "sklearn"


def import_tensorflow() -> None:
    """Imports TensorFlow and Keras with scikit-learn hidden from Keras' import only.

    scikit-learn is hidden just while Keras loads (Keras then sees it as not installed, so
    `keras.wrappers.SKLearn*` are unusable in this process) and made importable again at once:
    anything that imports it later gets it as usual. Nothing changes when Keras or
    scikit-learn is already imported.
    """
    if "keras" in sys.modules or UNUSED_BY_KERAS in sys.modules:
        return
    sys.modules[UNUSED_BY_KERAS] = None  # an import of it raises ImportError meanwhile
    try:
        import keras  # noqa: F401  (imports TensorFlow, its back end)
    finally:
        if sys.modules.get(UNUSED_BY_KERAS, ...) is None:
            del sys.modules[UNUSED_BY_KERAS]
