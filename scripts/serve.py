"""Serves a model over HTTP: python scripts/serve.py model_dir=DIR [port=8000].

Opens a web page at http://127.0.0.1:8000/ and the endpoints of docs/service.md; runs until
interrupted (Ctrl-C). Needs the `serve` extra (FastAPI, uvicorn).

The same as `speech-lstm serve` (speech_lstm.cli); `--help` explains the settings.
"""

import _bootstrap  # noqa: F401  (puts the checkout first on sys.path)

from speech_lstm.cli import run_job

if __name__ == "__main__":
    raise SystemExit(run_job("serve", prog="scripts/serve.py"))
