"""The offline kustomize renderer does what kustomize does for the fields deploy/k8s uses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.deploy.kustomize import KustomizeError, render, split_image

pytestmark = pytest.mark.unit

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [
                    {
                        "name": "web",
                        "image": "web",
                        "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                        "args": ["--one"],
                    },
                    {"name": "sidecar", "image": "registry.local:5000/side:1.0"},
                ]
            },
        },
    },
}
CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {}}
NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}


def write(directory: Path, files: dict[str, object]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        docs = content if isinstance(content, list) and name != "kustomization.yaml" else [content]
        (directory / name).write_text(yaml.safe_dump_all(docs))
    return directory


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write(
        tmp_path / "base",
        {
            "app.yaml": [DEPLOYMENT, CONFIGMAP],
            "ns.yaml": NAMESPACE,
            "kustomization.yaml": {"resources": ["app.yaml", "ns.yaml"]},
        },
    )


def overlay(tmp_path: Path, kustomization: dict[str, object], **files: object) -> Path:
    return write(
        tmp_path / "overlay",
        {**files, "kustomization.yaml": {"resources": ["../base"], **kustomization}},
    )


def by_kind(resources: list[dict], kind: str) -> dict:
    return next(r for r in resources if r["kind"] == kind)


def test_overlay_namespace_applies_to_namespaced_resources_only(tmp_path: Path, base: Path):
    resources = render(overlay(tmp_path, {"namespace": "prod"}))

    assert by_kind(resources, "Deployment")["metadata"]["namespace"] == "prod"
    assert by_kind(resources, "ConfigMap")["metadata"]["namespace"] == "prod"
    assert "namespace" not in by_kind(resources, "Namespace")["metadata"]


def test_labels_reach_pod_templates_but_not_selectors(tmp_path: Path, base: Path):
    labels = [{"pairs": {"env": "prod"}, "includeSelectors": False, "includeTemplates": True}]
    deployment = by_kind(render(overlay(tmp_path, {"labels": labels})), "Deployment")

    assert deployment["metadata"]["labels"] == {"app": "web", "env": "prod"}
    assert deployment["spec"]["template"]["metadata"]["labels"] == {"app": "web", "env": "prod"}
    assert deployment["spec"]["selector"] == {"matchLabels": {"app": "web"}}


def test_images_rename_and_retag_only_the_named_image(tmp_path: Path, base: Path):
    images = [
        {"name": "web", "newName": "registry.example.com/web", "newTag": "1.2.3"},
        {"name": "registry.local:5000/side", "digest": "sha256:abc"},
    ]
    deployment = by_kind(render(overlay(tmp_path, {"images": images})), "Deployment")

    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert [c["image"] for c in containers] == [
        "registry.example.com/web:1.2.3",
        "registry.local:5000/side@sha256:abc",
    ]


def test_strategic_merge_patch_merges_containers_and_env_by_name(tmp_path: Path, base: Path):
    patch = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "env": [{"name": "B", "value": "two"}, {"name": "C", "value": "3"}],
                            "args": ["--two"],
                        }
                    ]
                }
            }
        },
    }
    resources = render(
        overlay(tmp_path, {"patches": [{"path": "patch.yaml"}]}, **{"patch.yaml": patch})
    )

    web, sidecar = by_kind(resources, "Deployment")["spec"]["template"]["spec"]["containers"]
    assert web["env"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "two"},
        {"name": "C", "value": "3"},
    ]
    assert web["args"] == ["--two"]  # lists without a merge key are replaced
    assert web["image"] == "web"
    assert sidecar["name"] == "sidecar"


def test_json6902_patch_applies_to_every_target_of_the_kind(tmp_path: Path, base: Path):
    patch = yaml.safe_dump(
        [
            {"op": "replace", "path": "/spec/replicas", "value": 5},
            {"op": "add", "path": "/spec/paused", "value": True},
        ]
    )
    kustomization = {"patches": [{"target": {"kind": "Deployment"}, "patch": patch}]}
    deployment = by_kind(render(overlay(tmp_path, kustomization)), "Deployment")

    assert deployment["spec"]["replicas"] == 5
    assert deployment["spec"]["paused"] is True


def test_a_patch_that_matches_nothing_is_an_error(tmp_path: Path, base: Path):
    patch = "- op: replace\n  path: /spec/replicas\n  value: 5\n"
    kustomization = {"patches": [{"target": {"kind": "StatefulSet"}, "patch": patch}]}

    with pytest.raises(KustomizeError, match="matches no resource"):
        render(overlay(tmp_path, kustomization))


def test_unsupported_kustomization_fields_are_refused(tmp_path: Path, base: Path):
    with pytest.raises(KustomizeError, match="commonLabels"):
        render(overlay(tmp_path, {"commonLabels": {"env": "prod"}}))


def test_a_resource_defined_twice_is_an_error(tmp_path: Path, base: Path):
    write(tmp_path / "overlay", {"again.yaml": CONFIGMAP})
    with pytest.raises(KustomizeError, match="defined twice"):
        render(overlay(tmp_path, {"resources": ["../base", "again.yaml"]}))


@pytest.mark.parametrize(
    ("image", "parts"),
    [
        ("web", ("web", "", "")),
        ("web:1.0", ("web", "1.0", "")),
        ("registry.local:5000/team/web", ("registry.local:5000/team/web", "", "")),
        ("registry.local:5000/web:2@sha256:ab", ("registry.local:5000/web", "2", "sha256:ab")),
    ],
)
def test_image_references_split_into_name_tag_and_digest(image: str, parts: tuple[str, str, str]):
    assert split_image(image) == parts
