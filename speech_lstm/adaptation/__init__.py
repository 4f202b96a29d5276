"""Adaptation stage: pseudo-labels, a model's confident transcriptions of unlabelled audio kept
as a training manifest (`pseudo_labels`); fine-tuning on them is `trainer.init_from`."""
