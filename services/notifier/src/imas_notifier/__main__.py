"""``python -m imas_notifier``: run the notifier service until SIGTERM."""

from imas_notifier.app import create_app
from imas_notifier.settings import from_env
from imas_runtime.service import main

if __name__ == "__main__":
    main(create_app, from_env)
