"""Inference stage: audio to logits, with a trained model directory.

Modules: `model_dir` (the self-contained model directory: save, load, compare), `logits`
(batched forward passes: `LogitComputer`, ensembles), `backends` (Keras, SavedModel and TFLite
forward functions), `chunking` (long audio cut at quiet points), `pipeline` (the one audio ->
features -> logits path of transcription, evaluation and decoder tuning), `config`
(`ExportConfig`, where exports live), `export` and `tflite_graph` (writing the exports).
"""
