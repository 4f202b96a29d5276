"""Inference stage."""
