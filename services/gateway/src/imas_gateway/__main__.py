"""``python -m imas_gateway``: run the gateway until SIGTERM."""

from imas_gateway.app import create_app
from imas_gateway.settings import from_env
from imas_runtime.service import main

if __name__ == "__main__":
    main(create_app, from_env)
