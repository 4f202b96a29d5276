"""Data stage: what training reads.

Modules: `manifest` (the JSONL manifest and its rows), `feature_store` (features of a
manifest computed once and memory-mapped), `dataset` (tf.data batches for CTC), `lint`
(checks of a manifest) and `augment/` (training-only augmentation). Corpora get into
manifests through `speech_lstm.prep` (importers, downloads) and `speech_lstm.synthetic`.
"""
