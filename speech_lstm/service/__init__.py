"""The HTTP transcription service: one loaded model, concurrent requests batched on it.

Modules: `config` (`ServeConfig`, free of the web stack), `engine` (the loaded model and the
upload checks), `batcher` (the bounded queue and the batching window), `forms` (reading a
request), `responses` (JSONL-row, text, subtitle and OpenAI-compatible bodies), `app`
(`create_app`, the FastAPI routes and the web page `page.html`) and `server` (`serve`, what
`scripts/serve.py` runs). FastAPI and uvicorn come with the `serve` extra.
"""
