"""Synthetic stage: the embedded default corpus, generated sentences spoken by local TTS.

Modules: `config` (`SyntheticConfig`, `SplitConfig`), `corpus` (`generate_corpus`: plan,
speak, write manifests and LM text), `engines` (espeak-ng, flite and festival command lines),
`espeak_variants` (random espeak-ng voices), and the sentence generator: `sentences`
(`SentenceGenerator`, its templates), `phrases` (the phrases templates are built from),
`morphology` (plurals, verb forms, numbers) and `lexicon` (word lists). Only
`scripts/make_synthetic.py` and training configs use it; transcription never imports it.
"""
