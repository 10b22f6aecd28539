"""Test support: local HTTP servers implementing the parts of the Confluence REST API and of the
Google APIs that the LID export uses, on 127.0.0.1 (a free port), every request recorded,
errors injectable (see :class:`imas_testing.fake_chat.FakeServer`).

    async with FakeConfluence(email="bot@example.com", api_token="t") as confluence:
        ...  # base_url=confluence.url
        page = confluence.pages["1001"]; page.version, page.body

Google (OAuth for service accounts, Docs, Drive) is :class:`FakeGoogleDocs`, in
:mod:`imas_testing.fake_google_docs`.
"""

from __future__ import annotations

import base64
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from imas_testing.fake_chat import FakeServer
from imas_testing.fake_google_docs import FakeGoogleDocs

CONTENT = "/wiki/rest/api/content"


@dataclass
class Page:
    """A Confluence page as stored: its storage-format body and its version number."""

    id: str
    space_key: str
    title: str
    body: str
    version: int = 1
    ancestors: list[str] = field(default_factory=list)


class FakeConfluence(FakeServer):
    """``POST /wiki/rest/api/content`` (create a page), ``PUT /wiki/rest/api/content/{id}``
    (update: ``version.number`` must be the current one + 1, else 409) and ``GET`` of a page
    with ``?expand=version``; basic auth ``email:api_token``. Titles are unique per space."""

    def __init__(self, *, email: str = "bot@example.com", api_token: str = "confluence-token"):
        super().__init__()
        credentials = base64.b64encode(f"{email}:{api_token}".encode()).decode()
        self.authorization = f"Basic {credentials}"
        self.pages: dict[str, Page] = {}
        self._page_ids = itertools.count(1001)

    def key_of(self, method: str, path: str) -> str:
        return f"{method} " + re.sub(r"/content/[^/]+$", "/content/*", path)

    def by_title(self, title: str) -> Page | None:
        return next((p for p in self.pages.values() if p.title == title), None)

    def _json(self, page: Page) -> dict[str, Any]:
        return {
            "id": page.id,
            "type": "page",
            "status": "current",
            "title": page.title,
            "space": {"key": page.space_key},
            "version": {"number": page.version},
            "body": {"storage": {"value": page.body, "representation": "storage"}},
            "_links": {
                "base": f"{self.url}/wiki",
                "webui": f"/spaces/{page.space_key}/pages/{page.id}",
            },
        }

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        if headers.get("authorization") != self.authorization:
            return 401, {"statusCode": 401, "message": "Unauthorized"}
        body = body or {}
        if path == CONTENT and method == "POST":
            problem = _page_problem(body)
            if problem:
                return 400, {"statusCode": 400, "message": problem}
            if any(
                p.title == body["title"] and p.space_key == body["space"]["key"]
                for p in self.pages.values()
            ):
                return 400, {"statusCode": 400, "message": "A page with this title already exists"}
            page = Page(
                id=str(next(self._page_ids)),
                space_key=body["space"]["key"],
                title=body["title"],
                body=body["body"]["storage"]["value"],
                ancestors=[str(a["id"]) for a in body.get("ancestors") or []],
            )
            self.pages[page.id] = page
            return 200, self._json(page)
        if not path.startswith(CONTENT + "/"):
            return 404, {"statusCode": 404, "message": "Not found"}
        found = self.pages.get(path.rsplit("/", 1)[1])
        if found is None:
            return 404, {"statusCode": 404, "message": "No content found"}
        if method == "GET":
            return 200, self._json(found)
        if method == "PUT":
            problem = _page_problem(body)
            if problem:
                return 400, {"statusCode": 400, "message": problem}
            wanted = (body.get("version") or {}).get("number")
            if wanted != found.version + 1:
                return 409, {
                    "statusCode": 409,
                    "message": f"Version must be incremented on update. Current version is: "
                    f"{found.version}",
                }
            found.title = body["title"]
            found.body = body["body"]["storage"]["value"]
            found.version = wanted
            return 200, self._json(found)
        return 405, {"statusCode": 405, "message": "Method not allowed"}


def _page_problem(body: dict[str, Any]) -> str:
    if body.get("type") != "page":
        return "type must be 'page'"
    if not body.get("title"):
        return "title is required"
    if not (body.get("space") or {}).get("key"):
        return "space.key is required"
    storage = (body.get("body") or {}).get("storage") or {}
    if storage.get("representation") != "storage" or "value" not in storage:
        return "body.storage with representation 'storage' is required"
    return ""


__all__ = ["CONTENT", "FakeConfluence", "FakeGoogleDocs", "Page"]
