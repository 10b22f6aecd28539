"""What a configuration page needs to know of one resource of the public API: where it lives,
the inputs of its form, the columns of its list, and what it has of its own (kinds with their
own settings, parts saved apart, buttons that try something before saving). One set of pages
(``ui.admin.pages``) serves them all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from litestar.exceptions import HTTPException
from markupsafe import Markup, escape

from imas_gateway.ui.admin.api import PublicApi
from imas_gateway.ui.admin.fields import Field, Fields, Group, Values
from imas_gateway.ui.render import when

Item = dict[str, Any]


@dataclass(frozen=True)
class Shown:
    """What a list shows ids with: names by lookup (``people``: id → name), and the address
    of IMAS (for webhook URLs)."""

    names: Mapping[str, Mapping[str, str]]
    site: str = ""

    def name(self, lookup: str, key: str) -> str:
        return self.names.get(lookup, {}).get(key, key)


@dataclass(frozen=True)
class Column:
    """A column of a list (the first one names the item and links to its page)."""

    label: str
    show: Callable[[Item, Shown], str | Markup]


def text(key: str, label: str) -> Column:
    return Column(label, lambda item, _: str(item.get(key) or "—"))


def joined(key: str, label: str) -> Column:
    return Column(label, lambda item, _: ", ".join(str(v) for v in item.get(key) or []) or "—")


def yes_no(key: str, label: str) -> Column:
    return Column(label, lambda item, _: "yes" if item.get(key) else "no")


def moment(key: str, label: str, empty: str = "—") -> Column:
    return Column(label, lambda item, _: when(item.get(key)) if item.get(key) else empty)


def named(key: str, label: str, lookup: str, *, empty: str = "—") -> Column:
    """An id (or a list of ids, or ``{id, name}`` references) shown by name."""

    def show(item: Item, shown: Shown) -> str:
        value = item.get(key)
        values = value if isinstance(value, list) else [value]
        found = [
            v.get("name", "") if isinstance(v, dict) else shown.name(lookup, v) for v in values if v
        ]
        return ", ".join(str(s) for s in found) or empty

    return Column(label, show)


def lines(*parts: str | Markup) -> Markup:
    """Several lines in one cell."""
    return Markup("<br>").join(escape(p) for p in parts if p)


@dataclass(frozen=True)
class Section:
    """A part of an item saved by its own API call under the item's URL (``api``), shown
    once the item exists: a person's contact methods. ``clear`` labels a button that deletes
    it (back to the defaults)."""

    slug: str
    title: str
    api: str
    fields: Fields
    blurb: str = ""
    clear: str = ""


@dataclass
class Trial:
    """What an action gets: the API, the item (when saved), the form as the API's JSON and the
    action's own inputs."""

    api: PublicApi
    resource: Resource
    ref: str
    body: dict[str, Any]
    extra: dict[str, Any]


@dataclass(frozen=True)
class Action:
    """A button that asks the API about the form without saving it (preview a schedule, try
    a rule on a sample alert, send a test through a provider). ``run`` answers what
    ``template`` shows; a refusal of the API is shown on the inputs it names. ``strip`` is a
    prefix the API puts before the names of the form's fields in its refusals."""

    name: str
    label: str
    run: Callable[[Trial], Awaitable[dict[str, Any]]]
    template: str
    fields: tuple[Field, ...] = ()
    title: str = ""
    blurb: str = ""
    saved_only: bool = False
    strip: str = ""
    # What the saved item says of what the action changes, shown beside it ("" for nothing).
    status: Callable[[Item], str] = lambda _: ""


Update = Literal["PUT", "PATCH", ""]


@dataclass(frozen=True)
class Resource:
    """One resource of the API (``api``, its collection) and its pages under
    ``/admin/<slug>``."""

    slug: str
    title: str
    noun: str
    api: str
    group: str
    blurb: str
    fields: Fields
    columns: tuple[Column, ...]
    # How a change is sent ("" when items cannot be changed, only created and deleted).
    update: Update = "PUT"
    # The key holding the item in the answers about one item (``{"schedule": {...}}``).
    one: str = ""
    # How an item is called in titles and messages.
    label: Callable[[Item], str] = lambda item: str(item.get("name") or item.get("id") or "")
    # A field whose value brings inputs of its own (a provider's kind).
    variant: str = ""
    variants: Mapping[str, tuple[Field, ...]] = field(default_factory=dict)
    sections: tuple[Section, ...] = ()
    actions: tuple[Action, ...] = ()
    # Keys of the creation's answer shown once (a token, a secret), with their labels.
    shown_once: tuple[tuple[str, str], ...] = ()
    delete: str = "Delete"
    # Lookups the list needs to show names.
    lookups: tuple[str, ...] = ()
    # Why an item cannot be changed here ("" when it can): built-in routing rules.
    locked: Callable[[Item], str] = lambda _: ""
    # The values of a new form, from the page's query string (a silence from an alert).
    defaults: Callable[[Mapping[str, list[str]]], Values] | None = None
    # Other pages about an item: (label, URL) pairs.
    links: Callable[[Item], Sequence[tuple[str, str]]] = lambda _: ()
    # Lists to show under the list (alerts to silence), loaded with the list.
    extras: Callable[[PublicApi], Awaitable[dict[str, Any]]] | None = None
    list_template: str = ""

    def fields_for(self, values: Values) -> list[Field | Group]:
        """The form's inputs: the common ones, then those of the chosen variant."""
        chosen = str(values.get(self.variant, "")) if self.variant else ""
        return [*self.fields, *self.variants.get(chosen, ())]

    def item_url(self, ref: str) -> str:
        """The API's URL of one item; the reference is quoted (a page never reaches another
        path than the item's)."""
        if not ref.strip("."):
            raise HTTPException(status_code=404, detail=f"no {self.noun} '{ref}'")
        return f"{self.api}{quote(ref, safe='')}/"

    def unwrap(self, answer: Any) -> Item:
        """The item of an answer about one item."""
        if self.one and isinstance(answer, dict) and isinstance(answer.get(self.one), dict):
            return dict(answer[self.one])
        return dict(answer) if isinstance(answer, dict) else {}

    def label_of(self, item: Item) -> str:
        return self.label(item) or self.noun


def utc_input(moment: datetime) -> str:
    """A moment as a ``datetime-local`` input shows it (UTC)."""
    return moment.strftime("%Y-%m-%dT%H:%M")
