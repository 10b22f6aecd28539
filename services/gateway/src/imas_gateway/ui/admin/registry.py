"""Every configuration page, in the order of the menu."""

from __future__ import annotations

from imas_gateway.ui.admin import access, alerting, catalog, oncall, paging
from imas_gateway.ui.admin.resource import Resource

ORDER: tuple[Resource, ...] = (
    *catalog.RESOURCES,
    *oncall.RESOURCES,
    *alerting.RESOURCES,
    *paging.RESOURCES,
    *access.RESOURCES,
)
RESOURCES: dict[str, Resource] = {r.slug: r for r in ORDER}
GROUPS: list[tuple[str, list[Resource]]] = [
    (group, [r for r in ORDER if r.group == group])
    for group in dict.fromkeys(r.group for r in ORDER)
]
