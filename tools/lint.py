"""The layout rules IMAS decided on, checked on the syntax tree: ``make lint`` runs this file.

    uv run python tools/lint.py          # the whole repository; exit 1 on any error

Each rule says what it refuses and why; docs/development.md lists them with what they do not
cover. An error names the file, the line and the rule. A budget (a count allowed while older
code is brought in line) fails when exceeded and asks to be lowered once the code is below it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SERVICES = ("gateway", "ingest", "incidents", "notifier", "escalation", "warroom")
SERVICE_PACKAGES = {f"imas_{s}" for s in SERVICES}

# Modules a domain.py may not import: they reach a database, a broker, a cache or the network.
IO_MODULES = frozenset(
    {
        "aiosmtpd",
        "alembic",
        "asyncpg",
        "httpcore",
        "httpx",
        "litestar",
        "nats",
        "redis",
        "smtplib",
        "socket",
        "sqlalchemy",
        "subprocess",
        "urllib.request",
        "uvicorn",
    }
)
# The runtime's modules that do I/O (the others, errors, patterns, markup..., are pure).
IO_RUNTIME_MODULES = frozenset(
    f"imas_runtime.{m}"
    for m in (
        "bus",
        "catalog_projection",
        "consumer",
        "db",
        "embedded",
        "health",
        "migrations",
        "outbound",
        "outbox",
        "rpc",
        "secrets_box",
        "service",
        "streams",
        "telemetry",
    )
)
# What production code never imports: test support lives in libs/testing, a dev dependency.
TEST_SUPPORT = frozenset({"imas_testing", "pytest", "hypothesis", "testcontainers"})

# sqlalchemy's SQL builders: only a store (or the schema in models.py, or a migration) uses them.
SQL_BUILDERS = frozenset(
    {
        "and_",
        "bindparam",
        "case",
        "cast",
        "column",
        "delete",
        "distinct",
        "except_",
        "exists",
        "func",
        "insert",
        "intersect",
        "literal",
        "literal_column",
        "not_",
        "null",
        "or_",
        "select",
        "table",
        "text",
        "tuple_",
        "union",
        "union_all",
        "update",
        "values",
    }
)
SQL_STATEMENT = re.compile(
    r"^\s*(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|WITH|CREATE|ALTER|DROP|TRUNCATE|LOCK)\s"
)
TABLE_STATEMENTS = frozenset({"insert", "update", "delete", "select"})

# `await request.body()` and a manual decode in gateway handlers: Litestar should decode the
# body into a typed `data` argument. The reshaping of the gateway removes them; this budget
# must only go down (the webhooks and chat endpoints keep reading raw bytes: they check
# signatures over them).
REQUEST_BODY_BUDGET = 2
# Private modules of other packages imported on purpose, per package, each with its reason.
PRIVATE_IMPORTS_ALLOWED = {
    # The SDK's own configuration from OTEL_* variables (exporters by entry point, the sampler
    # OTEL_TRACES_SAMPLER names), which has no public equivalent; pinned in uv.lock.
    ("imas_runtime", "opentelemetry.sdk._configuration"): "OTEL_* configuration",
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.message}"


@dataclass
class Report:
    errors: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    """A Python file of the repository, parsed."""

    path: Path
    relative: str
    tree: ast.Module

    @property
    def parts(self) -> tuple[str, ...]:
        return Path(self.relative).parts


def imports(tree: ast.AST) -> Iterator[tuple[int, str, list[str]]]:
    """``(line, module, names)`` for every absolute import; ``import a.b`` gives ``("a.b", [])``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module, [alias.name for alias in node.names]


def within(module: str, packages: frozenset[str] | set[str]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in packages)


def owning_service(source: Source) -> str | None:
    parts = source.parts
    if len(parts) > 2 and parts[0] == "services" and parts[1] in SERVICES:
        return parts[1]
    return None


def in_service_src(source: Source) -> bool:
    return owning_service(source) is not None and source.parts[2] == "src"


def is_store(source: Source) -> bool:
    name = source.parts[-1]
    return (
        "migrations" in source.parts
        or name == "models.py"
        or (name.startswith("store") and name.endswith(".py"))
        or name.endswith("_store.py")  # the gateway's users_store.py (one naming rule: to come)
    )


# -- rules --------------------------------------------------------------------------------------


def services_stay_apart(source: Source) -> Iterator[Finding]:
    """A service talks to another over NATS only: its code and tests never import another
    service; the libraries import no service at all."""
    own = owning_service(source)
    in_lib = source.parts[0] == "libs" and "src" in source.parts
    if own is None and not in_lib:
        return
    others = SERVICE_PACKAGES - {f"imas_{own}"}
    if in_lib:
        others = others | {"imas_cli"}
    for line, module, _ in imports(source.tree):
        if within(module, others):
            where = f"the {own} service" if own else "a library"
            yield Finding(
                source.relative, line, "service-imports-service", f"{where} imports {module}"
            )


def domain_is_pure(source: Source) -> Iterator[Finding]:
    """``domain.py`` holds the rules, no I/O: what it needs is passed in by the use cases."""
    if not in_service_src(source) or source.parts[-1] != "domain.py":
        return
    for line, module, names in imports(source.tree):
        reached = {module} | {f"{module}.{n}" for n in names}
        bad = {m for m in reached if within(m, IO_MODULES) or within(m, IO_RUNTIME_MODULES)}
        if bad:
            yield Finding(
                source.relative, line, "io-in-domain", f"domain.py imports {min(bad)} (I/O)"
            )


def sql_stays_in_stores(source: Source) -> Iterator[Finding]:
    """SQL is written in ``store*.py`` (the schema in ``models.py``, changes in migrations):
    no SQL builder, SQL text or table statement in use cases, handlers or routes. Events go
    to the outbox through the runtime's ``emit()``, not ``outbox.insert()``."""
    if not in_service_src(source) or is_store(source):
        return
    tables: set[str] = set()
    sqlalchemy_aliases: set[str] = set()
    for line, module, names in imports(source.tree):
        if module == "sqlalchemy" or module.startswith(("sqlalchemy.sql", "sqlalchemy.dialects")):
            for name in sorted(set(names) & SQL_BUILDERS):
                yield Finding(source.relative, line, "sql-outside-store", f"imports {name}")
        if module.endswith(".models") or module == "imas_runtime.outbox":
            tables.update(names)
    for node in ast.walk(source.tree):
        if isinstance(node, ast.Import):
            sqlalchemy_aliases.update(
                a.asname or a.name for a in node.names if a.name == "sqlalchemy"
            )
    for node in ast.walk(source.tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SQL_STATEMENT.match(node.value):
                yield Finding(source.relative, node.lineno, "sql-outside-store", "SQL text")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver, method = node.func.value, node.func.attr
            if not isinstance(receiver, ast.Name):
                continue
            if receiver.id in sqlalchemy_aliases and method in SQL_BUILDERS:
                yield Finding(
                    source.relative, node.lineno, "sql-outside-store", f"{receiver.id}.{method}"
                )
            elif method == "exec_driver_sql":
                yield Finding(source.relative, node.lineno, "sql-outside-store", "SQL text")
            elif receiver.id in tables and method in TABLE_STATEMENTS:
                yield Finding(
                    source.relative,
                    node.lineno,
                    "sql-outside-store",
                    f"{receiver.id}.{method}() on a table",
                )


def no_test_support_in_production(source: Source) -> Iterator[Finding]:
    """Production code (services, the CLI, contracts and runtime) imports no test support."""
    parts = source.parts
    production = in_service_src(source) or (
        "src" in parts and parts[0] in {"libs", "cli"} and "imas_testing" not in parts
    )
    if not production:
        return
    for line, module, _ in imports(source.tree):
        if within(module, TEST_SUPPORT):
            yield Finding(source.relative, line, "test-support-in-production", f"imports {module}")


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def no_private_imports(source: Source) -> Iterator[Finding]:
    """In services, libs and the CLI, no private name (``from m import _x``) crosses a module,
    and no private module (``litestar._openapi``) is imported from another package: they change
    without notice; a package re-exports what others may use (``imas_contracts.Event``)."""
    if source.parts[0] not in {"services", "libs", "cli"} or "tests" in source.parts:
        return
    package = next((p for p in source.parts if p.startswith("imas_")), source.parts[0])
    for line, module, names in imports(source.tree):
        if (package, module) in PRIVATE_IMPORTS_ALLOWED:
            continue
        hidden = [p for p in module.split(".")[1:] if private(p)]
        if hidden and module.split(".")[0] != package:
            yield Finding(source.relative, line, "private-import", f"imports {module}")
        for name in filter(private, names):
            yield Finding(source.relative, line, "private-import", f"imports {name} of {module}")


IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")


def ignores_say_why(source: Source) -> Iterator[Finding]:
    """In services, libs and the CLI, a ``# type: ignore`` names its error codes and says why
    the checker is wrong there (``# type: ignore[arg-type]  # checked above``)."""
    if source.parts[0] not in {"services", "libs", "cli"} or "tests" in source.parts:
        return
    for number, text in enumerate(source.path.read_text().splitlines(), start=1):
        found = IGNORE.search(text)
        if found and not (found["codes"] and re.match(r"\s+#\s*\S", found["rest"])):
            yield Finding(
                source.relative,
                number,
                "type-ignore-reason",
                "write `# type: ignore[code]  # why` (the code, then the reason)",
            )


def request_body_reads(source: Source) -> list[int]:
    """Lines of ``request.body()`` calls in the gateway's code."""
    if owning_service(source) != "gateway" or not in_service_src(source):
        return []
    return [
        node.lineno
        for node in ast.walk(source.tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "body"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "request"
    ]


RULES = (
    services_stay_apart,
    domain_is_pure,
    sql_stays_in_stores,
    no_test_support_in_production,
    no_private_imports,
    ignores_say_why,
)


# -- declared dependencies ----------------------------------------------------------------------


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match is not None, requirement
    return normalized(match.group(0))


def members(root: Path) -> dict[str, Path]:
    """Workspace members by distribution name: ``{"imas-runtime": libs/runtime, ...}``."""
    found = {}
    for manifest in sorted([*root.glob("*/*/pyproject.toml"), *root.glob("*/pyproject.toml")]):
        project = tomllib.loads(manifest.read_text()).get("project", {})
        if (manifest.parent / "src").is_dir() and "name" in project:
            found[normalized(project["name"])] = manifest.parent
    return found


def declared(manifest: Path) -> set[str]:
    """Distributions a member names in its dependencies or in any of its extras."""
    project = tomllib.loads(manifest.read_text())["project"]
    wanted = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        wanted.extend(extra)
    return {requirement_name(r) for r in wanted}


def locked_closure(root: Path, name: str) -> set[str]:
    """Every distribution ``name`` installs according to uv.lock, requested extras included."""
    lock = tomllib.loads((root / "uv.lock").read_text())
    packages = {p["name"]: p for p in lock["package"]}
    found: set[str] = set()
    pending: list[dict[str, object]] = [{"name": name}]
    while pending:
        dependency = pending.pop()
        entry = packages[str(dependency["name"])]
        extras = entry.get("optional-dependencies", {})
        extra_names = dependency.get("extra", [])
        assert isinstance(extra_names, list)
        pending.extend(d for extra in extra_names for d in extras[extra])
        if entry["name"] not in found:
            found.add(entry["name"])
            pending.extend(entry.get("dependencies", []))
            # A member's own extras count as its own: it may import what they install.
            if entry["name"] == name:
                pending.extend(d for deps in extras.values() for d in deps)
    return found


def distributions_of(module: str, owners: Mapping[str, list[str]]) -> set[str]:
    top = module.split(".")[0]
    if top.startswith("imas_"):
        return {normalized(top)}
    return {normalized(d) for d in owners.get(top, [])}


def imports_are_declared(root: Path, sources: list[Source]) -> Iterator[Finding]:
    """A library declares every package it imports (extras included); a service or the CLI
    imports only what it or a workspace member it depends on declares (its locked packages):
    what works in the workspace because a neighbour installed it would be missing elsewhere."""
    owners = importlib.metadata.packages_distributions()
    stdlib = sys.stdlib_module_names
    for name, directory in members(root).items():
        relative = str(directory.relative_to(root))
        library = relative.startswith("libs/")
        allowed = declared(directory / "pyproject.toml") if library else locked_closure(root, name)
        allowed.add(name)
        for source in sources:
            if not source.relative.startswith(f"{relative}/src/"):
                continue
            for line, module, _ in imports(source.tree):
                top = module.split(".")[0]
                if top in stdlib or top == "__future__":
                    continue
                distributions = distributions_of(module, owners)
                if distributions and not distributions & allowed:
                    what = "declares" if library else "installs (uv.lock)"
                    yield Finding(
                        source.relative,
                        line,
                        "undeclared-import",
                        f"imports {top}, which {name} never {what}"
                        f" ({', '.join(sorted(distributions))})",
                    )


# -- running ------------------------------------------------------------------------------------

SKIPPED = {".venv", ".git", "node_modules", "__pycache__", ".imas", ".ci"}


def python_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if not SKIPPED & set(relative.parts):
            yield path


def parse(root: Path) -> list[Source]:
    return [
        Source(path, str(path.relative_to(root)), ast.parse(path.read_text(), str(path)))
        for path in python_files(root)
    ]


def lint(root: Path = REPO, request_body_budget: int = REQUEST_BODY_BUDGET) -> Report:
    report = Report()
    sources = parse(root)
    for source in sources:
        for rule in RULES:
            report.errors.extend(rule(source))
    report.errors.extend(imports_are_declared(root, sources))

    reads = [(s.relative, line) for s in sources for line in request_body_reads(s)]
    if len(reads) > request_body_budget:
        report.errors.extend(
            Finding(
                path,
                line,
                "request-body",
                f"{len(reads)} request.body() reads in the gateway, budget"
                f" {request_body_budget}: take `data: SomeStruct` instead",
            )
            for path, line in reads
        )
    elif len(reads) < request_body_budget:
        report.notes.append(
            f"request.body() reads in the gateway: {len(reads)}; lower REQUEST_BODY_BUDGET"
            f" in tools/lint.py to {len(reads)}"
        )
    return report


def main(argv: list[str] | None = None) -> int:
    report = lint(Path(argv[0]) if argv else REPO)
    for finding in sorted(report.errors, key=lambda f: (f.path, f.line)):
        print(finding)
    for note in report.notes:
        print(f"note: {note}")
    if report.errors:
        print(f"{len(report.errors)} layout errors (rules: tools/lint.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
