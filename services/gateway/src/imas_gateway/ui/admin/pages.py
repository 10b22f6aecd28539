"""The configuration pages: one list, one form and one set of actions for every resource of
``ui.admin.registry``, each going through the public API as the signed-in user
(``ui.admin.api``).

Forms work without JavaScript: a button that adds a row, removes one, switches a provider's
kind or previews a schedule posts the form back and gets it again, changed; htmx (when it
runs) swaps only the form. Saving answers a redirect to the list, or the form again with the
API's refusals next to the inputs they name (400, or 409 for a name that is taken).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.response import Redirect

from imas_gateway.auth.guard import PUBLIC, role
from imas_gateway.auth.sessions import Session
from imas_gateway.http.request import Request
from imas_gateway.ui.admin.api import PublicApi, Refused, required_role
from imas_gateway.ui.admin.fields import (
    Field,
    Fields,
    Refusals,
    Values,
    add_entry,
    blank_values,
    from_item,
    layout,
    place_errors,
    read_form,
    remove_row,
    to_body,
)
from imas_gateway.ui.admin.lookups import load, needed
from imas_gateway.ui.admin.registry import GROUPS, RESOURCES
from imas_gateway.ui.admin.resource import Action, Item, Resource, Section, Shown, Trial
from imas_gateway.ui.auth_pages import current, posted_lists
from imas_gateway.ui.render import render

# A form's post makes its change through the API, whose call is the one the audit log keeps;
# pages check the session themselves (as every page).
FORM_POST = role(PUBLIC, audit=False)
# Refusals a form shows on its inputs; any other is the page's own error.
FORM_REFUSALS = (400, 409, 413, 422)
# An item id that no resource has: enough to ask which role changing one needs.
ANY_ITEM = "x"


def _resource(slug: str) -> Resource:
    found = RESOURCES.get(slug)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no configuration page '{slug}'")
    return found


@dataclass
class Rights:
    """What the user's role lets them do with a resource (the API's own roles)."""

    read: bool
    create: bool
    change: bool
    delete: bool
    # The least role that may add one.
    needs: str

    @classmethod
    def of(cls, api: PublicApi, resource: Resource) -> Rights:
        item = resource.item_url(ANY_ITEM)
        return cls(
            read=api.allows("GET", resource.api),
            create=api.allows("POST", resource.api),
            change=bool(resource.update) and api.allows(resource.update, item),
            delete=bool(resource.delete) and api.allows("DELETE", item),
            needs=str(required_role(api.app, "POST", resource.api) or "admin"),
        )


def _readable(api: PublicApi) -> list[tuple[str, list[Resource]]]:
    """The menu: each group with the resources the user may read."""
    return [
        (group, [r for r in resources if api.allows("GET", r.api)])
        for group, resources in GROUPS
        if any(api.allows("GET", r.api) for r in resources)
    ]


def _needs(app: Any, method: str, path: str, what: str, role: str) -> HTTPException:
    needed_role = str(required_role(app, method, path) or "admin")
    return HTTPException(
        status_code=403, detail=f"{what} needs the role {needed_role} or above (you are {role})"
    )


# -- lists --------------------------------------------------------------------------------------


@get("/admin", include_in_schema=False)
async def index(request: Request) -> Response[str]:
    """Every configuration page the user may read, by group."""
    session = current(request)
    async with PublicApi(request, session) as api:
        return render(request, "admin/index.html", menu=_readable(api))


async def _list_page(
    request: Request,
    api: PublicApi,
    resource: Resource,
    *,
    shown: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response[str]:
    rights = Rights.of(api, resource)
    items = await api.items(resource.api)
    names = (await load(api, set(resource.lookups))).names
    shown_with = Shown(names=names, site=request.gateway.settings.public_url.rstrip("/"))
    rows = [
        {
            "item": item,
            "ref": str(item.get("id", "")),
            "label": resource.label_of(item),
            "cells": [c.show(item, shown_with) for c in resource.columns[1:]],
            "locked": resource.locked(item),
            "links": resource.links(item),
        }
        for item in items
    ]
    query = request.query_params
    done = query.get("created") or query.get("saved") or ""
    flash = next(
        (
            f"{'Created' if query.get('created') else 'Saved'} {resource.noun} “{r['label']}”."
            for r in rows
            if r["ref"] == done
        ),
        "Deleted." if query.get("deleted") else "",
    )
    return render(
        request,
        resource.list_template or "admin/list.html",
        status_code=status_code,
        resource=resource,
        rows=rows,
        rights=rights,
        menu=_readable(api),
        flash=flash,
        done=done,
        shown=shown,
        **(await resource.extras(api) if resource.extras else {}),
    )


@get("/admin/{slug:str}", include_in_schema=False)
async def list_page(request: Request, slug: FromPath[str]) -> Response[str]:
    """The items of one resource, and a link to add one when the user's role may."""
    resource = _resource(slug)
    async with PublicApi(request, current(request)) as api:
        return await _list_page(request, api, resource)


# -- forms --------------------------------------------------------------------------------------


@dataclass
class FormState:
    """A form as it is drawn: its values, the refusals on them, the inputs and result of an
    action, and the sections of a saved item (``section``: the one just posted, with its own
    values and refusals)."""

    values: Values
    refusals: Refusals = field(default_factory=Refusals)
    extra: Values = field(default_factory=dict)
    result: tuple[str, dict[str, Any]] | None = None
    section: tuple[str, Values, Refusals] | None = None


def _values_of(resource: Resource, item: Item) -> Values:
    chosen = {resource.variant: item.get(resource.variant)} if resource.variant else {}
    return from_item(resource.fields_for(chosen), item)


def _read_values(resource: Resource, form: dict[str, list[str]]) -> Values:
    values = read_form(resource.fields, form)
    return read_form(resource.fields_for(values), form)


async def _section_forms(
    api: PublicApi, resource: Resource, ref: str, state: FormState, writable: bool
) -> list[dict[str, Any]]:
    forms = []
    for section in resource.sections:
        url = resource.item_url(ref) + section.api
        if state.section and state.section[0] == section.slug:
            values, refusals = state.section[1], state.section[2]
        else:
            values, refusals = from_item(section.fields, await api.read(url)), Refusals()
        forms.append(
            {
                "section": section,
                "values": values,
                "refusals": refusals,
                "writable": writable and api.allows("PUT", url),
            }
        )
    return forms


async def _form_page(
    request: Request,
    api: PublicApi,
    resource: Resource,
    state: FormState,
    *,
    ref: str = "",
    item: Item | None = None,
    status_code: int = 200,
) -> Response[str]:
    """The form of a new item (no ``ref``) or of a saved one, read-only when the user's role
    may not change it."""
    rights = Rights.of(api, resource)
    locked = resource.locked(item) if item else ""
    writable = (rights.change if ref else rights.create) and not locked
    fields = resource.fields_for(state.values)
    sections = await _section_forms(api, resource, ref, state, writable) if ref else []
    actions = [a for a in resource.actions if ref or not a.saved_only]
    every = [*fields, *(f for a in actions for f in a.fields)]
    every += [f for s in resource.sections for f in s.fields]
    loaded = await load(api, needed(every))
    for form in sections:
        form["inputs"] = layout(
            form["section"].fields, form["values"], form["refusals"], loaded.options
        )
    return render(
        request,
        "admin/form.html",
        status_code=status_code,
        resource=resource,
        ref=ref,
        item=item or {},
        title=resource.label_of(item) if item else f"New {resource.noun}",
        inputs=layout(fields, state.values, state.refusals, loaded.options, editing=bool(ref)),
        others=state.refusals.others,
        actions=[
            (
                a,
                layout(
                    a.fields, state.extra or blank_values(a.fields), state.refusals, loaded.options
                ),
            )
            for a in actions
        ],
        result=state.result,
        sections=sections,
        writable=writable,
        locked=locked,
        rights=rights,
        links=resource.links(item) if item else (),
        menu=_readable(api),
        secrets_set=(item or {}).get("secrets") or [],
        form_url=f"/admin/{resource.slug}/{ref or 'new'}",
        common=len(resource.fields),
        kind=_variant_label(resource, state.values),
        variant=resource.variant,
        saved=request.query_params.get("saved", ""),
        failed=bool(state.refusals.by_path),
    )


def _variant_label(resource: Resource, values: Values) -> str:
    """How the chosen variant is called (``Google Docs``), for the heading of its inputs."""
    chosen = str(values.get(resource.variant, "")) if resource.variant else ""
    field = next((f for f in resource.fields if f.name == resource.variant), None)
    if isinstance(field, Field) and not isinstance(field.choices, str):
        return next((c[1] for c in field.choices if c[0] == chosen), chosen)
    return chosen


def _new_values(resource: Resource, query: dict[str, list[str]]) -> Values:
    values = blank_values(resource.fields)
    if resource.defaults is not None:
        values.update(resource.defaults(query))
    if resource.variant and query.get(resource.variant):
        values[resource.variant] = query[resource.variant][-1]
    return {**blank_values(resource.fields_for(values)), **values}


@get("/admin/{slug:str}/new", include_in_schema=False)
async def new_page(request: Request, slug: FromPath[str]) -> Response[str]:
    """The form of a new item (``?kind=`` chooses a provider's kind; some resources take
    more, such as a silence made from an alert's labels)."""
    resource = _resource(slug)
    session = current(request)
    async with PublicApi(request, session) as api:
        if not api.allows("POST", resource.api):
            raise _needs(request.app, "POST", resource.api, f"adding a {resource.noun}", api.role)
        query = {k: request.query_params.getall(k) for k in request.query_params}
        state = FormState(values=_new_values(resource, query))
        return await _form_page(request, api, resource, state)


async def _item(api: PublicApi, resource: Resource, ref: str) -> Item:
    """One item: read by itself, or found in the list when the API reads none alone (tokens)."""
    url = resource.item_url(ref)
    if required_role(api.app, "GET", url) is not None:
        return resource.unwrap(await api.read(url))
    found = next((i for i in await api.items(resource.api) if str(i.get("id")) == ref), None)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no {resource.noun} {ref}")
    return found


@get("/admin/{slug:str}/{ref:str}", include_in_schema=False)
async def item_page(request: Request, slug: FromPath[str], ref: FromPath[str]) -> Response[str]:
    """One item's form (read-only for a role that may not change it) and its sections."""
    resource = _resource(slug)
    async with PublicApi(request, current(request)) as api:
        item = await _item(api, resource, ref)
        state = FormState(values=_values_of(resource, item))
        return await _form_page(request, api, resource, state, ref=ref, item=item)


def _refused(fields: Fields, values: Values, exc: Refused, strip: str = "") -> Refusals:
    if exc.status not in FORM_REFUSALS:
        raise HTTPException(status_code=exc.status, detail=exc.detail)
    refusals = place_errors(fields, values, exc.errors, strip=strip)
    if not exc.errors:
        refusals.others.append(exc.detail)
    return refusals


def _edited(fields: Fields, values: Values, action: str) -> bool:
    """Apply a button that changes the form itself (add or remove a row); False for others."""
    verb, _, path = action.partition(":")
    if verb == "add":
        add_entry(fields, values, path)
    elif verb == "remove":
        remove_row(fields, values, path)
    return verb in ("add", "remove", "refresh")


async def _run(
    api: PublicApi, resource: Resource, action: Action, ref: str, state: FormState, form: Any
) -> int:
    """Run an action on the form; its result (or the refusals) land in ``state``."""
    fields = resource.fields_for(state.values)
    body, errors = to_body(fields, state.values)
    state.extra = read_form(action.fields, form)
    extra, extra_errors = to_body(action.fields, state.extra)
    if errors or extra_errors:
        state.refusals = Refusals(by_path={**errors, **extra_errors})
        return 400
    try:
        result = await action.run(Trial(api, resource, ref, body, extra))
    except Refused as exc:
        state.refusals = _refused([*fields, *action.fields], state.values, exc, action.strip)
        return 200
    state.result = (action.name, result)
    return 200


async def _submit(
    request: Request, session: Session, resource: Resource, ref: str = ""
) -> Response[Any]:
    """A posted form: a button that changes the form or runs an action, or the save."""
    _, form = await posted_lists(request)
    action = (form.get("_action") or ["save"])[-1]
    async with PublicApi(request, session) as api:
        item = await _item(api, resource, ref) if ref else None
        state = FormState(values=_read_values(resource, form))
        fields = resource.fields_for(state.values)
        if _edited(fields, state.values, action):
            return await _form_page(request, api, resource, state, ref=ref, item=item)
        chosen = next((a for a in resource.actions if a.name == action), None)
        if chosen is not None:
            status = await _run(api, resource, chosen, ref, state, form)
            return await _form_page(
                request, api, resource, state, ref=ref, item=item, status_code=status
            )
        body, errors = to_body(fields, state.values, editing=bool(ref))
        if errors:
            state.refusals = Refusals(by_path=errors)
            return await _form_page(
                request, api, resource, state, ref=ref, item=item, status_code=400
            )
        method, url = (resource.update, resource.item_url(ref)) if ref else ("POST", resource.api)
        try:
            answer = await api.call(method, url, body)
        except Refused as exc:
            state.refusals = _refused(fields, state.values, exc)
            return await _form_page(
                request, api, resource, state, ref=ref, item=item, status_code=exc.status
            )
        saved = resource.unwrap(answer)
        if resource.shown_once and not ref:
            shown = {
                "item": saved,
                "values": [
                    (label, saved.get(k)) for k, label in resource.shown_once if saved.get(k)
                ],
            }
            return await _list_page(request, api, resource, shown=shown, status_code=201)
    done = "saved" if ref else "created"
    target = f"/admin/{resource.slug}/{saved['id']}" if resource.sections and not ref else None
    return Redirect(
        target or f"/admin/{resource.slug}?{done}={saved.get('id', '')}", status_code=303
    )


@post("/admin/{slug:str}/new", include_in_schema=False, status_code=303, opt=FORM_POST)
async def create(request: Request, slug: FromPath[str]) -> Response[Any]:
    """Adds an item through the API (its call is the one the audit log records)."""
    return await _submit(request, current(request), _resource(slug))


@post("/admin/{slug:str}/{ref:str}", include_in_schema=False, status_code=303, opt=FORM_POST)
async def save(request: Request, slug: FromPath[str], ref: FromPath[str]) -> Response[Any]:
    """Changes an item through the API, or runs one of the form's buttons."""
    return await _submit(request, current(request), _resource(slug), ref)


@post(
    "/admin/{slug:str}/{ref:str}/delete",
    include_in_schema=False,
    status_code=303,
    opt=FORM_POST,
)
async def remove(request: Request, slug: FromPath[str], ref: FromPath[str]) -> Response[Any]:
    """Deletes (revokes, expires) an item through the API; a refusal (a service that has
    incidents) is shown on its page."""
    session, _ = await posted_lists(request)
    resource = _resource(slug)
    async with PublicApi(request, session) as api:
        try:
            await api.call("DELETE", resource.item_url(ref))
        except Refused as exc:
            if exc.status not in FORM_REFUSALS:
                raise HTTPException(status_code=exc.status, detail=exc.detail) from None
            item = await _item(api, resource, ref)
            state = FormState(
                values=_values_of(resource, item), refusals=Refusals(others=[exc.detail])
            )
            return await _form_page(
                request, api, resource, state, ref=ref, item=item, status_code=exc.status
            )
    return Redirect(f"/admin/{resource.slug}?deleted=1", status_code=303)


def _section(resource: Resource, slug: str) -> Section:
    found = next((s for s in resource.sections if s.slug == slug), None)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no part '{slug}' of a {resource.noun}")
    return found


@post(
    "/admin/{slug:str}/{ref:str}/{part:str}",
    include_in_schema=False,
    status_code=303,
    opt=FORM_POST,
)
async def save_section(
    request: Request, slug: FromPath[str], ref: FromPath[str], part: FromPath[str]
) -> Response[Any]:
    """Saves one section of an item (a person's contact methods) through its own API call,
    or clears it (back to the defaults)."""
    session, form = await posted_lists(request)
    resource = _resource(slug)
    section = _section(resource, part)
    action = (form.get("_action") or ["save"])[-1]
    values = read_form(section.fields, form)
    url = resource.item_url(ref) + section.api
    async with PublicApi(request, session) as api:
        item = await _item(api, resource, ref)
        state = FormState(values=_values_of(resource, item))
        status = 200
        refusals = Refusals()
        if not _edited(section.fields, values, action):
            body, errors = to_body(section.fields, values)
            try:
                if errors:
                    refusals, status = Refusals(by_path=errors), 400
                elif action == "clear" and section.clear:
                    await api.call("DELETE", url)
                else:
                    await api.call("PUT", url, body)
            except Refused as exc:
                refusals, status = _refused(section.fields, values, exc), exc.status
            if status == 200:
                return Redirect(
                    f"/admin/{resource.slug}/{ref}?saved={section.slug}", status_code=303
                )
        state.section = (section.slug, values, refusals)
        return await _form_page(
            request, api, resource, state, ref=ref, item=item, status_code=status
        )


@get(["/catalog/{slug:str}", "/integrations"], include_in_schema=False)
async def moved(slug: FromPath[str] = "integrations") -> Redirect:
    """The catalog's and the integrations' pages of old: now configuration pages."""
    return Redirect(f"/admin/{_resource(slug).slug}", status_code=301)


ADMIN_PAGES = [index, list_page, new_page, item_page, create, save, remove, save_section, moved]
