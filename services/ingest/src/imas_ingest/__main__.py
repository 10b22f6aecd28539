"""``python -m imas_ingest``: run the ingest service until SIGTERM."""

from imas_ingest.app import create_app
from imas_ingest.settings import from_env
from imas_runtime.service import main

if __name__ == "__main__":
    main(create_app, from_env)
