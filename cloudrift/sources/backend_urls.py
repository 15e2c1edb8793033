"""The ``--from`` URLs that read a root module's state, one builder per Terraform backend.

Each builder turns the settings of a ``backend``/``cloud`` block into URLs (or, for a local
backend, state files inside the tree), and says in notes what it could not turn: a setting that
is an expression, one left to ``terraform init -backend-config``, credentials the URL does not
carry.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cloudrift.sources.files import FileTree, LocalTree
from cloudrift.sources.tfblocks import Expression

DEFAULT_WORKSPACE = "default"
DEFAULT_STATE = "terraform.tfstate"
DEFAULT_WORKSPACE_DIR = "terraform.tfstate.d"
TFC_HOST = "app.terraform.io"


def join_path(directory: str, path: str) -> str:
    """``path``, given relative to ``directory``, as a path from the tree's root."""
    joined = posixpath.normpath(posixpath.join(directory, path)) if directory else path
    return posixpath.normpath(joined)


def local_workspaces(directory: str, workspace_dir: str, paths: frozenset[str]) -> list[str]:
    """The workspaces other than ``default`` that have a local state in ``paths``."""
    base = join_path(directory, workspace_dir) + "/"
    names = set()
    for path in paths:
        if path.startswith(base):
            rest = path[len(base):].split("/")
            if len(rest) == 2 and rest[1] == DEFAULT_STATE:
                names.add(rest[0])
    return sorted(names)


@dataclass(frozen=True)
class PlanContext:
    """One discovery run: the tree, every path in it, the environment, the workspace asked for."""

    tree: FileTree
    paths: frozenset[str]
    env: Mapping[str, str]
    workspace: str | None
    all_workspaces: bool


@dataclass
class Plan:
    """Where one root's state is read from, and notes on what stops it being read."""

    urls: list[str] = field(default_factory=list)
    state_paths: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    workspaces: list[str] = field(default_factory=list)
    # the settings that stopped it, being expressions (a Terragrunt unit says why each one is)
    unevaluated: list[str] = field(default_factory=list)


def _literals(
    settings: Mapping[str, Any], required: Sequence[str], optional: Sequence[str], plan: Plan
) -> dict[str, str] | None:
    """The string settings a URL needs; None (with a note) when one is missing or computed."""
    values: dict[str, str] = {}
    missing = [key for key in required if settings.get(key) in (None, "")]
    computed = [
        f"{key} = {settings[key]}" for key in (*required, *optional)
        if isinstance(settings.get(key), Expression)
    ]
    if computed:
        plan.notes.append(f"not evaluated: {'; '.join(computed)} (an expression, not a literal)")
        plan.unevaluated.extend(key for key in (*required, *optional)
                                if isinstance(settings.get(key), Expression))
    if missing:
        plan.notes.append(
            f"partial configuration: {', '.join(missing)} not set in the code (given to "
            "`terraform init -backend-config`?)"
        )
    if missing or computed:
        return None
    for key in (*required, *optional):
        value = settings.get(key)
        if value is not None:
            values[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return values


def _query(**params: str | None) -> str:
    # the readers split options with parse_qsl: encode what it would misread, keep the rest
    # legible
    parts = [f"{k}={quote(v, safe='*:/,@')}" for k, v in params.items() if v]
    return "?" + "&".join(parts) if parts else ""


def _plan_local(
    directory: str, settings: Mapping[str, Any], workspace: str | None, context: PlanContext
) -> Plan:
    plan = Plan()
    values = _literals(settings, (), ("path", "workspace_dir"), plan)
    if values is None:
        return plan
    state = join_path(directory, values.get("path", DEFAULT_STATE))
    workspace_dir = values.get("workspace_dir", DEFAULT_WORKSPACE_DIR)
    found_workspaces = local_workspaces(directory, workspace_dir, context.paths)
    plan.workspaces = ([DEFAULT_WORKSPACE] if state in context.paths else []) + found_workspaces
    wanted: list[tuple[str, str]] = []
    if workspace is None:
        if state in context.paths:
            wanted.append((DEFAULT_WORKSPACE, state))
        wanted.extend(
            (name, join_path(directory, f"{workspace_dir}/{name}/{DEFAULT_STATE}"))
            for name in found_workspaces
        )
        if not wanted:
            plan.notes.append(f"no state yet ({state} does not exist)")
    elif workspace == DEFAULT_WORKSPACE:
        wanted.append((workspace, state))
    else:
        wanted.append(
            (workspace, join_path(directory, f"{workspace_dir}/{workspace}/{DEFAULT_STATE}"))
        )
    for name, path in wanted:
        outside = path.startswith("/") or path == ".." or path.startswith("../")
        on_disk = isinstance(context.tree, LocalTree)
        if outside and not on_disk:
            plan.notes.append(f"the state of workspace {name!r} ({path}) is outside the tree")
        elif on_disk:
            assert isinstance(context.tree, LocalTree)
            absolute = os.path.normpath(os.path.join(context.tree.root, path))
            if os.path.isfile(absolute):
                plan.urls.append(f"tfstate://{absolute}")
            else:
                plan.notes.append(f"no state for workspace {name!r} ({path} does not exist)")
        elif path in context.paths:
            plan.state_paths.append(path)
        else:
            plan.notes.append(f"no state for workspace {name!r} ({path} does not exist)")
    return plan


def _plan_s3(
    directory: str, settings: Mapping[str, Any], workspace: str | None, context: PlanContext
) -> Plan:
    plan = Plan()
    merged = dict(settings)
    endpoints = settings.get("endpoints")
    if merged.get("endpoint") is None and isinstance(endpoints, Mapping):
        merged["endpoint"] = endpoints.get("s3")
    values = _literals(merged, ("bucket", "key"),
                       ("region", "workspace_key_prefix", "profile", "endpoint"), plan)
    if values is None:
        return plan
    bucket, key = values["bucket"], values["key"]
    prefix = values.get("workspace_key_prefix", "env:").strip("/")
    path_style = settings.get("use_path_style") is True or settings.get("force_path_style") is True
    options: dict[str, str | None] = {
        "region": values.get("region"), "profile": values.get("profile"),
        "endpoint": values.get("endpoint"), "path_style": "true" if path_style else None,
    }
    if "region" not in values:
        plan.notes.append("no region in the block: AWS_REGION is used when reading")
    base = f"tfstate+s3://{bucket}/"
    if workspace is None and prefix:
        # one URL: the reader lists the default key and every <prefix>/<workspace>/<key>, and
        # is content with finding only some of them
        custom = prefix if prefix != "env:" else None
        plan.urls.append(f"{base}{key}"
                         + _query(**options, workspace="*", workspace_key_prefix=custom))
    elif workspace is None:
        plan.urls += [f"{base}{key}{_query(**options)}", f"{base}*/{key}{_query(**options)}"]
    elif workspace == DEFAULT_WORKSPACE:
        plan.urls.append(f"{base}{key}{_query(**options)}")
    else:
        where = f"{prefix}/{workspace}" if prefix else workspace
        plan.urls.append(f"{base}{where}/{key}{_query(**options)}")
    _note_unused(settings, ("role_arn", "assume_role", "assume_role_with_web_identity",
                            "shared_credentials_file", "shared_credentials_files"), plan,
                 "credentials come from the standard AWS chain")
    return plan


def _plan_gcs(
    directory: str, settings: Mapping[str, Any], workspace: str | None, context: PlanContext
) -> Plan:
    plan = Plan()
    values = _literals(settings, ("bucket",), ("prefix",), plan)
    if values is None:
        return plan
    prefix = values.get("prefix", "").strip("/")
    folder = f"tfstate+gs://{values['bucket']}/{prefix + '/' if prefix else ''}"
    name = "*" if workspace is None else workspace
    plan.urls.append(f"{folder}{name}.tfstate")
    _note_unused(settings, ("credentials", "access_token", "impersonate_service_account",
                            "storage_custom_endpoint"), plan,
                 "Application Default Credentials apply")
    return plan


def _plan_azurerm(
    directory: str, settings: Mapping[str, Any], workspace: str | None, context: PlanContext
) -> Plan:
    plan = Plan()
    values = _literals(settings, ("storage_account_name", "container_name", "key"), (), plan)
    if values is None:
        return plan
    base = f"tfstate+azurerm://{values['storage_account_name']}/{values['container_name']}/"
    key = values["key"]
    if workspace is None:
        plan.urls.append(f"{base}{key}{_query(workspace='*')}")
    elif workspace == DEFAULT_WORKSPACE:
        plan.urls.append(f"{base}{key}")
    else:
        plan.urls.append(f"{base}{key}env:{workspace}")
    return plan


def _plan_http(
    directory: str, settings: Mapping[str, Any], workspace: str | None, context: PlanContext
) -> Plan:
    plan = Plan()
    values = _literals(settings, ("address",), (), plan)
    if values is None:
        return plan
    if workspace not in (None, DEFAULT_WORKSPACE):
        plan.notes.append(f"the http backend has no workspaces: {workspace!r} cannot exist")
        return plan
    plan.urls.append(f"tfstate+{values['address']}")
    _note_unused(settings, ("username", "password"), plan,
                 "set TF_HTTP_USERNAME / TF_HTTP_PASSWORD")
    return plan


def _tfc_url(organization: str, name: str, host: str | None) -> str:
    shown_host = host if host and host != TFC_HOST else None
    return f"tfstate+tfcloud://{organization}/{name}{_query(host=shown_host)}"


def _plan_remote(
    directory: str, settings: Mapping[str, Any], workspace: str | None, context: PlanContext
) -> Plan:
    plan = Plan()
    values = _literals(settings, ("organization",), ("hostname",), plan)
    blocks = settings.get("workspaces")
    workspaces = blocks if isinstance(blocks, Mapping) else {}
    named = _literals(workspaces, (), ("name", "prefix"), plan)
    if values is None or named is None:
        return plan
    organization, host = values["organization"], values.get("hostname")
    if "name" in named:
        plan.urls.append(_tfc_url(organization, named["name"], host))
    elif "prefix" in named:
        if workspace is None:
            plan.urls.append(_tfc_url(organization, f"{named['prefix']}*", host))
        elif workspace == DEFAULT_WORKSPACE:
            plan.notes.append(f"workspaces are chosen by prefix {named['prefix']!r}: pass a "
                              "workspace name or all workspaces")
        else:
            plan.urls.append(_tfc_url(organization, named["prefix"] + workspace, host))
    else:
        plan.notes.append("partial configuration: no workspaces name or prefix in the code")
    return plan


def _plan_cloud(
    directory: str, settings: Mapping[str, Any], workspace: str | None, context: PlanContext
) -> Plan:
    plan = Plan()
    # the cloud block reads these variables when the block leaves them out
    merged = dict(settings)
    for key, variable in (("organization", "TF_CLOUD_ORGANIZATION"),
                          ("hostname", "TF_CLOUD_HOSTNAME")):
        if merged.get(key) is None and context.env.get(variable):
            merged[key] = context.env[variable]
    values = _literals(merged, ("organization",), ("hostname",), plan)
    blocks = settings.get("workspaces")
    workspaces = blocks if isinstance(blocks, Mapping) else {}
    named = _literals(workspaces, (), ("name",), plan)
    tags = workspaces.get("tags")
    if values is None or named is None:
        return plan
    organization, host = values["organization"], values.get("hostname")
    if "name" in named:
        plan.urls.append(_tfc_url(organization, named["name"], host))
        return plan
    if workspace is None:
        # the org's workspaces are not all this root's, and the tfcloud reader selects by name
        # only: reading every one would compare other teams' states
        chosen = f"tags {_shown(tags)}" if tags is not None else "the TF_WORKSPACE variable"
        plan.notes.append(f"the cloud block chooses workspaces by {chosen}: name one to read "
                          "it (all workspaces cannot be told apart by name)")
    elif workspace == DEFAULT_WORKSPACE:
        plan.notes.append("the cloud block names no single workspace: pass a workspace name "
                          "(or TF_WORKSPACE)")
    else:
        plan.urls.append(_tfc_url(organization, workspace, host))
    return plan


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {_shown(v)}" for k, v in value.items()) + "}"
    return str(value)


def _note_unused(settings: Mapping[str, Any], keys: Sequence[str], plan: Plan,
                 instead: str) -> None:
    used = [key for key in keys if key in settings]
    if used:
        plan.notes.append(f"not carried into the URL: {', '.join(used)} ({instead})")


Planner = Callable[[str, Mapping[str, Any], str | None, PlanContext], Plan]

# by the block's type: ``backend "s3"`` is "s3", a ``cloud`` block is "cloud"
PLANNERS: dict[str, Planner] = {
    "local": _plan_local,
    "s3": _plan_s3,
    "gcs": _plan_gcs,
    "azurerm": _plan_azurerm,
    "http": _plan_http,
    "remote": _plan_remote,
    "cloud": _plan_cloud,
}
