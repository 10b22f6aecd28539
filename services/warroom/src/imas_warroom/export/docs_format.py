"""The LID's Markdown as a Google Docs document: headings, paragraphs, bulleted and numbered
lists, tables, bold, italic, code and links, written with Docs API ``batchUpdate`` requests.

Pure: :func:`blocks` reads the Markdown, :func:`requests` says how to write the blocks into an
empty body. Indexes are Docs' own: UTF-16 code units, from 1. The text goes in first, each
block appended before the body's final newline (so earlier indexes never move), a table's
cells filled from the last (so each cell's empty index, computed from the documented layout,
still holds); the styles follow. Inserted text and paragraphs inherit their neighbours'
style, so every range is first reset to plain text, then styled.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

BULLETS = "BULLET_DISC_CIRCLE_SQUARE"
NUMBERS = "NUMBERED_DECIMAL_ALPHA_ROMAN"
CODE_FONT = {"fontFamily": "Roboto Mono"}
# Characters Docs will not take in text: C0 controls but the tab (and the newline, which
# only IMAS writes, between paragraphs).
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


@dataclass(frozen=True)
class Run:
    """Text with one style."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    link: str | None = None


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    style: str = "NORMAL_TEXT"
    bullet: str | None = None  # a Docs bullet preset
    list_id: int = 0  # items of one Markdown list share it: one Docs list

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[tuple[Run, ...], ...], ...]

    @property
    def columns(self) -> int:
        return max(len(row) for row in self.rows)


Block = Paragraph | Table


def u16(text: str) -> int:
    """The length of ``text`` in Docs indexes (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _clean(text: str) -> str:
    return _CONTROLS.sub(" ", text)


def _runs(children: Sequence[Token], bold: bool = False) -> tuple[Run, ...]:
    runs: list[Run] = []
    strong = em = 0
    link: str | None = None
    for child in children:
        kind = child.type
        if kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
        elif kind == "em_open":
            em += 1
        elif kind == "em_close":
            em -= 1
        elif kind == "link_open":
            link = str(child.attrs.get("href") or "") or None
        elif kind == "link_close":
            link = None
        elif kind in ("text", "code_inline", "softbreak", "hardbreak", "image"):
            text = {"softbreak": " ", "hardbreak": "\u000b"}.get(kind, child.content)
            if text:
                runs.append(
                    Run(
                        _clean(text),
                        bold=bold or strong > 0,
                        italic=em > 0,
                        code=kind == "code_inline",
                        link=link,
                    )
                )
    return tuple(runs)


def blocks(markdown: str) -> list[Block]:
    """The document's blocks, in order (nested lists are flattened; raw HTML is text)."""
    found: list[Block] = []
    heading = ""
    lists: list[tuple[str, int]] = []
    list_count = 0
    rows: list[tuple[tuple[Run, ...], ...]] | None = None
    row: list[tuple[Run, ...]] = []
    header_cell = False
    for token in _markdown.parse(markdown):
        kind = token.type
        if kind == "heading_open":
            heading = f"HEADING_{min(int(token.tag[1:]), 6)}"
        elif kind == "heading_close":
            heading = ""
        elif kind in ("bullet_list_open", "ordered_list_open"):
            list_count += 1
            lists.append((BULLETS if kind == "bullet_list_open" else NUMBERS, list_count))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "table_open":
            rows = []
        elif kind == "table_close" and rows is not None:
            if rows:
                found.append(Table(tuple(rows)))
            rows = None
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and rows is not None:
            rows.append(tuple(row))
        elif kind in ("th_open", "td_open"):
            header_cell = kind == "th_open"
        elif kind == "inline" and rows is not None:
            row.append(_runs(token.children or [], bold=header_cell))
        elif kind == "inline":
            runs = _runs(token.children or [])
            if runs:
                preset, list_id = lists[-1] if lists else (None, 0)
                found.append(Paragraph(runs, heading or "NORMAL_TEXT", preset, list_id))
        elif kind in ("fence", "code_block"):
            for line in token.content.rstrip("\n").split("\n"):
                found.append(Paragraph((Run(_clean(line) or " ", code=True),)))
    return found


@dataclass
class _Span:
    """Where a run ended up: [start, end) in the document."""

    start: int
    end: int
    run: Run


def requests(document: Sequence[Block]) -> list[dict[str, Any]]:
    """``batchUpdate`` requests writing ``document`` into an empty body (one empty paragraph,
    whatever its style)."""
    inserts: list[dict[str, Any]] = []
    headings: list[dict[str, Any]] = []
    lists: dict[int, tuple[str, int, int]] = {}  # list id → (preset, first index, end)
    spans: list[_Span] = []
    end = 2  # the body's end: its final newline is at end - 1
    final_empty = True  # the final paragraph holds no text (an empty body, after a table)
    for block in document:
        if isinstance(block, Paragraph):
            text = "".join(r.text for r in block.runs)
            at = end - 1
            start = at if final_empty else at + 1
            inserts.append(_insert(at, text if final_empty else "\n" + text))
            end = start + u16(text) + 1
            final_empty = False
            spans += _place(start, block.runs)
            if block.style != "NORMAL_TEXT":
                headings.append(_paragraph_style(start, end, block.style))
            if block.bullet:
                first = lists.get(block.list_id, (block.bullet, start, end))[1]
                lists[block.list_id] = (block.bullet, first, end)
            continue
        table_start = end  # "the table start index will be at the location index + 1"
        columns = block.columns
        inserts.append(
            {
                "insertTable": {
                    "rows": len(block.rows),
                    "columns": columns,
                    "location": {"index": end - 1},
                }
            }
        )
        empty_cells = []  # (index of the cell's empty paragraph, runs), in reading order
        for i, row in enumerate(block.rows):
            for j in range(columns):
                runs = row[j] if j < len(row) else ()
                empty_cells.append((table_start + 3 + i * (1 + 2 * columns) + 2 * j, runs))
        for index, runs in reversed(empty_cells):
            text = "".join(r.text for r in runs)
            if text:
                inserts.append(_insert(index, text))
        shift = 0
        for index, runs in empty_cells:
            spans += _place(index + shift, runs)
            shift += u16("".join(r.text for r in runs))
        end = table_start + 2 + len(block.rows) * (1 + 2 * columns) + shift + 1
        final_empty = True
    return inserts + _styles(end, headings, lists, spans)


def _place(start: int, runs: Sequence[Run]) -> list[_Span]:
    placed = []
    for run in runs:
        length = u16(run.text)
        placed.append(_Span(start, start + length, run))
        start += length
    return placed


def _insert(index: int, text: str) -> dict[str, Any]:
    return {"insertText": {"location": {"index": index}, "text": text}}


def _paragraph_style(start: int, end: int, style: str) -> dict[str, Any]:
    return {
        "updateParagraphStyle": {
            "range": {"startIndex": start, "endIndex": end},
            "paragraphStyle": {"namedStyleType": style},
            "fields": "namedStyleType",
        }
    }


def _styles(
    end: int,
    headings: list[dict[str, Any]],
    lists: dict[int, tuple[str, int, int]],
    spans: list[_Span],
) -> list[dict[str, Any]]:
    """Reset the whole body to plain paragraphs and plain text, then style what needs it."""
    if end <= 2:
        return []
    body = {"startIndex": 1, "endIndex": end - 1}
    found: list[dict[str, Any]] = [
        _paragraph_style(1, end - 1, "NORMAL_TEXT"),
        {"deleteParagraphBullets": {"range": body}},
        {
            "updateTextStyle": {
                "range": body,
                "textStyle": {},
                "fields": "bold,italic,link,weightedFontFamily",
            }
        },
        *headings,
    ]
    for preset, start, stop in lists.values():
        found.append(
            {
                "createParagraphBullets": {
                    "range": {"startIndex": start, "endIndex": stop},
                    "bulletPreset": preset,
                }
            }
        )
    for span in spans:
        found += _text_style(span)
    return found


def _text_style(span: _Span) -> list[dict[str, Any]]:
    run = span.run
    style: dict[str, Any] = {}
    if run.bold:
        style["bold"] = True
    if run.italic:
        style["italic"] = True
    if run.code:
        style["weightedFontFamily"] = CODE_FONT
    if run.link:
        style["link"] = {"url": run.link}
    if not style or span.end <= span.start:
        return []
    return [
        {
            "updateTextStyle": {
                "range": {"startIndex": span.start, "endIndex": span.end},
                "textStyle": style,
                "fields": ",".join(style),
            }
        }
    ]
