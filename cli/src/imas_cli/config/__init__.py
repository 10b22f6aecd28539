"""Configuration as code: YAML files read and checked (``files``), each kind of entry
(``kinds``), what applying them would change (``plan``), the public API calls that read and
change IMAS (``remote``, ``engine``) and the export (``export``)."""
