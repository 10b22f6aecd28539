"""``python -m imas_incidents``: run the incidents service until SIGTERM."""

from imas_incidents.app import create_app
from imas_incidents.settings import from_env
from imas_runtime.service import main

if __name__ == "__main__":
    main(create_app, from_env)
