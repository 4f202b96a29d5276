"""The audio worker pool: spawned workers whose numeric libraries run one thread each."""

import threadpoolctl

from speech_lstm.parallel import audio_process_pool


def test_audio_workers_run_numeric_libraries_single_threaded():
    with audio_process_pool(2) as pool:
        pools_in_worker = pool.submit(threadpoolctl.threadpool_info).result(timeout=120)
    assert pools_in_worker, "numpy's BLAS should be visible to threadpoolctl in the worker"
    assert {info["num_threads"] for info in pools_in_worker} == {1}
