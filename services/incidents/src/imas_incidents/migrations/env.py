from imas_incidents.models import metadata
from imas_runtime.migrations import run_env

run_env(metadata)
