"""The layout lint (tools/lint.py, run by ``make lint``) passes on the repository and refuses
each thing it exists to refuse."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from imas_testing import load_script

pytestmark = pytest.mark.unit

tool = load_script(Path(__file__).resolve().parents[2] / "tools" / "lint.py")
REQUEST_BODY_BUDGET = tool.REQUEST_BODY_BUDGET
Finding, Source, lint = tool.Finding, tool.Source, tool.lint
domain_is_pure, imports_are_declared = tool.domain_is_pure, tool.imports_are_declared
no_private_imports = tool.no_private_imports
no_test_support_in_production = tool.no_test_support_in_production
services_stay_apart, sql_stays_in_stores = tool.services_stay_apart, tool.sql_stays_in_stores


def source(relative: str, code: str) -> tool.Source:
    return Source(Path(relative), relative, ast.parse(textwrap.dedent(code)))


def lines(findings: object) -> list[int]:
    assert not isinstance(findings, str)
    return sorted(f.line for f in findings)  # type: ignore[attr-defined]


def write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_the_repository_follows_its_layout_rules():
    report = lint()

    assert report.errors == [], "\n".join(str(f) for f in report.errors)


def test_a_service_importing_another_service_is_refused_in_code_and_tests():
    code = """\
        from imas_contracts.incidents import IncidentTriggered
        from imas_runtime.bus import Bus
        from imas_notifier.store import deliveries
        from imas_incidents.store import incidents
        import imas_escalation.domain
    """

    in_src = list(services_stay_apart(source("services/notifier/src/imas_notifier/x.py", code)))
    in_tests = list(services_stay_apart(source("services/notifier/tests/test_x.py", code)))
    cross_service_tests = services_stay_apart(source("tests/integration/test_x.py", code))

    assert lines(in_src) == [4, 5]
    assert {f.rule for f in in_src} == {"service-imports-service"}
    assert lines(in_tests) == [4, 5]
    assert list(cross_service_tests) == []


def test_a_library_importing_a_service_or_the_cli_is_refused():
    code = "from imas_gateway.app import create_app\nfrom imas_cli.demo import DEMO_CATALOG\n"

    found = list(services_stay_apart(source("libs/runtime/src/imas_runtime/x.py", code)))

    assert lines(found) == [1, 2]


def test_a_domain_module_doing_io_is_refused():
    code = """\
        import re
        from imas_runtime import patterns
        from imas_runtime.errors import Invalid
        import sqlalchemy as sa
        from imas_runtime.bus import Bus
        from imas_runtime import outbox
        from httpx import AsyncClient
        import urllib.request
    """

    found = list(domain_is_pure(source("services/ingest/src/imas_ingest/domain.py", code)))
    elsewhere = domain_is_pure(source("services/ingest/src/imas_ingest/usecases.py", code))

    assert lines(found) == [4, 5, 6, 7, 8]
    assert "sqlalchemy" in found[0].message
    assert list(elsewhere) == []


def test_sql_outside_a_store_is_refused():
    code = """\
        import sqlalchemy as sa
        from sqlalchemy import select
        from sqlalchemy.dialects.postgresql import insert
        from sqlalchemy.exc import IntegrityError
        from sqlalchemy.ext.asyncio import AsyncEngine
        from imas_runtime.outbox import outbox, outbox_rows
        from imas_incidents.models import incidents

        async def handle(engine: AsyncEngine, values: dict) -> None:
            values.update(status="open")
            async with engine.begin() as conn:
                await conn.execute(outbox.insert(), outbox_rows([]))
                await conn.execute(incidents.update().values(**values))
                await conn.execute(sa.text("SELECT 1"))
                await conn.exec_driver_sql("SELECT 1")
                QUERY = '''
                    UPDATE incidents SET status = 'open'
                '''
    """
    usecases = "services/incidents/src/imas_incidents/usecases.py"

    found = list(sql_stays_in_stores(source(usecases, code)))
    # Events go to the outbox through emit(): a hand-written outbox row is refused too.
    assert lines(found) == [2, 3, 12, 13, 14, 14, 15, 15, 16]
    assert {f.rule for f in found} == {"sql-outside-store"}
    for store in ("store.py", "catalog/store.py", "users_store.py", "models.py"):
        path = f"services/incidents/src/imas_incidents/{store}"
        assert list(sql_stays_in_stores(source(path, code))) == []
    migration = "services/incidents/src/imas_incidents/migrations/versions/0001_x.py"
    assert list(sql_stays_in_stores(source(migration, code))) == []


def test_test_support_in_production_code_is_refused():
    code = "import pytest\nfrom imas_testing import eventually\nimport imas_testing.fake_chat\n"

    for path in (
        "services/warroom/src/imas_warroom/chat/platforms.py",
        "libs/runtime/src/imas_runtime/x.py",
        "cli/src/imas_cli/x.py",
    ):
        assert lines(no_test_support_in_production(source(path, code))) == [1, 2, 3]
    for path in ("libs/testing/src/imas_testing/x.py", "services/warroom/tests/test_x.py"):
        assert list(no_test_support_in_production(source(path, code))) == []


def test_private_modules_of_other_packages_and_private_names_are_refused():
    code = """\
        from litestar._openapi.plugin import OpenAPIPlugin
        from litestar import get
        from imas_contracts._base import Event
        from imas_warroom.store import Record, _uuid
        from opentelemetry.sdk._configuration import _get_sampler
    """

    gateway = no_private_imports(source("services/gateway/src/imas_gateway/docs.py", code))
    contracts = no_private_imports(source("libs/contracts/src/imas_contracts/kpis.py", code))
    runtime = no_private_imports(source("libs/runtime/src/imas_runtime/telemetry.py", code))
    tests = no_private_imports(source("services/gateway/tests/test_docs.py", code))

    assert lines(gateway) == [1, 3, 4, 5, 5]
    assert lines(contracts) == [1, 4, 5, 5]
    assert lines(runtime) == [1, 3, 4]
    assert list(tests) == []


def test_a_type_ignore_names_its_code_and_says_why(tmp_path: Path):
    code = """\
        a = f()  # type: ignore
        b = f()  # type: ignore[arg-type]
        c = f()  # type: ignore[arg-type]  # checked above
        d = f()  # type: ignore[attr-defined,unused-ignore]  # untyped library
    """
    write(tmp_path, {"libs/runtime/src/imas_runtime/x.py": code, "cli/tests/test_x.py": code})

    found = [(f.path, f.line, f.rule) for f in lint(tmp_path).errors]

    assert found == [
        ("libs/runtime/src/imas_runtime/x.py", 1, "type-ignore-reason"),
        ("libs/runtime/src/imas_runtime/x.py", 2, "type-ignore-reason"),
    ]


def test_request_body_reads_beyond_the_budget_are_refused(tmp_path: Path):
    handler = """\
        async def create(request):
            raw = await request.body()
            other = await request.body()
            return raw + other
    """
    write(tmp_path, {"services/gateway/src/imas_gateway/api/incidents.py": handler})

    over = lint(tmp_path, request_body_budget=1)
    at = lint(tmp_path, request_body_budget=2)
    under = lint(tmp_path, request_body_budget=5)

    assert [(f.line, f.rule) for f in over.errors] == [(2, "request-body"), (3, "request-body")]
    assert (at.errors, at.notes) == ([], [])
    assert under.errors == []
    assert under.notes == [
        "request.body() reads in the gateway: 2; lower REQUEST_BODY_BUDGET in tools/lint.py to 2"
    ]
    assert REQUEST_BODY_BUDGET <= 44  # the count of December 2026: it only goes down


def test_a_library_importing_what_it_does_not_declare_is_refused(tmp_path: Path):
    write(
        tmp_path,
        {
            "libs/thing/pyproject.toml": """\
                [project]
                name = "imas-thing"
                dependencies = ["msgspec>=0.18"]
                [project.optional-dependencies]
                client = ["httpx>=0.27"]
            """,
            "libs/thing/src/imas_thing/__init__.py": """\
                import json
                import msgspec
                import httpx
                import yaml
                from imas_thing import other
                from imas_contracts import Message
            """,
        },
    )
    sources = [
        Source(p, str(p.relative_to(tmp_path)), ast.parse(p.read_text()))
        for p in tmp_path.rglob("*.py")
    ]

    found = list(imports_are_declared(tmp_path, sources))

    assert [(f.line, f.rule) for f in found] == [(4, "undeclared-import"), (6, "undeclared-import")]
    assert "yaml" in found[0].message and "pyyaml" in found[0].message
    assert isinstance(found[0], Finding)
