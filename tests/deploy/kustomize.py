"""A small kustomize renderer for the subset deploy/k8s uses, so overlays render offline.

Supported kustomization fields: ``resources`` (files and directories with their own
kustomization), ``namespace``, ``labels`` (``pairs``, ``includeSelectors``,
``includeTemplates``), ``images`` (``newName``, ``newTag``, ``digest``) and ``patches`` (from
``path`` or inline ``patch``; a YAML list is a JSON 6902 patch, a mapping a strategic merge
patch; ``target`` by kind, name, group, version, namespace). Anything else is refused rather
than rendered wrongly. As in kustomize, a directory is built completely (its resources, then
its patches, namespace, labels and images) before the directory that includes it applies its
own.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

Resource = dict[str, Any]

SUPPORTED_FIELDS = frozenset(
    {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}
)

CLUSTER_SCOPED_KINDS = frozenset(
    {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PersistentVolume",
        "StorageClass",
        "PriorityClass",
        "IngressClass",
    }
)

# Kinds whose ``spec.template`` is a pod template.
POD_TEMPLATE_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}
)

# Strategic merge: lists of these fields merge item by item on this key (Kubernetes'
# patchMergeKey); any other list is replaced by the patch's.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
    "topologySpreadConstraints": "topologyKey",
}


class KustomizeError(Exception):
    """The kustomization asks for something this renderer does not do, or is invalid."""


def render(directory: Path) -> list[Resource]:
    """Build the kustomization in ``directory`` into its list of resources."""
    directory = Path(directory)
    kustomization = _load_kustomization(directory)
    resources: list[Resource] = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            resources.extend(render(path))
        elif path.is_file():
            resources.extend(load_documents(path))
        else:
            raise KustomizeError(f"{directory}: resource {entry!r} does not exist")
    _check_unique(resources, directory)
    for patch in kustomization.get("patches", []):
        _apply_patch(resources, patch, directory)
    if "namespace" in kustomization:
        for resource in resources:
            if resource["kind"] not in CLUSTER_SCOPED_KINDS:
                resource.setdefault("metadata", {})["namespace"] = kustomization["namespace"]
    for label in kustomization.get("labels", []):
        _apply_labels(resources, label)
    for image in kustomization.get("images", []):
        _apply_image(resources, image)
    return resources


def load_documents(path: Path) -> list[Resource]:
    """Every non-empty YAML document of ``path``."""
    with path.open() as f:
        return [doc for doc in yaml.safe_load_all(f) if doc]


def resource_id(resource: Resource) -> tuple[str, str, str]:
    meta = resource.get("metadata", {})
    return (resource["kind"], meta.get("namespace", ""), meta["name"])


def _load_kustomization(directory: Path) -> dict[str, Any]:
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        path = directory / name
        if path.is_file():
            data = yaml.safe_load(path.read_text()) or {}
            unknown = set(data) - SUPPORTED_FIELDS
            if unknown:
                raise KustomizeError(f"{path}: unsupported fields {sorted(unknown)}")
            return data
    raise KustomizeError(f"{directory}: no kustomization.yaml")


def _check_unique(resources: list[Resource], directory: Path) -> None:
    seen: set[tuple[str, str, str]] = set()
    for resource in resources:
        rid = resource_id(resource)
        if rid in seen:
            raise KustomizeError(f"{directory}: {rid} is defined twice")
        seen.add(rid)


# -- patches --------------------------------------------------------------------------------


def _apply_patch(resources: list[Resource], entry: dict[str, Any], directory: Path) -> None:
    unknown = set(entry) - {"path", "patch", "target"}
    if unknown:
        raise KustomizeError(f"{directory}: unsupported patch fields {sorted(unknown)}")
    if "path" in entry:
        text = (directory / entry["path"]).read_text()
    elif "patch" in entry:
        text = entry["patch"]
    else:
        raise KustomizeError(f"{directory}: a patch needs a path or a patch")
    docs = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    if len(docs) != 1:
        raise KustomizeError(f"{directory}: a patch holds exactly one document")
    patch = docs[0]
    target = entry.get("target")
    if isinstance(patch, list):
        if target is None:
            raise KustomizeError(f"{directory}: a JSON 6902 patch needs a target")
        matches = _select(resources, target)
        for resource in matches:
            apply_json6902(resource, patch)
    elif isinstance(patch, dict):
        if target is None:
            target = {"kind": patch["kind"], "name": patch["metadata"]["name"]}
        matches = _select(resources, target)
        for i, resource in enumerate(resources):
            if any(resource is m for m in matches):
                merged = strategic_merge(resource, patch)
                merged["metadata"]["name"] = resource["metadata"]["name"]
                resources[i] = merged
    else:
        raise KustomizeError(f"{directory}: a patch is a mapping or a list")
    if not matches:
        raise KustomizeError(f"{directory}: patch target {target} matches no resource")


def _select(resources: list[Resource], target: dict[str, Any]) -> list[Resource]:
    unknown = set(target) - {"kind", "name", "group", "version", "namespace"}
    if unknown:
        raise KustomizeError(f"unsupported target fields {sorted(unknown)}")

    def matches(resource: Resource) -> bool:
        group, _, version = resource["apiVersion"].rpartition("/")
        meta = resource.get("metadata", {})
        checks = {
            "kind": resource["kind"],
            "name": meta.get("name", ""),
            "group": group,
            "version": version,
            "namespace": meta.get("namespace", ""),
        }
        return all(re.fullmatch(str(target[k]), checks[k]) for k in target)

    return [r for r in resources if matches(r)]


def strategic_merge(original: Any, patch: Any, field: str = "") -> Any:
    """``patch`` merged into a copy of ``original`` (Kubernetes strategic merge, subset)."""
    if isinstance(original, dict) and isinstance(patch, dict):
        if any(key.startswith("$") for key in patch):
            raise KustomizeError(f"unsupported patch directive in {sorted(patch)}")
        merged = copy.deepcopy(original)
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            elif key in merged:
                merged[key] = strategic_merge(merged[key], value, key)
            else:
                merged[key] = copy.deepcopy(value)
        return merged
    if isinstance(original, list) and isinstance(patch, list) and field in MERGE_KEYS:
        key = MERGE_KEYS[field]
        merged_list = copy.deepcopy(original)
        for item in patch:
            index = next(
                (i for i, old in enumerate(merged_list) if old.get(key) == item.get(key)), None
            )
            if index is None:
                merged_list.append(copy.deepcopy(item))
            else:
                merged_list[index] = strategic_merge(merged_list[index], item)
        return merged_list
    return copy.deepcopy(patch)


def apply_json6902(resource: Resource, operations: list[dict[str, Any]]) -> None:
    """Apply JSON Patch ``operations`` (add, remove, replace, test) to ``resource`` in place."""
    for op in operations:
        tokens = _pointer(op["path"])
        parent = resource
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        last = tokens[-1]
        kind = op["op"]
        if isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            if kind == "add":
                parent.insert(index, copy.deepcopy(op["value"]))
            elif kind == "remove":
                del parent[index]
            elif kind == "replace":
                parent[index] = copy.deepcopy(op["value"])
            elif kind == "test":
                if parent[index] != op["value"]:
                    raise KustomizeError(f"test failed at {op['path']}")
            else:
                raise KustomizeError(f"unsupported JSON patch op {kind!r}")
        else:
            if kind == "add":
                parent[last] = copy.deepcopy(op["value"])
            elif kind in ("remove", "replace", "test"):
                if last not in parent:
                    raise KustomizeError(f"{kind}: {op['path']} does not exist")
                if kind == "remove":
                    del parent[last]
                elif kind == "replace":
                    parent[last] = copy.deepcopy(op["value"])
                elif parent[last] != op["value"]:
                    raise KustomizeError(f"test failed at {op['path']}")
            else:
                raise KustomizeError(f"unsupported JSON patch op {kind!r}")


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise KustomizeError(f"JSON pointer must start with '/': {path!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


# -- labels and images ----------------------------------------------------------------------


def _apply_labels(resources: list[Resource], label: dict[str, Any]) -> None:
    unknown = set(label) - {"pairs", "includeSelectors", "includeTemplates"}
    if unknown:
        raise KustomizeError(f"unsupported labels fields {sorted(unknown)}")
    if label.get("includeSelectors"):
        raise KustomizeError("labels with includeSelectors are not supported")
    pairs = label.get("pairs", {})
    for resource in resources:
        resource.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
        if label.get("includeTemplates"):
            for template in _pod_templates(resource):
                template.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)


def _pod_templates(resource: Resource) -> list[dict[str, Any]]:
    spec = resource.get("spec", {})
    if resource["kind"] in POD_TEMPLATE_KINDS and "template" in spec:
        return [spec["template"]]
    if resource["kind"] == "CronJob":
        return [spec["jobTemplate"]["spec"]["template"]]
    return []


def _apply_image(resources: list[Resource], image: dict[str, Any]) -> None:
    unknown = set(image) - {"name", "newName", "newTag", "digest"}
    if unknown:
        raise KustomizeError(f"unsupported images fields {sorted(unknown)}")
    for resource in resources:
        for template in _pod_templates(resource):
            pod = template.get("spec", {})
            for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
                name, tag, digest = split_image(container["image"])
                if name != image["name"]:
                    continue
                name = image.get("newName", name)
                if "digest" in image:
                    container["image"] = f"{name}@{image['digest']}"
                elif "newTag" in image:
                    container["image"] = f"{name}:{image['newTag']}"
                else:
                    suffix = f"@{digest}" if digest else (f":{tag}" if tag else "")
                    container["image"] = f"{name}{suffix}"


def split_image(image: str) -> tuple[str, str, str]:
    """``(name, tag, digest)`` of an image reference; a registry's port is part of the name."""
    name, _, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = ""
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag, digest
