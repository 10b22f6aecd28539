from imas_runtime.migrations import run_env
from imas_warroom.models import metadata

run_env(metadata)
