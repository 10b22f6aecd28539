"""Test support: local HTTP servers implementing the parts of the Confluence REST API and of the
Google Docs / Drive APIs that the LID export uses, on 127.0.0.1 (a free port), every request
recorded, errors injectable (see :class:`imas_runtime.fake_chat.FakeServer`).

    async with FakeConfluence(email="bot@example.com", api_token="t") as confluence:
        ...  # base_url=confluence.url
        page = confluence.pages["1001"]; page.version, page.body

    async with FakeGoogleDocs(token="ya29.test") as google:
        ...  # base_url=google.url, drive_url=google.url
        google.documents[doc_id].text
"""

from __future__ import annotations

import base64
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from imas_runtime.fake_chat import FakeServer

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


@dataclass
class Document:
    """A Google Docs document: its title, its body text (which always ends with a newline, as
    Docs does) and its parent folders."""

    id: str
    title: str
    text: str = "\n"
    parents: list[str] = field(default_factory=lambda: ["root"])
    revision: int = 1


class FakeGoogleDocs(FakeServer):
    """``POST /v1/documents`` (create from a title), ``GET /v1/documents/{id}``,
    ``POST /v1/documents/{id}:batchUpdate`` with ``insertText`` and ``deleteContentRange``
    (indexes counted from 1, as Docs does), and Drive's ``PATCH /drive/v3/files/{id}`` with
    ``addParents`` / ``removeParents``; bearer token."""

    def __init__(self, *, token: str = "google-token") -> None:
        super().__init__()
        self.token = token
        self.documents: dict[str, Document] = {}
        self._doc_ids = itertools.count(1)

    def key_of(self, method: str, path: str) -> str:
        path = re.sub(r"/documents/[^/:]+", "/documents/*", path)
        return f"{method} " + re.sub(r"/files/[^/]+$", "/files/*", path)

    def by_title(self, title: str) -> Document | None:
        return next((d for d in self.documents.values() if d.title == title), None)

    @staticmethod
    def _json(doc: Document) -> dict[str, Any]:
        end = 1 + len(doc.text)
        return {
            "documentId": doc.id,
            "title": doc.title,
            "revisionId": f"rev{doc.revision}",
            "body": {
                "content": [
                    {"endIndex": 1, "sectionBreak": {}},
                    {
                        "startIndex": 1,
                        "endIndex": end,
                        "paragraph": {"elements": [{"textRun": {"content": doc.text}}]},
                    },
                ]
            },
        }

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, _google_error(401, "UNAUTHENTICATED", "Request had invalid credentials.")
        body = body or {}
        if path == "/v1/documents" and method == "POST":
            doc_id = f"doc{next(self._doc_ids):04d}"
            doc = Document(id=doc_id, title=body.get("title") or "Untitled document")
            self.documents[doc_id] = doc
            return 200, self._json(doc)
        files = re.fullmatch(r"/drive/v3/files/([^/]+)", path)
        if files and method == "PATCH":
            moved = self.documents.get(files.group(1))
            if moved is None:
                return 404, _google_error(404, "NOT_FOUND", "File not found.")
            query = self.requests[-1].query
            removed = set(filter(None, query.get("removeParents", "").split(",")))
            added = [p for p in query.get("addParents", "").split(",") if p]
            parents = [p for p in moved.parents if p not in removed] + added
            if len(parents) != 1:
                return 403, _google_error(
                    403, "PERMISSION_DENIED", "A file must have exactly one parent."
                )
            moved.parents = parents
            return 200, {"id": moved.id, "parents": moved.parents}
        found = re.fullmatch(r"/v1/documents/([^/:]+)(:batchUpdate)?", path)
        if found is None:
            return 404, _google_error(404, "NOT_FOUND", "Not found.")
        target = self.documents.get(found.group(1))
        if target is None:
            return 404, _google_error(404, "NOT_FOUND", "Requested entity was not found.")
        if method == "GET" and not found.group(2):
            return 200, self._json(target)
        if method == "POST" and found.group(2):
            # A batch is atomic: every request applies, or none does.
            draft = Document(id=target.id, title=target.title, text=target.text)
            for request in body.get("requests") or []:
                problem = _apply(draft, request)
                if problem:
                    return 400, _google_error(400, "INVALID_ARGUMENT", problem)
            target.text = draft.text
            target.revision += 1
            replies: list[dict[str, Any]] = [{} for _ in body.get("requests") or []]
            return 200, {"documentId": target.id, "replies": replies}
        return 405, _google_error(405, "METHOD_NOT_ALLOWED", "Method not allowed.")


def _apply(doc: Document, request: dict[str, Any]) -> str:
    """Apply one batchUpdate request to the body; the reason it is invalid otherwise."""
    end = 1 + len(doc.text)  # the index after the final newline
    if "insertText" in request:
        insert = request["insertText"]
        index = int((insert.get("location") or {}).get("index", 0))
        if not 1 <= index < end:
            return f"Index {index} must be less than the end index of the segment, {end}."
        at = index - 1
        doc.text = doc.text[:at] + str(insert.get("text", "")) + doc.text[at:]
        return ""
    if "deleteContentRange" in request:
        span = request["deleteContentRange"].get("range") or {}
        start, stop = int(span.get("startIndex", 0)), int(span.get("endIndex", 0))
        if not 1 <= start < stop or stop > end - 1:
            return (
                f"Invalid deletion range [{start}, {stop}): the final newline of the segment "
                f"(index {end - 1}) cannot be deleted."
            )
        doc.text = doc.text[: start - 1] + doc.text[stop - 1 :]
        return ""
    return f"Unsupported request: {', '.join(request)}"


def _google_error(code: int, status: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}
