"""Model stage: the BiLSTM-CTC network (`network`) and its settings (`config`).

Modules: `config` (`ModelConfig`, no TensorFlow) and `network` (`build_acoustic_model`,
`CtcTrainingModel`).
"""
