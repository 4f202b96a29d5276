"""Training-only augmentation: altered audio copies (`variants`, `reverb`, `vocoder`),
cached by the feature store, and SpecAugment masks (`specaugment`) applied in the tf.data
pipeline; their settings are `config.AugmentConfig`."""
