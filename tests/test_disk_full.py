"""A full disk: every writer, run under a file-size limit (RLIMIT_FSIZE, as a nearly full
filesystem), fails with one line naming its path, leaves no partial output, and succeeds
once the space is back."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from speech_lstm.atomic import leftover_temporaries
from tests.conftest import ROOT, write_tone

# Each job writes one output under `out` from the inputs under `inputs`; every output is
# bigger than LIMIT, the largest file the limited process may write.
WRITERS = """
import json, resource, signal, sys
from pathlib import Path
import numpy as np
from speech_lstm.atomic import WriteError

inputs, out, limit = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
tones = sorted(str(p) for p in inputs.glob("*.wav"))

def manifest():
    from speech_lstm.data.manifest import Utterance, write_manifest
    rows = [Utterance(t, 5.0, "a long text " * 20) for t in tones * 50]
    write_manifest(out / "train.jsonl", rows)

def wav():
    from speech_lstm.audio import write_wav
    write_wav(out / "audio" / "tone.wav", np.zeros(16000 * 5, dtype=np.float32), 16000)

def report():
    from speech_lstm.evaluation.report import write_report
    from speech_lstm.evaluation.scoring import score
    write_report(score(["a b"], ["a c"]), out / "report", {"notes": "x" * 3 * limit})

def feature_store():
    from speech_lstm.data.feature_store import build_feature_store
    from speech_lstm.data.manifest import Utterance
    from speech_lstm.features import MfccConfig
    rows = [Utterance(t, 5.0, "a") for t in tones]
    build_feature_store(rows, MfccConfig(), out / "cache", num_workers=1)

def model_dir():
    from speech_lstm.inference.model_dir import save_model_dir
    from tests.transcription_fixtures import untrained_model
    save_model_dir(out / "model", untrained_model())

def decoder_yaml():
    from speech_lstm.decoding.decoder import DecoderConfig
    from speech_lstm.evaluation.tuning import write_decoder_yaml
    write_decoder_yaml(DecoderConfig(lm_path="x" * 3 * limit), out / "decoder.yaml")

if limit:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
outcome = {}
for job in (manifest, wav, report, feature_store, model_dir, decoder_yaml):
    try:
        job()
        outcome[job.__name__] = "ok"
    except WriteError as error:
        outcome[job.__name__] = str(error)
print(json.dumps(outcome))
"""
OUTPUTS = {
    "manifest": "train.jsonl",
    "wav": "audio/tone.wav",
    "report": "report/report.json",
    "feature_store": "cache",
    "model_dir": "model",
    "decoder_yaml": "decoder.yaml",
}
LIMIT = 20_000


def run_writers(inputs, out, limit: int) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", WRITERS, str(inputs), str(out), str(limit)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE and SIGXFSZ as on Linux")
def test_every_writer_fails_cleanly_on_a_full_disk_and_resumes(tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    for index in range(2):
        write_tone(inputs / f"{index}.wav", seconds=1.0)  # 32 kB each, written before the limit
    full = run_writers(inputs, out, LIMIT)
    for job, message in full.items():
        target = out / OUTPUTS[job]
        assert message != "ok", f"{job} wrote past the file-size limit"
        assert "\n" not in message and "File too large" in message, message
        assert str(target.parent if job == "report" else target) in message, message
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written == [], f"partial output left behind: {written}"
    assert leftover_temporaries(out) == []
    again = run_writers(inputs, out, 0)
    assert set(again.values()) == {"ok"}, again
    assert all((out / path).exists() for path in OUTPUTS.values())
