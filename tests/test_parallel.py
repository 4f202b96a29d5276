"""The audio worker pool: spawned workers whose numeric libraries run one thread each."""

import os

import threadpoolctl

from speech_lstm.parallel import audio_executor, audio_process_pool


def test_audio_workers_run_numeric_libraries_single_threaded():
    with audio_process_pool(2) as pool:
        pools_in_worker = pool.submit(threadpoolctl.threadpool_info).result(timeout=120)
    assert pools_in_worker, "numpy's BLAS should be visible to threadpoolctl in the worker"
    assert {info["num_threads"] for info in pools_in_worker} == {1}


def test_one_audio_worker_is_a_thread_of_this_process_and_two_are_processes():
    with audio_executor(1) as executor:
        assert executor.submit(os.getpid).result(timeout=60) == os.getpid()
    with audio_executor(2) as pool:
        assert pool.submit(os.getpid).result(timeout=120) != os.getpid()
