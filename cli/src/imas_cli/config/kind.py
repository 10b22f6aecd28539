"""What every kind of configuration entry has in common, and the names that tie them together.

Each kind (``teams``, ``schedules`` ...) is a file struct (the YAML fields, checked by msgspec,
defaults omitted when exported) and the pure functions between three shapes: the file's entry,
the API's object, the API's body. Files name things (a team by name, a person by e-mail); the
API often wants ids: :class:`Names` holds both ways. An entry is compared with what IMAS has in
the file's shape, so applying an export changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)


class Spec(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """Base of every file struct: unknown fields refused, defaults left out of exports."""


class SecretRef(Spec, frozen=True, kw_only=True):
    """Where a secret is read from when the files are applied: an environment variable or a
    file (its whole content, trailing newline dropped; a relative path starts at the YAML
    file's folder). A secret itself is never written in a configuration file."""

    from_env: str = ""
    from_file: str = ""


@dataclass(frozen=True)
class Refusal:
    """A problem of one field of an entry (``field`` is a path such as ``steps[0].delay``)."""

    field: str
    message: str


@dataclass(frozen=True)
class Reference:
    """An entry names another: ``kind`` (``person``, ``team``, ``scope``, ``schedule``)
    ``name`` at ``field``."""

    kind: str
    name: str
    field: str


class Names:
    """Ids and names of people (by e-mail), teams, scopes and schedules (``team/name``), both
    ways; what apply creates is added as it goes."""

    def __init__(self) -> None:
        self._ids: dict[str, dict[str, str]] = {}
        self._names: dict[str, dict[str, str]] = {}

    def add(self, kind: str, id_: str, name: str) -> None:
        self._ids.setdefault(kind, {})[name.casefold()] = id_
        self._names.setdefault(kind, {})[id_] = name

    def forget(self, kind: str, id_: str) -> None:
        name = self._names.get(kind, {}).pop(id_, None)
        if name is not None:
            self._ids[kind].pop(name.casefold(), None)

    def id(self, kind: str, name: str) -> str:
        """The id of ``name``; '' when IMAS has none yet."""
        return self._ids.get(kind, {}).get(name.casefold(), "")

    def name(self, kind: str, id_: str) -> str:
        """The name of ``id_``; the id itself when unknown (an entry deleted meanwhile)."""
        return self._names.get(kind, {}).get(id_, id_)

    def known(self, kind: str, name: str) -> bool:
        return name.casefold() in self._ids.get(kind, {})


def schedule_name(team: str, name: str) -> str:
    """How a schedule is named among all teams' schedules."""
    return f"{team}/{name}"


@dataclass
class Live(Generic[S]):
    """An entry as IMAS has it: its id, the entry in the file's shape, the API's object."""

    id: str
    spec: S
    raw: dict[str, Any]


class Kind(Generic[S]):
    """One kind of entry. Subclasses set the class attributes and override what differs."""

    section: ClassVar[str]  # ``teams``: the files' section and the order of the sections
    document: ClassVar[str]  # ``Team``: a document of one entry says ``kind: Team``
    noun: ClassVar[str]  # ``team``: how changes are printed
    spec: type[S]
    # Other spellings accepted in files: {written: field}.
    aliases: ClassVar[dict[str, str]] = {}
    # Secret fields, compared by name only: their values are never read back.
    has_secrets: ClassVar[bool] = False
    # The one secret field of kinds that have one (``secret``, ``password``), not ``secrets``.
    single_secret: ClassVar[str] = ""
    # Entries whose order means something (the incident roles): exported in IMAS's order,
    # not by name.
    ordered: ClassVar[bool] = False

    def fields(self) -> set[str]:
        return set(self.spec.__struct_fields__) | set(self.aliases)

    def precheck(self, data: dict[str, Any]) -> list[Refusal]:
        """Problems of the raw entry that msgspec would explain badly."""
        return []

    def check(self, spec: S) -> list[Refusal]:
        """What IMAS would refuse in this entry, found before anything is sent."""
        return []

    def normalize(self, spec: S) -> S:
        """The entry as IMAS would store it (e-mails in lower case, sets sorted ...)."""
        return spec

    def creation_problems(self, spec: S) -> list[Refusal]:
        """What IMAS needs to create the entry that the files may leave out (a password)."""
        return []

    def resend(self, spec: S, update_secrets: bool, reset: frozenset[str]) -> bool:
        """Whether secrets IMAS already holds are sent again: after a rotation
        (``--update-secrets``); users' passwords only when named by ``--reset-password``."""
        return update_secrets

    def key(self, spec: S) -> str:
        """What identifies the entry (its name): files and IMAS are matched by it."""
        return str(getattr(spec, "name"))  # noqa: B009 - every kind but a few has a name

    def label(self, spec: S) -> str:
        """How the entry is printed."""
        return self.key(spec)

    def references(self, spec: S) -> list[Reference]:
        """The other entries it names, which must exist in the files or in IMAS."""
        return []

    def from_live(self, raw: dict[str, Any], names: Names) -> S:
        """An API object in the file's shape (normalized)."""
        return self.normalize(self.convert(raw))

    def convert(self, raw: dict[str, Any]) -> S:
        """The file struct of the fields of ``raw`` it has (ids and dates left out)."""
        known = self.spec.__struct_fields__
        return msgspec.convert({k: v for k, v in raw.items() if k in known}, self.spec)

    def made_by_imas(self, raw: dict[str, Any]) -> bool:
        """Entries IMAS makes itself are never exported nor pruned."""
        return False

    def settle(self, desired: S, live: S) -> S:
        """``desired`` with what the file leaves to IMAS taken from ``live`` (a derived slug)."""
        return desired

    def body(self, spec: S, names: Names, secrets: dict[str, str]) -> dict[str, Any]:
        """The API body that makes IMAS hold ``spec``; ``secrets`` are the values to send."""
        data: dict[str, Any] = msgspec.to_builtins(spec)
        return data

    def secrets(self, spec: S) -> dict[str, SecretRef]:
        return dict(getattr(spec, "secrets", {}))

    def stored_secrets(self, live: S) -> set[str]:
        """The secrets IMAS holds for an entry (by name)."""
        return set(self.secrets(live))

    def over(self, spec: S) -> bool:
        """An entry whose time is over (a silence that ended): neither made again from the
        files, nor deleted, nor exported."""
        return False

    def comparable(self, spec: S) -> S:
        """What is compared: secrets by name only."""
        if not self.has_secrets:
            return spec
        return msgspec.structs.replace(spec, secrets={n: SecretRef() for n in self.secrets(spec)})

    def placeholders(self, spec: S) -> S:
        """The entry as exported: each secret a reference to an environment variable."""
        if not self.has_secrets:
            return spec
        refs = {n: SecretRef(from_env=secret_variable(self, spec, n)) for n in self.secrets(spec)}
        return msgspec.structs.replace(spec, secrets=refs)


class ConfiguredWithSecrets(Kind[S]):
    """A kind configured as ``{name, kind, enabled, config, secrets}`` whose secrets IMAS
    holds write-only and lists by name (notification providers, LID exporters)."""

    has_secrets = True

    def precheck(self, data: dict[str, Any]) -> list[Refusal]:
        return refuse_literal_secrets(data, ("secrets",))

    def check(self, spec: S) -> list[Refusal]:
        return check_secret_refs(self.secrets(spec), "secrets")

    def from_live(self, raw: dict[str, Any], names: Names) -> S:
        return self.convert({**raw, "secrets": {name: {} for name in raw.get("secrets", [])}})

    def body(self, spec: S, names: Names, secrets: dict[str, str]) -> dict[str, Any]:
        fields = ("name", "kind", "enabled", "config")
        return {**{f: getattr(spec, f) for f in fields}, "secrets": secrets}


def plain(value: Any) -> Any:
    """``value`` as YAML builtins, as a person would write it: fields equal to their default
    left out (msgspec's ``omit_defaults`` compares strings by identity), whole floats as
    integers."""
    if isinstance(value, Spec):
        data = {}
        for info in msgspec.structs.fields(value):
            current = getattr(value, info.name)
            if info.default is not msgspec.NODEFAULT:
                default: Any = info.default
            elif info.default_factory is not msgspec.NODEFAULT:
                default = info.default_factory()
            else:
                default = msgspec.NODEFAULT
            if default is msgspec.NODEFAULT or current != default:
                data[info.encode_name] = plain(current)
        return data
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return msgspec.to_builtins(value)


def secret_variable(kind: Kind[Any], spec: Any, secret: str) -> str:
    """The environment variable an export names for a secret: ``IMAS_SLACK_BOT_TOKEN`` for
    the secret ``bot_token`` of the provider ``slack``."""
    words = re.sub(r"[^A-Za-z0-9]+", "_", f"{kind.key(spec)}_{secret}").strip("_").upper()
    return f"IMAS_{words}"


def differences(kind: Kind[S], desired: S, live: S) -> list[str]:
    """The fields in which ``desired`` and ``live`` differ (secrets by name)."""
    a, b = kind.comparable(desired), kind.comparable(live)
    return [f for f in a.__struct_fields__ if getattr(a, f) != getattr(b, f)]


def refuse_literal_secrets(data: dict[str, Any], fields: tuple[str, ...]) -> list[Refusal]:
    """A secret written in a file ends up in a repository: refuse it, saying what to write."""
    refusals = []
    for name in fields:
        value = data.get(name)
        values = value.items() if name == "secrets" and isinstance(value, dict) else [("", value)]
        for key, secret in values:
            if isinstance(secret, str | int | float) and not isinstance(secret, bool):
                where = f"{name}.{key}" if key else name
                refusals.append(
                    Refusal(
                        where,
                        "a secret is not written in a file: use {from_env: VARIABLE} or "
                        "{from_file: PATH}",
                    )
                )
    return refusals


def check_secret_refs(refs: dict[str, SecretRef], field: str) -> list[Refusal]:
    return [
        Refusal(f"{field}.{name}" if name else field, "give one of from_env or from_file")
        for name, ref in refs.items()
        if bool(ref.from_env) == bool(ref.from_file)
    ]
