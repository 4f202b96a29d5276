"""`serve`: what `scripts/serve.py` (and a `serve` command) runs, testable without Hydra."""

from __future__ import annotations

import logging

from speech_lstm.service.config import ServeConfig

log = logging.getLogger(__name__)


def serve(config: ServeConfig) -> None:
    """Loads `config.model_dir` once and serves it with uvicorn until interrupted.

    Raises:
        ImportError: naming the `serve` extra when FastAPI or uvicorn is missing.
    """
    try:
        import uvicorn

        from speech_lstm.service.app import create_app
    except ImportError as error:
        raise ImportError(
            f"The service needs the `serve` extra: pip install 'speech-lstm[serve]' ({error})"
        ) from None
    from speech_lstm.service.engine import TranscriptionEngine

    if config.host not in ("127.0.0.1", "localhost", "::1") and config.api_key is None:
        log.warning(
            "Serving on %s without an API key: anyone who can reach it can use it. "
            "Set api_key (e.g. api_key=${oc.env:SPEECH_LSTM_API_KEY}).",
            config.host,
        )
    engine = TranscriptionEngine.load(config)
    app = create_app(engine, config)
    log.info("Serving %s on http://%s:%d/", config.model_dir, config.host, config.port)
    uvicorn.run(app, host=config.host, port=config.port, log_level="info")
