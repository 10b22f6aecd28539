"""Users and API tokens as code, through a real gateway: a password is applied once (again
only when asked), a token's secret is made once and never again, the diff names what changes,
``--prune`` never takes away what the apply runs as, and no secret reaches an export, what
apply prints, or the audit log.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from imas_runtime.service import ServiceRuntime
from tests.conftest import Mesh
from tests.integration.cli_runner import imas

pytestmark = pytest.mark.integration

PASSWORD = "first-password-never-shown"
ROTATED = "second-password-never-shown"

ACCESS = """\
users:
  - username: ines
    role: manager
    full_name: Inès Fabre
    email: Ines.Fabre@example.com
    password: {from_env: INES_PASSWORD}
tokens:
  - name: ci deploy
    role: admin
    scopes: [teams, users, tokens, catalog]
    rate_limit: 100
    rate_window: 60
    secret_file: ci-token
---
kind: token
name: grafana
role: integration
"""


@pytest.fixture
async def folder(
    mesh: Mesh,
    escalation: ServiceRuntime,
    warroom: ServiceRuntime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    monkeypatch.setenv("INES_PASSWORD", PASSWORD)
    return tmp_path


async def _signs_in(mesh: Mesh, username: str, password: str) -> str:
    """The token ``username`` obtains with ``password``; '' when refused."""
    answer = await mesh.client.post(
        "/api/token/obtain/", json={"username": username, "password": password}
    )
    return str(answer.json()["token"]) if answer.status_code == 200 else ""


async def _tokens(mesh: Mesh) -> dict[str, dict[str, object]]:
    """The tokens of no user in use (those users obtain are theirs, not configuration)."""
    listed = await mesh.client.get("/api/v1/tokens/", headers=mesh.auth)
    return {t["name"]: t for t in listed.json()["results"] if not t["user_id"]}


async def test_users_and_tokens_are_made_once_and_changed_in_place(
    mesh: Mesh, folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = folder / "access.yaml"
    path.write_text(ACCESS, encoding="utf-8")
    code, out, err = await imas(mesh, capsys, "apply", "-f", str(path))
    assert code == 0, err
    assert out.splitlines() == [
        "+ user ines",
        "+ token ci deploy",
        "+ token grafana",
        "3 created, 0 updated, 0 deleted, 0 unchanged",
    ]
    # The password works; the token's secret is in its file (owner-only), and works.
    assert await _signs_in(mesh, "ines", PASSWORD)
    secret_file = folder / "ci-token"
    ci_secret = secret_file.read_text().strip()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert f"token ci deploy: its secret written to {secret_file}" in err
    teams = await mesh.client.get("/api/v1/teams/", headers={"Authorization": f"Token {ci_secret}"})
    assert teams.status_code == 200
    # grafana's, with nowhere to go, is shown once on stderr, never on stdout.
    [grafana_line] = [line for line in err.splitlines() if line.startswith("token grafana: ")]
    grafana_secret = grafana_line.split()[2]
    assert (await _tokens(mesh))["grafana"]["prefix"] in grafana_secret
    assert ci_secret not in out + err and grafana_secret not in out and PASSWORD not in out + err
    ines = (await mesh.client.get("/api/v1/users/ines/", headers=mesh.auth)).json()
    assert (ines["role"], ines["full_name"], ines["email"]) == (
        "manager",
        "Inès Fabre",
        "ines.fabre@example.com",
    )

    # Applying again changes nothing, even with another password in the variable: a password
    # is applied once, and a token's secret is never made again.
    monkeypatch.setenv("INES_PASSWORD", ROTATED)
    code, out, err = await imas(mesh, capsys, "apply", "-f", str(path))
    assert code == 0, err
    assert out.splitlines() == ["no change", "0 created, 0 updated, 0 deleted, 3 unchanged"]
    assert err == ""
    assert await _signs_in(mesh, "ines", PASSWORD)
    assert secret_file.read_text().strip() == ci_secret

    # A dry run shows the diff, field by field, and changes nothing.
    edited = ACCESS.replace("role: manager", "role: operator").replace("100", "250")
    path.write_text(edited, encoding="utf-8")
    code, out, err = await imas(mesh, capsys, "apply", "-f", str(path), "--dry-run")
    assert code == 0, err
    assert out.splitlines() == [
        "~ user ines (role)",
        '    role: "manager" → "operator"',
        "~ token ci deploy (rate_limit)",
        "    rate_limit: 100 → 250",
        "0 to create, 2 to update, 0 to delete, 1 unchanged",
    ]
    assert (await _tokens(mesh))["ci deploy"]["rate_limit"] == 100

    # Applied: changed in place; the token keeps its secret, the user their password.
    code, out, err = await imas(mesh, capsys, "apply", "-f", str(path))
    assert code == 0, err
    assert out.splitlines()[-1] == "0 created, 2 updated, 0 deleted, 1 unchanged"
    tokens = await _tokens(mesh)
    assert tokens["ci deploy"]["rate_limit"] == 250
    assert sorted(tokens) == ["bootstrap admin", "ci deploy", "grafana"]
    assert teams.status_code == 200
    again = await mesh.client.get("/api/v1/teams/", headers={"Authorization": f"Token {ci_secret}"})
    assert again.status_code == 200
    assert await _signs_in(mesh, "ines", PASSWORD)

    # --reset-password sets it again from the files, and says so without showing it.
    code, out, err = await imas(
        mesh, capsys, "apply", "-f", str(path), "--reset-password", "ines", "--dry-run"
    )
    assert out.splitlines()[:2] == [
        "~ user ines (password)",
        "    password: set from $INES_PASSWORD",
    ]
    code, out, err = await imas(mesh, capsys, "apply", "-f", str(path), "--reset-password", "ines")
    assert code == 0, err
    assert ROTATED not in out + err
    assert await _signs_in(mesh, "ines", ROTATED) and not await _signs_in(mesh, "ines", PASSWORD)

    # The audit log names the changes, never a secret.
    audit = str((await mesh.client.get("/api/v1/audit/?page_size=500", headers=mesh.auth)).json())
    assert "/api/v1/users/" in audit and "/api/v1/tokens/" in audit
    for secret in (PASSWORD, ROTATED, ci_secret, grafana_secret):
        assert secret not in audit


async def test_prune_never_deletes_the_token_or_user_the_apply_runs_as(
    mesh: Mesh, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = folder / "access.yaml"
    path.write_text(ACCESS.replace("role: manager", "role: admin"), encoding="utf-8")
    code, _, err = await imas(mesh, capsys, "apply", "-f", str(path))
    assert code == 0, err
    ci_secret = (folder / "ci-token").read_text().strip()

    empty = folder / "empty.yaml"
    empty.write_text("users: []\ntokens: []\n", encoding="utf-8")
    code, out, err = await imas(mesh, capsys, "apply", "-f", str(empty), "--prune", token=ci_secret)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "refused, nothing applied:",
        "--prune would delete the token ci deploy this apply runs as: declare it in the files, "
        "or apply with another token",
    ]
    # As a user (a token they obtained): their own user is kept the same way.
    ines = await _signs_in(mesh, "ines", PASSWORD)
    code, out, err = await imas(mesh, capsys, "apply", "-f", str(empty), "--prune", token=ines)
    assert code == 2
    assert "--prune would delete the user ines this apply runs as" in err
    assert sorted(await _tokens(mesh)) == ["bootstrap admin", "ci deploy", "grafana"]

    # With another token, the prune lists what it deletes and does it.
    code, out, err = await imas(mesh, capsys, "apply", "-f", str(empty), "--prune", "--dry-run")
    assert out.splitlines() == [
        "- user ines",
        "- token ci deploy",
        "- token grafana",
        "0 to create, 0 to update, 3 to delete, 0 unchanged",
    ]
    code, out, err = await imas(mesh, capsys, "apply", "-f", str(empty), "--prune")
    assert code == 0, err
    assert sorted(await _tokens(mesh)) == ["bootstrap admin"]  # IMAS's own stays
    assert not await _signs_in(mesh, "ines", PASSWORD)


async def test_an_export_holds_users_and_tokens_without_secrets_and_applies_back_unchanged(
    mesh: Mesh, folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = folder / "access.yaml"
    path.write_text(ACCESS, encoding="utf-8")
    code, _, err = await imas(mesh, capsys, "apply", "-f", str(path))
    assert code == 0, err
    ci_secret = (folder / "ci-token").read_text().strip()
    grafana_secret = next(
        line.split()[2] for line in err.splitlines() if line.startswith("token grafana: ")
    )
    code, exported, err = await imas(mesh, capsys, "export")
    assert code == 0, err
    users = exported.split("\nusers:\n")[1].split("tokens:\n")[0]
    tokens = exported.split("\ntokens:\n")[1]
    assert users == (
        "- username: ines\n"
        "  role: manager\n"
        "  full_name: Inès Fabre\n"
        "  email: ines.fabre@example.com\n"
    )
    assert tokens == (
        "- name: ci deploy\n"
        "  role: admin\n"
        "  scopes: [catalog, teams, tokens, users]\n"
        "  rate_limit: 100\n"
        "  rate_window: 60\n"
        "- name: grafana\n"
        "  role: integration\n"
    )
    for secret in (PASSWORD, ci_secret, grafana_secret, "password", "secret_file"):
        assert secret not in exported

    # Applied back (its users hold no password; the variable unset), pruning: nothing changes.
    monkeypatch.delenv("INES_PASSWORD")
    back = folder / "exported.yaml"
    back.write_text(exported, encoding="utf-8")
    code, out, err = await imas(mesh, capsys, "apply", "-f", str(back), "--prune")
    assert code == 0, err
    assert out.splitlines()[0] == "no change", out
    assert err == ""
    code, again, err = await imas(mesh, capsys, "export")
    assert again == exported
    assert await _signs_in(mesh, "ines", PASSWORD)

    # A user the files declare without a password cannot be made: refused at its line.
    new = folder / "new.yaml"
    new.write_text("users:\n  - username: karim\n    role: viewer\n", encoding="utf-8")
    code, out, err = await imas(mesh, capsys, "apply", "-f", str(new))
    assert code == 2
    assert err.splitlines()[1] == (
        f"{new}:2: users[0].password: a new user needs one: password: {{from_env: VARIABLE}} "
        "or {from_file: PATH}"
    )
