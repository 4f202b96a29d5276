"""Serves a model over HTTP: python scripts/serve.py model_dir=DIR [port=8000].

Opens a web page at http://127.0.0.1:8000/ and the endpoints of docs/service.md; runs until
interrupted (Ctrl-C). Needs the `serve` extra (FastAPI, uvicorn).
"""

import hydra
from _bootstrap import CONFIG_DIR

from speech_lstm.config import register_configs, to_object

register_configs()


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="serve")
def main(cfg) -> None:
    from speech_lstm.service.server import serve

    serve(to_object(cfg))


if __name__ == "__main__":
    main()
