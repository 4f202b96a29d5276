"""The CI slice of benchmarks/fault_injection.py: a job that keeps finished WAVs and writes
its manifest last, SIGKILLed at seeded random moments and rerun, ends with the outputs of an
uninterrupted run, byte for byte."""

from __future__ import annotations

from benchmarks.fault_injection import run_with_kills


def test_a_job_killed_at_random_moments_ends_with_identical_outputs(tmp_path):
    figures = run_with_kills("wavs_and_manifest", tmp_path, kills=3, seed=0)
    assert figures.identical, figures.differing
    assert figures.killed_before_end >= 1  # at least one kill landed before the end
