"""``python -m imas_warroom``: run the warroom service until SIGTERM."""

from imas_runtime.service import main
from imas_warroom.app import create_app
from imas_warroom.settings import from_env

if __name__ == "__main__":
    main(create_app, from_env)
