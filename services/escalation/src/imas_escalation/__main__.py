"""``python -m imas_escalation``: run the escalation service until SIGTERM."""

from imas_escalation.app import create_app
from imas_escalation.settings import from_env
from imas_runtime.service import main

if __name__ == "__main__":
    main(create_app, from_env)
