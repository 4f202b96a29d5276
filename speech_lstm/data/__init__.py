"""Data stage: manifests, corpora, feature stores and tf.data pipelines."""
