"""``imas apply -f PATH`` and ``imas export``: the whole configuration as code, through the
gateway's public API with a token (``IMAS_URL``, ``IMAS_TOKEN``), so roles and the audit log
apply as they do to any other change.

``apply`` checks every file first (any problem refuses everything, with file and line), reads
what IMAS has, and creates, replaces or (``--prune``) deletes entries until IMAS holds what the
files say: applying twice changes nothing the second time, and says so. ``--dry-run`` prints
the same list and changes nothing. ``export`` writes what IMAS holds as such a file.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path
from typing import Any

import yaml

from imas_cli.config.engine import ApplyFailed, FetchFailed, Made, execute, read
from imas_cli.config.export import export
from imas_cli.config.files import ConfigError, ConfigFiles, load
from imas_cli.config.kinds import KINDS
from imas_cli.config.plan import (
    Applier,
    Options,
    describe,
    make_plan,
    own_deletions,
    unknown_resets,
)
from imas_cli.config.remote import Gateway, Refused
from imas_cli.gateway import add_options, call, gateway_url
from imas_client import AuthenticatedClient

# Exit codes: done, IMAS refused a change (or could not be reached), the files were refused.
DONE, FAILED, REFUSED = 0, 1, 2
SECTIONS = [kind.section for kind in KINDS]


def add_parsers(commands: Any) -> None:
    apply = commands.add_parser(
        "apply",
        help="make IMAS hold the configuration YAML files describe (safe to repeat)",
        description=(
            "Create or replace what the files declare (teams, services, scopes, people, tag "
            "rules, schedules, escalation policies, notification providers, routing rules, "
            "integrations, alert rules, silences, LID exporters, runbooks, incident roles, users, "
            "API tokens), "
            "matching entries by name. Every file is checked first: any problem refuses "
            "everything, with its line. Goes through the gateway with a token, like any API call."
        ),
    )
    apply.add_argument(
        "-f",
        "--file",
        type=Path,
        action="append",
        required=True,
        help="a YAML file or a folder of them (repeatable)",
    )
    apply.add_argument("--dry-run", action="store_true", help="print what would change only")
    apply.add_argument(
        "--prune",
        action="store_true",
        help="also delete what the files no longer declare, in the sections they name",
    )
    apply.add_argument(
        "--update-secrets",
        action="store_true",
        help="send every secret the files reference, even those IMAS holds (after a rotation)",
    )
    apply.add_argument(
        "--reset-password",
        action="append",
        default=[],
        metavar="USERNAME",
        help="set this user's password again from the files (repeatable; else a password "
        "is set only when the user is created)",
    )
    apply.add_argument(
        "--secrets-file",
        type=Path,
        default=None,
        help="where to write the secrets IMAS makes for new integrations and tokens (shown "
        "only once)",
    )
    add_options(apply)

    exporting = commands.add_parser(
        "export",
        help="write the live configuration as YAML that `imas apply` takes",
        description=(
            "Write what IMAS holds (every kind, or those named with --kind) as one YAML "
            "file. Secrets are never written: each is a reference to an environment variable."
        ),
    )
    exporting.add_argument(
        "-o", "--output", type=Path, default=None, help="the file to write (default: stdout)"
    )
    exporting.add_argument(
        "--kind",
        action="append",
        choices=SECTIONS,
        default=None,
        help="only this section (repeatable; default: all)",
    )
    add_options(exporting)


def cmd_apply(args: argparse.Namespace) -> int:
    try:
        config = load(args.file)
    except ConfigError as exc:
        return _refused(exc)
    return call(args, lambda a, client: run_apply(a, client, config), failed=FAILED)


def _refused(exc: ConfigError) -> int:
    print("refused, nothing applied:", file=sys.stderr)
    print(str(exc), file=sys.stderr)
    return REFUSED


async def run_apply(
    args: argparse.Namespace, client: AuthenticatedClient, config: ConfigFiles | None = None
) -> int:
    """Check the files (unless ``config`` holds them checked), plan, then (unless
    ``--dry-run``) apply; print what changed."""
    if config is None:
        try:
            config = load(args.file)
        except ConfigError as exc:
            return _refused(exc)
    gateway = Gateway(client)
    try:
        current = await read(gateway, config.sections, with_rules="people" in config.sections)
    except FetchFailed as exc:
        print(f"nothing applied: {exc}", file=sys.stderr)
        return FAILED
    options = Options(
        prune=args.prune,
        update_secrets=args.update_secrets,
        reset_passwords=frozenset(n.strip().casefold() for n in args.reset_password),
    )
    plan = make_plan(config, current.entries, current.names, options, os.environ)
    if plan.problems:
        return _refused(ConfigError(plan.problems))
    refusals = unknown_resets(config, options)
    if args.prune and {"users", "tokens"} & config.sections:
        own = own_deletions(plan, await _applier(gateway))
        refusals += [
            f"--prune would delete the {what} this apply runs as: declare it in the files, "
            "or apply with another token"
            for what in own
        ]
    if refusals:
        print("refused, nothing applied:", file=sys.stderr)
        for line in refusals:
            print(line, file=sys.stderr)
        return REFUSED
    if args.dry_run:
        for line in describe(plan, dry_run=True):
            print(line)
        return DONE
    try:
        made = await execute(plan, gateway, current.names)
    except ApplyFailed as exc:
        for line in describe(plan, dry_run=False, done=exc.done):
            print(line)
        print(_failure(exc), file=sys.stderr)
        return FAILED
    for line in describe(plan, dry_run=False):
        print(line)
    _made_secrets(made, args.secrets_file)
    return DONE


async def _applier(gateway: Gateway) -> Applier:
    try:
        me = await gateway.whoami()
    except Refused:
        return Applier()  # a token that does not verify could not have read anything
    return Applier(str(me["id"]), str(me.get("user_id") or ""))


def _failure(exc: ApplyFailed) -> str:
    change, refused = exc.change, exc.refused
    entry = change.entry
    if entry is None:
        return f"{change.kind.noun} {change.label}: not deleted: {refused}"
    named = [(f, m) for f, m in refused.errors if f not in ("", "body", "Authorization")]
    if named:
        field, message = named[0]
        return str(entry.source.problem(f"refused ({refused.status}): {message}", field))
    return str(entry.source.problem(str(refused)))


def _made_secrets(made: list[Made], path: Path | None) -> None:
    """Integrations' and tokens' secrets are shown once, when made. An integration's is kept
    in ``path`` (owner-only), never printed, since what apply prints often ends up in a CI
    log. A token's goes to its ``secret_file``, else to ``path``, else once to stderr."""
    shown = {
        m.change.label: {
            k: m.answer[k] for k in ("secret", "routing_key", "webhook_url") if m.answer.get(k)
        }
        for m in made
        if m.change.kind.section == "integrations" and m.answer.get("secret")
    }
    for m in made:
        if m.change.kind.section != "tokens" or not m.answer.get("token"):
            continue
        entry, secret = m.change.entry, str(m.answer["token"])
        assert entry is not None
        if entry.spec.secret_file:
            target = Path(entry.spec.secret_file).expanduser()
            if not target.is_absolute():
                target = Path(entry.source.path).parent / target
            _private(target, secret + "\n")
            print(f"token {m.change.label}: its secret written to {target}", file=sys.stderr)
        elif path is not None:
            shown[f"token {m.change.label}"] = {"token": secret}
        else:
            print(
                f"token {m.change.label}: {secret}  (shown only this once: keep it now)",
                file=sys.stderr,
            )
    if not shown:
        return
    if path is None:
        for name in shown:
            print(
                f"integration {name}: IMAS made its secret, shown only once and not printed; "
                "apply with --secrets-file FILE to keep such secrets",
                file=sys.stderr,
            )
        return
    existing: dict[str, Any] = {}
    if path.exists():
        existing = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    existing.update(shown)
    _private(path, yaml.safe_dump(existing, sort_keys=True))
    print(f"secrets of {len(shown)} new entries written to {path}", file=sys.stderr)


def _private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


def cmd_export(args: argparse.Namespace) -> int:
    return call(args, run_export, failed=FAILED)


async def run_export(args: argparse.Namespace, client: AuthenticatedClient) -> int:
    """Write the sections ``--kind`` names (all by default) to ``--output`` or stdout."""
    sections = args.kind or SECTIONS
    try:
        text = await export(Gateway(client), sections, gateway_url(args, os.environ))
    except (FetchFailed, Refused) as exc:
        print(f"nothing exported: {exc}", file=sys.stderr)
        return FAILED
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    return DONE
