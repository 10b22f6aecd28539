"""What every IMAS service runs on (see DESIGN §1).

httpx and structlog, which every service uses, are loaded here, before any module of a service
can, without the extras they would import for nothing (:mod:`imas_runtime.lean`).
"""

from imas_runtime.lean import hidden

with hidden():
    import httpx  # noqa: F401
    import structlog  # noqa: F401
