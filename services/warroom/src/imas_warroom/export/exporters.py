"""Where a LID is exported: Confluence pages and Google Docs documents, over their REST APIs.

Each exporter writes one LID to one remote page: ``write`` creates it when ``remote`` is None
and replaces its content otherwise (a page deleted on the other side is created again). Any
refusal raises :class:`ExportError` with what the remote service said.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from imas_warroom.export import docs_format
from imas_warroom.export.google_auth import GoogleAuthError, TokenSource

CONFLUENCE_CONTENT = "/wiki/rest/api/content"
GOOGLE_DOCS_URL = "https://docs.googleapis.com"
GOOGLE_DRIVE_URL = "https://www.googleapis.com"


class ExportError(Exception):
    """The remote service refused or could not be reached; the message says which and why."""


@dataclass(frozen=True)
class Content:
    """What is exported: the LID's title, its Markdown and the same as XHTML."""

    title: str
    markdown: str
    xhtml: str


@dataclass(frozen=True)
class Remote:
    """The page a LID was written to, and how many times it was written."""

    id: str
    link: str
    version: int


class Exporter(Protocol):
    async def write(self, content: Content, remote: Remote | None) -> Remote: ...


async def _call(
    client: httpx.AsyncClient, method: str, url: str, service: str, **kwargs: Any
) -> httpx.Response:
    try:
        return await client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise ExportError(f"{service} unreachable: {exc!r}") from exc


def _refused(service: str, response: httpx.Response) -> ExportError:
    return ExportError(f"{service} answered {response.status_code}: {response.text[:300]}")


class ConfluenceExporter:
    """A page in a Confluence space (REST API v1, basic auth ``email:api_token``); the page's
    Confluence version goes up by one at each update."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        space_key: str,
        email: str,
        api_token: str,
        parent_id: str = "",
    ) -> None:
        self.client = client
        self.base = base_url.rstrip("/")
        self.space_key = space_key
        self.parent_id = parent_id
        self.auth = httpx.BasicAuth(email, api_token)

    def _page(self, content: Content) -> dict[str, Any]:
        page: dict[str, Any] = {
            "type": "page",
            "title": content.title,
            "space": {"key": self.space_key},
            "body": {"storage": {"value": content.xhtml, "representation": "storage"}},
        }
        if self.parent_id:
            page["ancestors"] = [{"id": self.parent_id}]
        return page

    def _remote(self, body: dict[str, Any]) -> Remote:
        page_id = str(body["id"])
        links = body.get("_links") or {}
        if links.get("webui"):
            link = str(links.get("base") or f"{self.base}/wiki") + str(links["webui"])
        else:
            link = f"{self.base}/wiki/pages/viewpage.action?pageId={page_id}"
        return Remote(id=page_id, link=link, version=int(body["version"]["number"]))

    async def write(self, content: Content, remote: Remote | None) -> Remote:
        if remote is not None:
            updated = await self._update(content, remote.id, remote.version + 1)
            if updated is not None:
                return updated
        response = await _call(
            self.client,
            "POST",
            self.base + CONFLUENCE_CONTENT,
            "Confluence",
            json=self._page(content),
            auth=self.auth,
        )
        if response.status_code not in (200, 201):
            raise _refused("Confluence", response)
        return self._remote(response.json())

    async def _update(self, content: Content, page_id: str, version: int) -> Remote | None:
        """The page at ``version``; None when it no longer exists. When someone edited the page
        in Confluence since, the update goes on top of their version."""
        url = f"{self.base}{CONFLUENCE_CONTENT}/{quote(page_id)}"
        for _ in range(2):
            page = {"id": page_id, **self._page(content), "version": {"number": version}}
            page.pop("ancestors", None)
            response = await _call(self.client, "PUT", url, "Confluence", json=page, auth=self.auth)
            if response.status_code == 404:
                return None
            if response.status_code != 409:
                break
            current = await _call(
                self.client,
                "GET",
                url,
                "Confluence",
                params={"expand": "version"},
                auth=self.auth,
            )
            if current.status_code != 200:
                raise _refused("Confluence", current)
            version = int(current.json()["version"]["number"]) + 1
        if response.status_code != 200:
            raise _refused("Confluence", response)
        return self._remote(response.json())


class GoogleDocsExporter:
    """A Google Docs document (Docs API v1) written as a document, not as Markdown: headings,
    lists, tables, bold and links (see :mod:`imas_warroom.export.docs_format`), and moved into
    ``folder_id`` with the Drive API when one is set. Each write replaces the whole body in
    one ``batchUpdate``, which Docs applies entirely or not at all. Access tokens come from
    the service account's key (:class:`TokenSource`); a token refused with 401 is replaced
    once."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        tokens: TokenSource,
        base_url: str = GOOGLE_DOCS_URL,
        drive_url: str = GOOGLE_DRIVE_URL,
        folder_id: str = "",
    ) -> None:
        self.client = client
        self.tokens = tokens
        self.base = (base_url or GOOGLE_DOCS_URL).rstrip("/")
        self.drive = (drive_url or GOOGLE_DRIVE_URL).rstrip("/")
        self.folder_id = folder_id

    async def _ask(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        token, response = await self._send(method, url, **kwargs)
        if response.status_code == 401:
            self.tokens.forget(token)  # expired or revoked early: ask for another, once
            token, response = await self._send(method, url, **kwargs)
        return response

    async def _send(self, method: str, url: str, **kwargs: Any) -> tuple[str, httpx.Response]:
        try:
            token = await self.tokens.token(self.client)
        except GoogleAuthError as exc:
            raise ExportError(str(exc)) from exc
        headers = {"Authorization": f"Bearer {token}"}
        return token, await _call(
            self.client, method, url, "Google Docs", headers=headers, **kwargs
        )

    async def write(self, content: Content, remote: Remote | None) -> Remote:
        body = docs_format.requests(docs_format.blocks(content.markdown))
        if remote is not None:
            current = await self._ask("GET", f"{self.base}/v1/documents/{quote(remote.id)}")
            if current.status_code == 200:
                end = _body_end(current.json())
                # Everything but the final newline a body always ends with goes, in the
                # same batch as the new content.
                clear = (
                    [{"deleteContentRange": {"range": {"startIndex": 1, "endIndex": end - 1}}}]
                    if end > 2
                    else []
                )
                await self._batch(remote.id, clear + body)
                return Remote(id=remote.id, link=remote.link, version=remote.version + 1)
            if current.status_code != 404:
                raise _refused("Google Docs", current)
        created = await self._ask(
            "POST", f"{self.base}/v1/documents", json={"title": content.title}
        )
        if created.status_code != 200:
            raise _refused("Google Docs", created)
        document_id = str(created.json()["documentId"])
        if self.folder_id:
            moved = await self._ask(
                "PATCH",
                f"{self.drive}/drive/v3/files/{quote(document_id)}",
                params={"addParents": self.folder_id, "removeParents": "root"},
                json={},
            )
            if moved.status_code != 200:
                raise _refused("Google Drive", moved)
        if body:
            await self._batch(document_id, body)
        link = f"https://docs.google.com/document/d/{document_id}/edit"
        return Remote(id=document_id, link=link, version=1)

    async def _batch(self, document_id: str, requests: list[dict[str, Any]]) -> None:
        response = await self._ask(
            "POST",
            f"{self.base}/v1/documents/{quote(document_id)}:batchUpdate",
            json={"requests": requests},
        )
        if response.status_code != 200:
            raise _refused("Google Docs", response)


def _body_end(document: dict[str, Any]) -> int:
    """Where the document's body ends (the ``endIndex`` of its last structural element)."""
    content = (document.get("body") or {}).get("content") or []
    return int(content[-1].get("endIndex", 1)) if content else 1
