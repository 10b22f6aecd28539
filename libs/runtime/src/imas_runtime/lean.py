"""Libraries loaded without the optional extras they would import for nothing.

Litestar depends on rich, and rich on pygments, so both are installed wherever IMAS is. Then
httpx imports its command-line client (pygments, rich), structlog imports rich to pretty-print
tracebacks (IMAS prints them as plain text) and Mako, under Alembic, imports pygments to
highlight template errors: together about 15 MB resident in every service process, which
never uses them (DESIGN §7: 120 MB per idle service). Each of these libraries falls back on its
plain path when the extra cannot be imported, so they are imported with the extras hidden
(:func:`hidden`); the extras stay importable for anyone else afterwards.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

EXTRAS = ("rich", "pygments")


@contextmanager
def hidden(*names: str) -> Iterator[None]:
    """Within: ``names`` (default :data:`EXTRAS`) cannot be imported, unless a module already
    did; afterwards they can again."""
    hide = [name for name in names or EXTRAS if name not in sys.modules]
    for name in hide:
        sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        yield
    finally:
        for name in hide:
            if sys.modules.get(name, "") is None:
                del sys.modules[name]
