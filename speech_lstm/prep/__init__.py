"""Data preparation: corpora into manifests, once, apart from training.

Modules: `download` (public corpora, resumable and checksum-verified) and `importers/` (one
module per corpus layout, and `prepare_data`, which writes the validated manifest).
"""
