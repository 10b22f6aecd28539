"""Test support: a local server implementing the Google APIs the LID export uses, on 127.0.0.1:
OAuth 2.0 for service accounts (the JWT bearer grant, its RS256 signature checked against the
account's key), the Docs API (create, get, ``batchUpdate``) and Drive's ``files.update``.

    async with FakeGoogleDocs() as google:
        key = google.service_account_json()      # the secret an admin would paste
        ...
        google.documents[doc_id].outline()       # [("HEADING_1", None, "INC-…"), ("TABLE", …)]
        google.expire_tokens()                   # an hour went by

A document is kept as Docs models it: a sequence of indexed units (characters with their text
style, paragraph ends with the paragraph's style and bullet, and a table's, rows' and cells'
start and end markers), indexes counted in UTF-16 code units from 1. ``batchUpdate`` applies
``insertText``, ``deleteContentRange``, ``insertTable``, ``updateParagraphStyle``,
``updateTextStyle``, ``createParagraphBullets`` and ``deleteParagraphBullets`` with the rules
and the inheritance the documentation states, atomically (all requests or none).
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from imas_testing.fake_providers import FakeProvider

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DOCUMENTS_SCOPE = "https://www.googleapis.com/auth/documents"
MARKERS = ("table", "row", "cell", "end")


@dataclass
class Unit:
    """One index of a document: a character (``char``, its ``style``), a paragraph's end
    (``char`` ``"\\n"``, with ``paragraph``), or a table marker (``marker``). A character
    outside the Basic Multilingual Plane takes two units, the second one ``""``."""

    char: str = ""
    style: dict[str, Any] = field(default_factory=dict)
    paragraph: dict[str, Any] | None = None
    marker: str = ""
    table: int = 0

    @property
    def newline(self) -> bool:
        return self.paragraph is not None


def _units(text: str, style: dict[str, Any], paragraph: dict[str, Any]) -> list[Unit]:
    units: list[Unit] = []
    for char in text:
        if char == "\n":
            units.append(Unit("\n", dict(style), copy.deepcopy(paragraph)))
            continue
        units.append(Unit(char, dict(style)))
        if ord(char) > 0xFFFF:
            units.append(Unit("", dict(style)))
    return units


class Problem(Exception):
    """A request Docs would refuse (400 INVALID_ARGUMENT)."""


@dataclass
class Document:
    """A Google Docs document: its title, its body and its parent folders."""

    id: str
    title: str
    units: list[Unit] = field(default_factory=lambda: [Unit("\n", paragraph=_normal())])
    parents: list[str] = field(default_factory=lambda: ["root"])
    revision: int = 1
    _tables: Any = field(default_factory=lambda: itertools.count(1))

    # -- reading ---------------------------------------------------------------------------

    @property
    def end(self) -> int:
        """The body's end index (after its final newline)."""
        return 1 + len(self.units)

    def _paragraph_spans(self) -> list[tuple[int, int]]:
        """(first unit, newline unit) of each paragraph, in order (cells included)."""
        spans, start = [], 0
        for i, unit in enumerate(self.units):
            if unit.marker:
                start = i + 1
            elif unit.newline:
                spans.append((start, i))
                start = i + 1
        return spans

    def outline(self) -> list[tuple[str, str | None, Any]]:
        """The body as a reader sees it: ``(named style, bullet preset or None, text)`` per
        paragraph of the body, ``("TABLE", None, rows of cell texts)`` per table."""
        blocks: list[tuple[str, str | None, Any]] = []
        i = 0
        while i < len(self.units):
            unit = self.units[i]
            if unit.marker == "table":
                end = next(
                    j
                    for j in range(i, len(self.units))
                    if self.units[j].marker == "end" and self.units[j].table == unit.table
                )
                blocks.append(("TABLE", None, self._cells(i, end)))
                i = end + 1
                continue
            j = next(k for k in range(i, len(self.units)) if self.units[k].newline)
            para = self.units[j].paragraph or {}
            bullet = (para.get("bullet") or {}).get("preset")
            text = "".join(u.char for u in self.units[i:j])
            blocks.append((para.get("namedStyleType", "NORMAL_TEXT"), bullet, text))
            i = j + 1
        return blocks

    def _cells(self, start: int, end: int) -> list[list[str]]:
        rows: list[list[str]] = []
        for unit_index in range(start, end):
            unit = self.units[unit_index]
            if unit.marker == "row":
                rows.append([])
            elif unit.marker == "cell":
                rows[-1].append("")
            elif not unit.marker and not unit.newline:
                rows[-1][-1] += unit.char
            elif unit.newline and rows and rows[-1] and rows[-1][-1]:
                rows[-1][-1] += "\n"
        return [[cell.rstrip("\n") for cell in row] for row in rows]

    @property
    def text(self) -> str:
        """Every paragraph's text, one a line; a table's rows as ``a | b`` lines."""
        lines: list[str] = []
        for kind, _, content in self.outline():
            if kind == "TABLE":
                lines += [" | ".join(row) for row in content]
            else:
                lines.append(content)
        return "\n".join(lines) + "\n"

    def styled(self, key: str) -> list[tuple[str, Any]]:
        """Runs of text whose style has ``key`` (``bold``, ``link``...), with its value."""
        runs: list[tuple[str, Any]] = []
        running = False
        for unit in self.units:
            value = unit.style.get(key)
            if unit.marker or unit.newline or value in (None, False):
                running = False
            elif running and runs[-1][1] == value:
                runs[-1] = (runs[-1][0] + unit.char, value)
            else:
                runs.append((unit.char, value))
                running = True
        return runs

    def to_json(self) -> dict[str, Any]:
        content: list[dict[str, Any]] = [{"endIndex": 1, "sectionBreak": {}}]
        i = 0
        while i < len(self.units):
            element, i = self._element(i)
            content.append(element)
        return {
            "documentId": self.id,
            "title": self.title,
            "revisionId": f"rev{self.revision}",
            "body": {"content": content},
        }

    def _element(self, i: int) -> tuple[dict[str, Any], int]:
        unit = self.units[i]
        if unit.marker == "table":
            end = next(
                j
                for j in range(i, len(self.units))
                if self.units[j].marker == "end" and self.units[j].table == unit.table
            )
            rows: list[dict[str, Any]] = []
            j = i + 1
            while j < end:
                row_start, cells = j, []
                j += 1
                while j < end and self.units[j].marker == "cell":
                    cell_start, paragraphs = j, []
                    j += 1
                    while j < end and not self.units[j].marker:
                        element, j = self._element(j)
                        paragraphs.append(element)
                    cells.append(
                        {"startIndex": cell_start + 1, "endIndex": j + 1, "content": paragraphs}
                    )
                rows.append({"startIndex": row_start + 1, "endIndex": j + 1, "tableCells": cells})
            columns = len(rows[0]["tableCells"]) if rows else 0
            table = {"rows": len(rows), "columns": columns, "tableRows": rows}
            return {"startIndex": i + 1, "endIndex": end + 2, "table": table}, end + 1
        j = next(k for k in range(i, len(self.units)) if self.units[k].newline)
        para = self.units[j].paragraph or {}
        elements, k = [], i
        while k <= j:
            run_end = k
            while run_end < j and self.units[run_end + 1].style == self.units[k].style:
                run_end += 1
            text = "".join(u.char for u in self.units[k : run_end + 1])
            elements.append(
                {
                    "startIndex": k + 1,
                    "endIndex": run_end + 2,
                    "textRun": {"content": text, "textStyle": self.units[k].style},
                }
            )
            k = run_end + 1
        paragraph: dict[str, Any] = {
            "elements": elements,
            "paragraphStyle": {"namedStyleType": para.get("namedStyleType", "NORMAL_TEXT")},
        }
        if para.get("bullet"):
            paragraph["bullet"] = {"listId": para["bullet"]["listId"]}
        return {"startIndex": i + 1, "endIndex": j + 2, "paragraph": paragraph}, j + 1

    # -- editing ---------------------------------------------------------------------------

    def _unit_at(self, index: int, what: str) -> int:
        at = index - 1
        if not 0 <= at < len(self.units):
            raise Problem(
                f"Index {index} must be less than the end index of the segment, {self.end}."
            )
        unit = self.units[at]
        if unit.marker or (not unit.char and not unit.newline):
            raise Problem(f"The {what} location {index} must be inside the bounds of a paragraph.")
        return at

    def _paragraph_of(self, at: int) -> dict[str, Any]:
        end = next(k for k in range(at, len(self.units)) if self.units[k].newline)
        return self.units[end].paragraph or _normal()

    def _depth(self, at: int) -> int:
        depth = 0
        for unit in self.units[:at]:
            depth += unit.marker == "table"
            depth -= unit.marker == "end"
        return depth

    def insert_text(self, request: dict[str, Any]) -> None:
        index = int((request.get("location") or {}).get("index", 0))
        text = str(request.get("text", ""))
        if not text:
            raise Problem("Insert text requests must specify text to insert.")
        at = self._unit_at(index, "insertion")
        before = self.units[at - 1] if at > 0 else None
        # Inserted text takes the style of the text just before it; new paragraphs the style
        # (and the bullet) of the paragraph they are inserted in.
        style = dict(before.style) if before is not None and not before.marker else {}
        if before is not None and before.newline:
            style = dict(self.units[at].style) if not self.units[at].newline else {}
        self.units[at:at] = _units(text, style, self._paragraph_of(at))

    def insert_table(self, request: dict[str, Any]) -> None:
        rows, columns = int(request.get("rows", 0)), int(request.get("columns", 0))
        if rows < 1 or columns < 1:
            raise Problem("A table must have at least one row and one column.")
        index = int((request.get("location") or {}).get("index", 0))
        at = self._unit_at(index, "table insertion")
        if self._depth(at):
            raise Problem("Tables cannot be inserted inside a table in this server.")
        table = next(self._tables)
        cells: list[Unit] = [Unit(marker="table", table=table)]
        for _ in range(rows):
            cells.append(Unit(marker="row", table=table))
            for _ in range(columns):
                cells += [Unit(marker="cell", table=table), Unit("\n", paragraph=_normal())]
        cells.append(Unit(marker="end", table=table))
        # "A newline character will be inserted before the inserted table."
        newline = Unit("\n", paragraph=copy.deepcopy(self._paragraph_of(at)))
        self.units[at:at] = [newline, *cells]

    def delete_range(self, request: dict[str, Any]) -> None:
        span = request.get("range") or {}
        start, stop = int(span.get("startIndex", 0)), int(span.get("endIndex", 0))
        if not 1 <= start < stop or stop > self.end - 1:
            raise Problem(
                f"Invalid deletion range [{start}, {stop}): the final newline of the segment "
                f"(index {self.end - 1}) cannot be deleted."
            )
        gone = range(start - 1, stop - 1)
        tables = {u.table for u in (self.units[i] for i in gone) if u.marker}
        for table in tables:
            whole = [i for i, u in enumerate(self.units) if u.marker and u.table == table]
            if not all(i in gone for i in whole):
                raise Problem("Invalid deletion range: it cannot delete part of a table.")
        for i in gone:
            unit, after = self.units[i], self.units[i + 1]
            if unit.newline and after.marker and after.table not in tables:
                raise Problem(
                    "Invalid deletion range: the newline before a table or at the end of a "
                    "table cell cannot be deleted alone."
                )
        del self.units[start - 1 : stop - 1]

    def _overlapping(self, request: dict[str, Any]) -> list[int]:
        """The newline units of the paragraphs overlapping the request's range."""
        span = request.get("range") or {}
        start, stop = int(span.get("startIndex", 0)), int(span.get("endIndex", 0))
        if not 1 <= start < stop <= self.end:
            raise Problem(f"Invalid range [{start}, {stop}).")
        return [nl for first, nl in self._paragraph_spans() if first < stop - 1 and start - 1 <= nl]

    def paragraph_style(self, request: dict[str, Any]) -> None:
        style = request.get("paragraphStyle") or {}
        for newline in self._overlapping(request):
            paragraph = self.units[newline].paragraph
            assert paragraph is not None
            for key in _fields(request, style):
                if key in style:
                    paragraph[key] = style[key]
                else:
                    paragraph.pop(key, None)

    def bullets(self, request: dict[str, Any], preset: str | None) -> None:
        bullet = {"listId": f"kix.list{next(self._tables)}", "preset": preset} if preset else None
        for newline in self._overlapping(request):
            paragraph = self.units[newline].paragraph
            assert paragraph is not None
            paragraph["bullet"] = bullet

    def text_style(self, request: dict[str, Any]) -> None:
        span = request.get("range") or {}
        start, stop = int(span.get("startIndex", 0)), int(span.get("endIndex", 0))
        if not 1 <= start < stop <= self.end:
            raise Problem(f"Invalid range [{start}, {stop}).")
        style = request.get("textStyle") or {}
        keys = _fields(request, style)
        for unit in self.units[start - 1 : stop - 1]:
            if unit.marker:
                continue
            for key in keys:
                if style.get(key) not in (None, {}):
                    unit.style[key] = style[key]
                else:
                    unit.style.pop(key, None)

    def apply(self, request: dict[str, Any]) -> None:
        if "insertText" in request:
            self.insert_text(request["insertText"])
        elif "insertTable" in request:
            self.insert_table(request["insertTable"])
        elif "deleteContentRange" in request:
            self.delete_range(request["deleteContentRange"])
        elif "updateParagraphStyle" in request:
            self.paragraph_style(request["updateParagraphStyle"])
        elif "updateTextStyle" in request:
            self.text_style(request["updateTextStyle"])
        elif "createParagraphBullets" in request:
            body = request["createParagraphBullets"]
            self.bullets(body, str(body.get("bulletPreset") or "BULLET_DISC_CIRCLE_SQUARE"))
        elif "deleteParagraphBullets" in request:
            self.bullets(request["deleteParagraphBullets"], None)
        else:
            raise Problem(f"Unsupported request: {', '.join(request)}")


def _normal() -> dict[str, Any]:
    return {"namedStyleType": "NORMAL_TEXT"}


def _fields(request: dict[str, Any], style: dict[str, Any]) -> list[str]:
    fields = str(request.get("fields") or "")
    if not fields:
        raise Problem("At least one field must be listed in 'fields'.")
    if fields == "*":
        return sorted({"bold", "italic", "link", "weightedFontFamily", *style})
    return [f.strip() for f in fields.split(",") if f.strip()]


def _b64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


class FakeGoogleDocs(FakeProvider):
    """Google's token endpoint (``POST /token``: the JWT bearer grant of a service account
    whose key this server made), the Docs API (``POST /v1/documents``, ``GET`` and
    ``:batchUpdate`` of ``/v1/documents/{id}``) and Drive's ``PATCH /drive/v3/files/{id}``
    with ``addParents`` / ``removeParents``. Calls need a bearer token the token endpoint gave
    and that has not expired (``token_lifetime`` seconds, or :meth:`expire_tokens`)."""

    def __init__(self, *, token_lifetime: int = 3599) -> None:
        super().__init__()
        self.token_lifetime = token_lifetime
        self.documents: dict[str, Document] = {}
        self.tokens: dict[str, float] = {}  # access token → expiry (time.time())
        self.grants: list[dict[str, Any]] = []  # the claims of every assertion accepted
        self._doc_ids = itertools.count(1)
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key_id = secrets.token_hex(20)
        self.client_email = "imas-lid@imas-test.iam.gserviceaccount.com"

    def service_account(self, **changes: Any) -> dict[str, Any]:
        """A service account key, as the Google Cloud console downloads it."""
        pem = self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        key = {
            "type": "service_account",
            "project_id": "imas-test",
            "private_key_id": self.key_id,
            "private_key": pem,
            "client_email": self.client_email,
            "client_id": "100000000000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": f"{self.url}/token",
        }
        return {**key, **changes}

    def service_account_json(self, **changes: Any) -> str:
        return json.dumps(self.service_account(**changes))

    def expire_tokens(self) -> None:
        """Every access token given so far expires now (as an hour later)."""
        self.tokens = dict.fromkeys(self.tokens, 0.0)

    def key_of(self, method: str, path: str) -> str:
        path = re.sub(r"/documents/[^/:]+", "/documents/*", path)
        return f"{method} " + re.sub(r"/files/[^/]+$", "/files/*", path)

    def by_title(self, title: str) -> Document | None:
        return next((d for d in self.documents.values() if d.title == title), None)

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        if path == "/token" and method == "POST":
            return self._grant(body if isinstance(body, dict) else {})
        bearer = headers.get("authorization", "").removeprefix("Bearer ")
        if self.tokens.get(bearer, 0.0) <= time.time():
            return 401, _google_error(401, "UNAUTHENTICATED", "Request had invalid credentials.")
        body = body or {}
        if path == "/v1/documents" and method == "POST":
            doc_id = f"doc{next(self._doc_ids):04d}"
            doc = Document(id=doc_id, title=body.get("title") or "Untitled document")
            self.documents[doc_id] = doc
            return 200, doc.to_json()
        files = re.fullmatch(r"/drive/v3/files/([^/]+)", path)
        if files and method == "PATCH":
            return self._move(files.group(1))
        found = re.fullmatch(r"/v1/documents/([^/:]+)(:batchUpdate)?", path)
        if found is None:
            return 404, _google_error(404, "NOT_FOUND", "Not found.")
        target = self.documents.get(found.group(1))
        if target is None:
            return 404, _google_error(404, "NOT_FOUND", "Requested entity was not found.")
        if method == "GET" and not found.group(2):
            return 200, target.to_json()
        if method == "POST" and found.group(2):
            return self._batch(target, body.get("requests") or [])
        return 405, _google_error(405, "METHOD_NOT_ALLOWED", "Method not allowed.")

    def _batch(self, target: Document, requests: list[dict[str, Any]]) -> Any:
        # A batch is atomic: every request applies, or none does.
        draft = copy.deepcopy(target)
        for number, request in enumerate(requests):
            try:
                draft.apply(request)
            except Problem as exc:
                message = f"Invalid requests[{number}].{next(iter(request), '')}: {exc}"
                return 400, _google_error(400, "INVALID_ARGUMENT", message)
        target.units, target._tables = draft.units, draft._tables
        target.revision += 1
        return 200, {"documentId": target.id, "replies": [{} for _ in requests]}

    def _move(self, file_id: str) -> Any:
        moved = self.documents.get(file_id)
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

    def _grant(self, form: dict[str, Any]) -> Any:
        """The JWT bearer grant, checked as Google does: RS256 signed by the account's key,
        issued by its e-mail for this token URI, for at most an hour, with a scope."""
        if form.get("grant_type") != JWT_BEARER:
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": "Invalid grant_type",
            }
        try:
            header_b64, claims_b64, signature_b64 = str(form.get("assertion", "")).split(".")
            header, claims = json.loads(_b64(header_b64)), json.loads(_b64(claims_b64))
            self._key.public_key().verify(
                _b64(signature_b64),
                f"{header_b64}.{claims_b64}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (ValueError, InvalidSignature):
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        now = time.time()
        problem = ""
        if header.get("alg") != "RS256" or header.get("kid") != self.key_id:
            problem = "Invalid JWT: unknown key or algorithm"
        elif claims.get("iss") != self.client_email or claims.get("aud") != f"{self.url}/token":
            problem = "Invalid JWT: issuer or audience"
        elif not (claims.get("iat", 0) - 300 <= now < claims.get("exp", 0)):
            problem = "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
        elif claims["exp"] - claims["iat"] > 3600:
            problem = "Invalid JWT: the token must not last more than an hour"
        elif DOCUMENTS_SCOPE not in str(claims.get("scope", "")).split():
            problem = "Invalid JWT: no scope for the Docs API"
        if problem:
            return 400, {"error": "invalid_grant", "error_description": problem}
        self.grants.append(claims)
        token = f"ya29.{secrets.token_urlsafe(24)}"
        self.tokens[token] = now + self.token_lifetime
        return 200, {
            "access_token": token,
            "expires_in": self.token_lifetime,
            "token_type": "Bearer",
        }


def _google_error(code: int, status: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}


__all__ = ["MARKERS", "Document", "FakeGoogleDocs", "Unit"]
