"""Test support for IMAS: never a dependency of a service, so no image carries it.

- :mod:`imas_testing.plugin`: the pytest plugin (loaded with ``-p imas_testing.plugin``), the
  fixtures of real servers (``nats_url``, ``postgres_url``, ``redis_url``, ``fresh_database``,
  ``own_redis``) and :func:`eventually`;
- :mod:`imas_testing.fake_chat`, :mod:`imas_testing.fake_docs`,
  :mod:`imas_testing.fake_google_docs`, :mod:`imas_testing.fake_providers`: local HTTP servers
  implementing the vendors' documented APIs (Slack, Discord, Teams, Confluence, Google Docs,
  OVH, Twilio, ntfy, webhooks);
- :mod:`imas_testing.processes`: a service as its own OS process (``python -m imas_<service>``)
  and the one harness that starts the mesh so (:func:`~imas_testing.processes.running_processes`),
  used by ``tests/e2e``, ``tests/chaos`` and ``bench/``;
- :mod:`imas_testing.containers`: the servers and services as containers of the images built by
  ``make images`` (the ``containers`` extra);
- :mod:`imas_testing.throwaway_ca`: certificates of a throwaway authority, for TLS tests;
- :mod:`imas_testing.factories`: contract structs (an incident, its lifecycle events) with
  every field a test is not about filled in;
- :func:`load_script`: a script of the checkout (``tools/lint.py``...) as a module, for its tests.

The embedded servers themselves are :mod:`imas_runtime.embedded` (``imas run`` starts them too).
"""

from imas_testing.plugin import LOOPBACK, discard_database, eventually, small_store
from imas_testing.scripts import load_script

__all__ = ["LOOPBACK", "discard_database", "eventually", "load_script", "small_store"]
