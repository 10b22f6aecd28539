"""Configuration pages for every configuration resource of the public API (see
``ui.admin.pages``), each a declaration of ``ui.admin.registry``."""

from imas_gateway.ui.admin.pages import ADMIN_PAGES

__all__ = ["ADMIN_PAGES"]
