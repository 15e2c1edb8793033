"""Terragrunt's own functions, bound to one parsing scope.

Semantics from Terragrunt's ``config_helpers.go``: ``find_in_parent_folders`` starts in the
parent of the configuration's directory and returns the first match (a file or a directory)
walking up, or its fallback; ``path_relative_to_include`` / ``path_relative_from_include`` are
``filepath.Rel`` between the include's directory and the configuration's (``.`` without an
include; a unit with several includes must name one); ``get_repo_root`` is the Git work tree's
top, and the paths to and from it are relative to the configuration's directory.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from cloudrift.sources.terragrunt.values import EvalError, Function, UnknownValueError, as_text

if TYPE_CHECKING:
    from cloudrift.sources.terragrunt.config import Include, Scope, Session

# a configuration found by default in a directory, in Terragrunt's order of preference
DEFAULT_CONFIGS = ("terragrunt.hcl", "terragrunt.hcl.json")
_MAX_FOLDERS = 100  # Terragrunt's default for --max-folders-to-check

# functions whose value exists only when Terragrunt runs, and why cloudrift leaves them
_NOT_EVALUATED = {
    "run_cmd": "runs a command, and cloudrift runs none",
    "get_aws_account_id": "asks AWS for the caller's identity",
    "get_aws_account_alias": "asks AWS for the caller's identity",
    "get_aws_caller_identity_arn": "asks AWS for the caller's identity",
    "get_aws_caller_identity_user_id": "asks AWS for the caller's identity",
    "sops_decrypt_file": "decrypts a file",
    "get_working_dir": "names a directory inside .terragrunt-cache",
    "get_platform": "depends on the machine Terragrunt runs on",
    "get_terraform_command": "depends on the command Terragrunt runs",
    "get_terraform_cli_args": "depends on the command Terragrunt runs",
    "get_terragrunt_source_cli_flag": "depends on Terragrunt's command line",
}


def _relative(path: str, start: str) -> str:
    return posixpath.relpath(path, start)


def _text_args(name: str, args: list[Any], most: int) -> list[str]:
    if len(args) > most:
        raise EvalError(f"{name}() takes at most {most} argument(s), not {len(args)}")
    return [as_text(a) for a in args]


class _Bound:
    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.files = session.files
        self.scope = scope
        self.directory = posixpath.dirname(scope.config_path)

    def table(self) -> dict[str, Function]:
        table: dict[str, Function] = {
            "find_in_parent_folders": self.find_in_parent_folders,
            "path_relative_to_include": self.path_relative_to_include,
            "path_relative_from_include": self.path_relative_from_include,
            "get_terragrunt_dir": self.no_args("get_terragrunt_dir", lambda: self.directory),
            "get_original_terragrunt_dir": self.no_args(
                "get_original_terragrunt_dir",
                lambda: posixpath.dirname(self.scope.original_path)),
            "get_parent_terragrunt_dir": self.get_parent_terragrunt_dir,
            "get_env": self.get_env,
            "get_repo_root": self.no_args("get_repo_root", self.repo_root),
            "get_path_from_repo_root": self.no_args(
                "get_path_from_repo_root", lambda: _relative(self.directory, self.repo_root())),
            "get_path_to_repo_root": self.no_args(
                "get_path_to_repo_root", lambda: _relative(self.repo_root(), self.directory)),
            "read_terragrunt_config": self.read_terragrunt_config,
            "mark_as_read": self.mark_as_read,
            "file": self.file,
            "fileexists": self.fileexists,
            "abspath": self.abspath,
        }
        for name, why in _NOT_EVALUATED.items():
            table[name] = self.unknown(name, why)
        return table

    @staticmethod
    def no_args(name: str, body: Any) -> Function:
        def call(args: list[Any]) -> Any:
            if args:
                raise EvalError(f"{name}() takes no arguments")
            return body()
        return call

    @staticmethod
    def unknown(name: str, why: str) -> Function:
        def call(args: list[Any]) -> Any:
            raise UnknownValueError(f"{name}() {why}: not evaluated")
        return call

    def _absolute(self, path: str) -> str:
        joined = path if posixpath.isabs(path) else posixpath.join(self.directory, path)
        return posixpath.normpath(joined)

    def find_in_parent_folders(self, args: list[Any]) -> Any:
        name, *fallback = _text_args("find_in_parent_folders", args, 2) or [""]
        previous = self.directory
        for _ in range(_MAX_FOLDERS):
            current = posixpath.dirname(previous)
            if current == previous:
                break
            if name:
                candidates = [posixpath.join(current, name)]
            else:
                candidates = [posixpath.join(current, n) for n in DEFAULT_CONFIGS]
            for candidate in candidates:
                if self.files.is_file(candidate) or self.files.is_dir(candidate):
                    return candidate
            previous = current
        if fallback:
            return fallback[0]
        wanted = name or DEFAULT_CONFIGS[0]
        raise EvalError(f"no {wanted} in the folders above {self.files.shown(self.directory)}")

    def _selected(self, name: str, args: list[str]) -> Include | None:
        if self.scope.including is not None:
            return self.scope.including
        includes = self.scope.includes
        if not includes:
            return None
        if len(includes) == 1:
            return includes[0]
        if len(args) != 1:
            raise EvalError(f"{name}() needs the name of an include: this configuration has "
                            f"{len(includes)}")
        chosen = next((i for i in includes if i.name == args[0]), None)
        if chosen is None:
            raise EvalError(f"{name}(): no include named {args[0]!r}")
        return chosen

    def path_relative_to_include(self, args: list[Any]) -> Any:
        chosen = self._selected("path_relative_to_include",
                                _text_args("path_relative_to_include", args, 1))
        if chosen is None:
            return "."
        return _relative(self.directory, posixpath.dirname(chosen.path))

    def path_relative_from_include(self, args: list[Any]) -> Any:
        chosen = self._selected("path_relative_from_include",
                                _text_args("path_relative_from_include", args, 1))
        if chosen is None:
            return "."
        return _relative(posixpath.dirname(chosen.path), self.directory)

    def get_parent_terragrunt_dir(self, args: list[Any]) -> Any:
        relative = self.path_relative_from_include(args)
        return posixpath.normpath(posixpath.join(self.directory, relative))

    def get_env(self, args: list[Any]) -> Any:
        if not 1 <= len(args) <= 2:
            raise EvalError(f"get_env() takes 1 or 2 arguments, not {len(args)}")
        name, *default = _text_args("get_env", args, 2)
        if not name:
            raise EvalError("get_env() needs a variable name")
        if name in self.session.env:
            return self.session.env[name]
        if default:
            return default[0]
        raise EvalError(f"the environment variable {name} is not set (set it to read this)")

    def repo_root(self) -> str:
        if self.files.repo_root is None:
            raise EvalError(f"{self.files.shown(self.directory)} is not in a Git repository")
        return self.files.repo_root

    def read_terragrunt_config(self, args: list[Any]) -> Any:
        if not 1 <= len(args) <= 2:
            raise EvalError(f"read_terragrunt_config() takes 1 or 2 arguments, not {len(args)}")
        target = self._absolute(as_text(args[0]))
        if self.files.is_dir(target):
            target = next((posixpath.join(target, n) for n in DEFAULT_CONFIGS
                           if self.files.is_file(posixpath.join(target, n))),
                          posixpath.join(target, DEFAULT_CONFIGS[0]))
        if not self.files.is_file(target):
            if len(args) == 2:
                return args[1]
            raise EvalError(f"{self.files.shown(target)} does not exist")
        if posixpath.basename(target) in ("terragrunt.stack.hcl", "terragrunt.values.hcl"):
            raise UnknownValueError("stack and values files are not read")
        return self.session.read_config(target, self.scope.original_path)

    def mark_as_read(self, args: list[Any]) -> Any:
        if len(args) != 1:
            raise EvalError("mark_as_read() takes one argument")
        return args[0]

    def file(self, args: list[Any]) -> Any:
        if len(args) != 1:
            raise EvalError("file() takes one argument")
        target = self._absolute(as_text(args[0]))
        if not self.files.is_file(target):
            raise EvalError(f"{self.files.shown(target)} does not exist")
        return self.files.read(target).decode("utf-8", errors="replace")

    def fileexists(self, args: list[Any]) -> Any:
        if len(args) != 1:
            raise EvalError("fileexists() takes one argument")
        return self.files.is_file(self._absolute(as_text(args[0])))

    def abspath(self, args: list[Any]) -> Any:
        if len(args) != 1:
            raise EvalError("abspath() takes one argument")
        # relative to the directory Terragrunt runs in, the unit's
        return self._absolute(as_text(args[0]))


def terragrunt_functions(session: Session, scope: Scope) -> dict[str, Function]:
    return _Bound(session, scope).table()
