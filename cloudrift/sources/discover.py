"""Zero-config discovery: the root modules of a Terraform repository and where their state is.

A root module is a directory with ``.tf``/``.tf.json`` files that declares a ``backend`` or
``cloud`` block in its ``terraform`` settings, or that has a local state beside it
(``terraform.tfstate``, ``terraform.tfstate.d/<workspace>/``). A directory that another root
calls as a local module (``source = "./modules/net"``) is a module, not a root, unless it has a
local state of its own.

Only ``terraform`` and ``module`` blocks are parsed, and only in files that mention ``backend``,
``cloud`` or ``module``: the blocks are cut out of the text first, so python-hcl2 (slow) sees a
few lines rather than whole files. Nothing is guessed: a backend setting that is an expression,
or that is left to ``terraform init -backend-config``, leaves the root listed with a note that
says what is missing.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import orjson

from cloudrift.errors import SourceError
from cloudrift.redact import REDACTED, name_is_secret
from cloudrift.sources.files import FileTree, LocalTree, blob_id
from cloudrift.sources.git import GitStateSource, without_credentials
from cloudrift.sources.uri import Source

DEFAULT_WORKSPACE = "default"
DEFAULT_STATE = "terraform.tfstate"
DEFAULT_WORKSPACE_DIR = "terraform.tfstate.d"
TFC_HOST = "app.terraform.io"

_MENTIONS = (b"backend", b"cloud", b"module")
_BLOCK_KINDS = frozenset({"terraform", "module"})


@dataclass(frozen=True)
class Expression:
    """A setting that is not a literal: a variable, a function call, a template."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class RootModule:
    """One root module, its backend, and the ``--from`` URLs that read its state.

    ``urls`` are ``--from`` URLs; ``state_paths`` are state files inside the tree (a local
    backend), read with ``GitStateSource`` when the tree is not a directory on disk. A root
    with neither cannot be read, and ``notes`` say why.
    """

    directory: str
    backend: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    workspace: str | None = DEFAULT_WORKSPACE
    urls: tuple[str, ...] = ()
    state_paths: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    workspaces: tuple[str, ...] = ()

    @property
    def readable(self) -> bool:
        return bool(self.urls or self.state_paths)

    @property
    def shown_directory(self) -> str:
        return self.directory or "."


# --- cutting top-level blocks out of HCL text -------------------------------------------------


class _CutError(Exception):
    """The text is not shaped as the cutter expects: parse the whole file instead."""


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")


def _skip_comment(text: str, i: int) -> int | None:
    if text.startswith(("#", "//"), i):
        end = text.find("\n", i)
        return len(text) if end == -1 else end
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        if end == -1:
            raise _CutError
        return end + 2
    return None


def _skip_heredoc(text: str, i: int) -> int:
    match = _HEREDOC.match(text, i)
    if match is None:
        return i + 2
    marker = match.group(1)
    position = match.end()
    while position < len(text):
        end = text.find("\n", position)
        line_end = len(text) if end == -1 else end
        if text[position:line_end].strip() == marker:
            return line_end
        position = line_end + 1
    raise _CutError


def _skip_string(text: str, i: int) -> int:
    """From an opening quote to just past its closing quote, templates included."""
    i += 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
        elif char == '"':
            return i + 1
        elif char == "\n":
            raise _CutError
        elif text.startswith(("$${", "%%{"), i):
            i += 3
        elif text.startswith(("${", "%{"), i):
            i = _skip_braces(text, i + 2)
        else:
            i += 1
    raise _CutError


def _skip_braces(text: str, i: int) -> int:
    """From just inside an opening brace to just past its closing brace."""
    depth = 1
    while i < len(text):
        skipped = _skip_comment(text, i)
        if skipped is not None:
            i = skipped
            continue
        char = text[i]
        if char == '"':
            i = _skip_string(text, i)
        elif text.startswith("<<", i):
            i = _skip_heredoc(text, i)
        elif char == "{":
            depth += 1
            i += 1
        elif char == "}":
            depth -= 1
            i += 1
            if depth == 0:
                return i
        else:
            i += 1
    raise _CutError


def extract_blocks(text: str, kinds: frozenset[str]) -> str | None:
    """The text of the top-level blocks of these kinds, or None when the file has a shape the
    cutter does not follow (the caller parses the whole file then)."""
    pieces: list[str] = []
    i = 0
    try:
        while i < len(text):
            if text[i] in " \t\r\n\ufeff":
                i += 1
                continue
            skipped = _skip_comment(text, i)
            if skipped is not None:
                i = skipped
                continue
            word = _IDENT.match(text, i)
            if word is None:
                raise _CutError
            start, i = i, word.end()
            # the labels, up to the block's opening brace on the same line
            while True:
                if i >= len(text) or text[i] in "=\n":
                    raise _CutError  # a top-level attribute: not Terraform's shape
                if text[i] == '"':
                    i = _skip_string(text, i)
                elif text[i] == "{":
                    i = _skip_braces(text, i + 1)
                    break
                else:
                    i += 1
            if word.group() in kinds:
                pieces.append(text[start:i])
    except (_CutError, RecursionError):
        return None
    return "\n".join(pieces) + "\n" if pieces else ""


# --- reading the terraform and module blocks of one file ------------------------------------


@dataclass(frozen=True)
class _FileSummary:
    backends: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    module_sources: tuple[str, ...] = ()
    error: str | None = None


_SUMMARIES: dict[tuple[str, bool], _FileSummary] = {}
_SUMMARY_CACHE_SIZE = 8192


def _has_template(body: str) -> bool:
    i = 0
    while i < len(body) - 1:
        pair = body[i:i + 2]
        if pair in ("$$", "%%") and body.startswith("{", i + 2):
            i += 3
        elif pair in ("${", "%{"):
            return True
        else:
            i += 1
    return False


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            width = {"u": 4, "U": 8}.get(nxt)
            if width and re.fullmatch(r"[0-9A-Fa-f]+", body[i + 2:i + 2 + width] or "-"):
                out.append(chr(int(body[i + 2:i + 2 + width], 16)))
                i += 2 + width
                continue
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
        elif body.startswith(("$${", "%%{"), i):
            out.append(char + "{")
            i += 3
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _hcl_string(raw: str) -> str | Expression:
    # python-hcl2 8 keeps the quotes of literals and gives expressions as "${...}"
    if len(raw) >= 2 and raw[0] == raw[-1] == '"' and not raw.startswith('"<<'):
        body = raw[1:-1]
        if _has_template(body):
            return Expression(raw)
        return _unescape(body)
    if raw.startswith("${") and raw.endswith("}"):
        return Expression(raw[2:-1])
    return Expression(raw)


# python-hcl2's own markers among the keys of a block
_HCL2_KEYS = frozenset({"__is_block__", "__comments__", "__inline_comments__"})


def _is_block(value: Any) -> bool:
    return isinstance(value, dict) and "__is_block__" in value


def _hcl_value(value: Any) -> Any:
    if isinstance(value, str):
        return _hcl_string(value)
    if isinstance(value, list):
        if value and all(_is_block(v) for v in value):
            blocks = [_hcl_value(v) for v in value]
            return blocks[0] if len(blocks) == 1 else blocks
        return [_hcl_value(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _hcl_value(v) for k, v in value.items() if k not in _HCL2_KEYS}
    return value


def _unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        return Expression(value) if _has_template(value) else value.replace("$${", "${")
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items() if k != "//"}
    return value


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _labelled(blocks: Any) -> Iterable[tuple[str, Any]]:
    """``backend "s3" {...}`` / ``module "x" {...}`` in either syntax: (label, body) pairs."""
    for block in _as_list(blocks):
        if isinstance(block, dict):
            for label, body in block.items():
                if label not in _HCL2_KEYS and label != "//":
                    yield _unquote(label), body


def _summary_from(document: Mapping[str, Any], convert: Any) -> _FileSummary:
    backends: list[tuple[str, Mapping[str, Any]]] = []
    for settings_block in _as_list(document.get("terraform")):
        if not isinstance(settings_block, dict):
            continue
        for kind, body in _labelled(settings_block.get("backend")):
            for item in _as_list(body):
                backends.append((kind, _settings(convert(item))))
        for body in _as_list(settings_block.get("cloud")):
            backends.append(("cloud", _settings(convert(body))))
    sources: list[str] = []
    for _name, body in _labelled(document.get("module")):
        for item in _as_list(body):
            if isinstance(item, dict):
                source = convert(item.get("source"))
                if isinstance(source, str) and source.startswith(("./", "../")):
                    sources.append(source)
    return _FileSummary(tuple(backends), tuple(sources))


def _settings(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _parse_error(exc: Exception) -> str:
    line = getattr(exc, "line", None)
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"line {line}: {first}" if isinstance(line, int) and line > 0 else first


def _summarise_hcl(text: str) -> _FileSummary:
    import hcl2

    extracted = extract_blocks(text, _BLOCK_KINDS)
    if extracted == "":
        return _FileSummary()
    if extracted is not None:
        try:
            return _summary_from(hcl2.loads(extracted), _hcl_value)
        except Exception:  # parsed again whole below, which gives the error its true line
            pass
    try:
        document = hcl2.loads(text)
    except Exception as exc:  # lark raises many types; any of them means "cannot parse"
        return _FileSummary(error=_parse_error(exc))
    return _summary_from(document, _hcl_value)


def _summarise_json(data: bytes) -> _FileSummary:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return _FileSummary(error=f"line {exc.lineno}: {exc.msg}")
    if not isinstance(document, dict):
        return _FileSummary(error="the top level is not an object")
    return _summary_from(document, _json_value)


def summarise_file(path: str, data: bytes) -> _FileSummary:
    """The backend blocks and local module sources of one file, cached by blob id."""
    if not any(word in data for word in _MENTIONS):
        return _FileSummary()
    is_json = path.endswith(".json")
    key = (blob_id(data), is_json)
    cached = _SUMMARIES.get(key)
    if cached is not None:
        return cached
    if is_json:
        summary = _summarise_json(data)
    else:
        summary = _summarise_hcl(data.decode("utf-8-sig", errors="replace"))
    if len(_SUMMARIES) >= _SUMMARY_CACHE_SIZE:
        _SUMMARIES.clear()
    _SUMMARIES[key] = summary
    return summary


# --- the tree ---------------------------------------------------------------------------------


def _is_config(name: str) -> bool:
    return name.endswith((".tf", ".tf.json"))


def _is_override(name: str) -> bool:
    stem = name.removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def _join(directory: str, path: str) -> str:
    joined = posixpath.normpath(posixpath.join(directory, path)) if directory else path
    return posixpath.normpath(joined)


@dataclass
class _Directory:
    path: str
    files: list[str] = field(default_factory=list)
    backends: list[tuple[str, Mapping[str, Any], str]] = field(default_factory=list)
    override_backends: list[tuple[str, Mapping[str, Any], str]] = field(default_factory=list)
    module_dirs: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    backend_files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Context:
    tree: FileTree
    paths: frozenset[str]
    env: Mapping[str, str]
    workspace: str | None
    all_workspaces: bool


def discover_roots(
    tree: FileTree,
    *,
    workspace: str | None = None,
    all_workspaces: bool = False,
    env: Mapping[str, str] | None = None,
) -> list[RootModule]:
    """Every root module in ``tree``, with the URLs that read its state.

    The workspace is ``workspace``, else ``TF_WORKSPACE``, else the one ``terraform workspace
    select`` recorded in the root's ``.terraform/environment``, else ``default``.
    ``all_workspaces`` gives URLs (or patterns) that cover every workspace instead.
    """
    env = os.environ if env is None else env
    paths = list(tree.walk())
    directories: dict[str, _Directory] = {}
    for path in paths:
        directory, name = posixpath.split(path)
        if _is_config(name):
            directories.setdefault(directory, _Directory(directory)).files.append(path)
        elif name.endswith(".tfbackend") or name in ("backend.hcl", "backend.conf"):
            directories.setdefault(directory, _Directory(directory)).backend_files.append(path)
    prefetch = getattr(tree, "prefetch", None)
    if callable(prefetch):
        prefetch([p for d in directories.values() for p in d.files])
    for found in directories.values():
        for path in found.files:
            summary = summarise_file(path, tree.read(path))
            if summary.error:
                found.errors.append(f"{path}: {summary.error}")
            target = (
                found.override_backends if _is_override(posixpath.basename(path))
                else found.backends
            )
            target.extend((kind, settings, path) for kind, settings in summary.backends)
            found.module_dirs.update(_join(found.path, s) for s in summary.module_sources)

    context = _Context(tree, frozenset(paths), env, workspace, all_workspaces)
    candidates: dict[str, tuple[_Directory, bool]] = {}
    for found in directories.values():
        if not found.files:
            continue
        has_state = _has_local_state(found, context)
        if found.backends or found.override_backends or has_state:
            candidates[found.path] = (found, has_state)
    called = {
        module_dir
        for found, _ in candidates.values()
        for module_dir in found.module_dirs
        if module_dir != found.path
    }
    roots = [
        _root(found, context)
        for path, (found, has_state) in sorted(candidates.items())
        if has_state or path not in called
    ]
    return roots


def _has_local_state(found: _Directory, context: _Context) -> bool:
    local = [(k, s) for k, s, _ in (found.override_backends or found.backends) if k == "local"]
    settings = local[0][1] if local else {}
    state = settings.get("path", DEFAULT_STATE)
    workspace_dir = settings.get("workspace_dir", DEFAULT_WORKSPACE_DIR)
    if isinstance(state, str) and _join(found.path, state) in context.paths:
        return True
    if isinstance(workspace_dir, str):
        return bool(_local_workspaces(found.path, workspace_dir, context.paths))
    return False


def _local_workspaces(directory: str, workspace_dir: str, paths: frozenset[str]) -> list[str]:
    base = _join(directory, workspace_dir) + "/"
    names = set()
    for path in paths:
        if path.startswith(base):
            rest = path[len(base):].split("/")
            if len(rest) == 2 and rest[1] == DEFAULT_STATE:
                names.add(rest[0])
    return sorted(names)


def _redacted(settings: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, Mapping):
            out[key] = _redacted(value)
        elif isinstance(value, str) and name_is_secret(key):
            out[key] = REDACTED
        else:
            out[key] = value
    return out


def _init_record(tree: FileTree, directory: str) -> tuple[str, Mapping[str, Any]] | None:
    """The backend ``terraform init`` recorded in ``.terraform/terraform.tfstate``, with the
    settings given by ``-backend-config``."""
    path = _join(directory, ".terraform/terraform.tfstate")
    if not tree.is_file(path):
        return None
    try:
        document = orjson.loads(tree.read(path))
    except (orjson.JSONDecodeError, SourceError):
        return None
    backend = document.get("backend") if isinstance(document, dict) else None
    if not isinstance(backend, dict) or not isinstance(backend.get("type"), str):
        return None
    config = backend.get("config")
    return backend["type"], config if isinstance(config, dict) else {}


def _selected_workspace(found: _Directory, context: _Context) -> tuple[str, str | None]:
    """The workspace to read, and a note when it came from the root's own directory."""
    chosen = context.workspace or context.env.get("TF_WORKSPACE")
    if chosen:
        return chosen, None
    path = _join(found.path, ".terraform/environment")
    if context.tree.is_file(path):
        try:
            recorded = context.tree.read(path).decode("utf-8", errors="replace").strip()
        except SourceError:
            recorded = ""
        if recorded:
            return recorded, f"workspace {recorded!r} is the one selected in {path}"
    return DEFAULT_WORKSPACE, None


@dataclass
class _Plan:
    urls: list[str] = field(default_factory=list)
    state_paths: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    workspaces: list[str] = field(default_factory=list)


def _root(found: _Directory, context: _Context) -> RootModule:
    notes = [f"cannot parse {error}" for error in found.errors]
    # an override file's backend replaces the main one, as Terraform merges them
    declared = found.override_backends or found.backends
    files = tuple(sorted({path for _, _, path in declared}))
    if len(declared) > 1:
        kinds = ", ".join(f"{kind} in {path}" for kind, _, path in declared)
        return RootModule(
            found.path, "ambiguous", {}, None, notes=(
                *notes, f"more than one backend/cloud block ({kinds}): terraform init "
                "refuses this configuration"), files=files,
        )
    kind, settings = (declared[0][0], dict(declared[0][1])) if declared else ("local", {})
    record = _init_record(context.tree, found.path)
    if record is not None and record[0] == kind:
        filled = sorted(
            key for key, value in record[1].items()
            if value is not None and (key not in settings or isinstance(settings[key],
                                                                      Expression))
        )
        for key in filled:
            settings[key] = record[1][key]
        if filled:
            notes.append(f"{', '.join(filled)} from {_join(found.path, '.terraform')} "
                         "(recorded by terraform init)")
    if context.all_workspaces:
        workspace: str | None = None
    else:
        workspace, note = _selected_workspace(found, context)
        if note:
            notes.append(note)
    planner = _PLANNERS.get(kind)
    if planner is None:
        plan = _Plan(notes=[f"the {kind!r} backend is not supported: scan the output of "
                            "`terraform state pull` instead"])
    else:
        plan = planner(found, settings, workspace, context)
        if not plan.urls and not plan.state_paths and kind != "local":
            hints = ", ".join(sorted(found.backend_files))
            if hints and any("partial configuration" in n for n in plan.notes):
                plan.notes.append(f"backend settings files here: {hints}")
    return RootModule(
        directory=found.path,
        backend=kind,
        settings=_redacted(settings),
        workspace=workspace,
        urls=tuple(plan.urls),
        state_paths=tuple(plan.state_paths),
        notes=(*notes, *plan.notes),
        files=files,
        workspaces=tuple(plan.workspaces),
    )


# --- per backend ------------------------------------------------------------------------------


def _literals(
    settings: Mapping[str, Any], required: Sequence[str], optional: Sequence[str], plan: _Plan
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
    found: _Directory, settings: Mapping[str, Any], workspace: str | None, context: _Context
) -> _Plan:
    plan = _Plan()
    values = _literals(settings, (), ("path", "workspace_dir"), plan)
    if values is None:
        return plan
    state = _join(found.path, values.get("path", DEFAULT_STATE))
    workspace_dir = values.get("workspace_dir", DEFAULT_WORKSPACE_DIR)
    found_workspaces = _local_workspaces(found.path, workspace_dir, context.paths)
    plan.workspaces = ([DEFAULT_WORKSPACE] if state in context.paths else []) + found_workspaces
    wanted: list[tuple[str, str]] = []
    if workspace is None:
        if state in context.paths:
            wanted.append((DEFAULT_WORKSPACE, state))
        wanted.extend(
            (name, _join(found.path, f"{workspace_dir}/{name}/{DEFAULT_STATE}"))
            for name in found_workspaces
        )
        if not wanted:
            plan.notes.append(f"no state yet ({state} does not exist)")
    elif workspace == DEFAULT_WORKSPACE:
        wanted.append((workspace, state))
    else:
        wanted.append((workspace, _join(found.path, f"{workspace_dir}/{workspace}/"
                                                    f"{DEFAULT_STATE}")))
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
    found: _Directory, settings: Mapping[str, Any], workspace: str | None, context: _Context
) -> _Plan:
    plan = _Plan()
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
    found: _Directory, settings: Mapping[str, Any], workspace: str | None, context: _Context
) -> _Plan:
    plan = _Plan()
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
    found: _Directory, settings: Mapping[str, Any], workspace: str | None, context: _Context
) -> _Plan:
    plan = _Plan()
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
    found: _Directory, settings: Mapping[str, Any], workspace: str | None, context: _Context
) -> _Plan:
    plan = _Plan()
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
    found: _Directory, settings: Mapping[str, Any], workspace: str | None, context: _Context
) -> _Plan:
    plan = _Plan()
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
    found: _Directory, settings: Mapping[str, Any], workspace: str | None, context: _Context
) -> _Plan:
    plan = _Plan()
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


def _note_unused(settings: Mapping[str, Any], keys: Sequence[str], plan: _Plan,
                 instead: str) -> None:
    used = [key for key in keys if key in settings]
    if used:
        plan.notes.append(f"not carried into the URL: {', '.join(used)} ({instead})")


_PLANNERS = {
    "local": _plan_local,
    "s3": _plan_s3,
    "gcs": _plan_gcs,
    "azurerm": _plan_azurerm,
    "http": _plan_http,
    "remote": _plan_remote,
    "cloud": _plan_cloud,
}


# --- output and sources -----------------------------------------------------------------------


def describe_roots(roots: Sequence[RootModule], tree: FileTree | None = None) -> list[str]:
    """Lines for ``cloudrift sources``: each root, its backend, where its state is read, and
    what stops it being read. Credentials in URLs are left out."""
    if not roots:
        return ["no root modules found (directories with .tf files and a backend or cloud "
                "block, or a local terraform.tfstate)"]
    lines: list[str] = []
    for root in roots:
        workspace = "all workspaces" if root.workspace is None else f"workspace {root.workspace}"
        lines.append(f"{root.shown_directory}  (backend {root.backend}, {workspace})")
        for url in root.urls:
            lines.append(f"  from {without_credentials(url)}")
        for path in root.state_paths:
            where = f"{tree.label}:{path}" if tree is not None else path
            lines.append(f"  from {where}")
        for note in root.notes:
            lines.append(f"  note: {note}")
        if not root.readable:
            lines.append("  not read: no state location")
    return lines


def root_sources(tree: FileTree, roots: Sequence[RootModule]) -> list[Source]:
    """The sources that read every readable root's state, for ``read_sources``."""
    from cloudrift.sources.uri import open_source

    sources: list[Source] = []
    for root in roots:
        sources.extend(open_source(url) for url in root.urls)
        sources.extend(GitStateSource(tree, path) for path in root.state_paths)
    return sources
