"""GitTree and GitStateSource against real repositories built with the git CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

from cloudrift.errors import SourceError, StateFormatError
from cloudrift.sources.files import LocalTree, blob_id
from cloudrift.sources.git import (
    GitStateSource,
    GitTree,
    cache_path,
    glob_regex,
    is_remote,
    tree_source,
    without_credentials,
)
from cloudrift.sources.tfstate import SourceFailure, StateDocument

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


@pytest.fixture(autouse=True)
def git_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user or system git config, and a cache directory of the test's own."""
    if shutil.which("git") is None:
        pytest.skip("the git command is not installed")
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


class GitRepo:
    """A repository in a temporary directory, driven through the git CLI."""

    def __init__(self, path: Path, *, bare: bool = False) -> None:
        self.path = path
        args = ["init", "-q", "-b", "main"] + (["--bare"] if bare else [])
        subprocess.run(["git", *args, str(path)], check=True)

    def git(self, *args: str) -> str:
        completed = subprocess.run(
            ["git", "-C", str(self.path), *args], check=True, capture_output=True, text=True
        )
        return completed.stdout.strip()

    def write(self, files: Mapping[str, str | bytes | None]) -> None:
        """Write (or, for None, delete) files in the working tree."""
        for name, content in files.items():
            target = self.path / name
            if content is None:
                target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")

    def commit(self, files: Mapping[str, str | bytes | None], message: str = "change") -> str:
        self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def url(self) -> str:
        return self.path.resolve().as_uri()


def state(serial: int, bucket: str = "logs") -> str:
    """A minimal Terraform state with one bucket, told apart by its serial."""
    return json.dumps({
        "version": 4, "terraform_version": "1.11.0", "serial": serial, "lineage": "l-1",
        "outputs": {}, "resources": [{
            "mode": "managed", "type": "aws_s3_bucket", "name": "b",
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
            "instances": [{"schema_version": 0, "attributes": {"id": bucket, "bucket": bucket}}],
        }],
    })


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """main: v1 then v2 (tag v1 on the first); branch feature from v1 with its own change; and
    a working tree that differs from every commit."""
    repo = GitRepo(tmp_path / "repo")
    repo.commit({
        "main.tf": 'resource "aws_s3_bucket" "b" { bucket = "logs-v1" }\n',
        "envs/prod/terraform.tfstate": state(1),
        "envs/dev/terraform.tfstate": state(10, "dev"),
    }, "v1")
    repo.git("tag", "v1")
    repo.git("branch", "feature")
    repo.commit({
        "main.tf": 'resource "aws_s3_bucket" "b" { bucket = "logs-v2" }\n',
        "envs/prod/terraform.tfstate": state(2),
    }, "v2")
    repo.git("checkout", "-q", "feature")
    repo.commit({"feature.tf": "# only on feature\n", "envs/prod/terraform.tfstate": state(7)},
                "feature")
    repo.git("checkout", "-q", "main")
    repo.write({"main.tf": "# uncommitted edit\n", "untracked.tf": "# never committed\n",
                "envs/prod/terraform.tfstate": state(99)})
    return repo


def serials(documents: Iterable[object]) -> list[int]:
    return [d.serial for d in documents if isinstance(d, StateDocument)]


# --- reading refs ------------------------------------------------------------------------------


def test_each_ref_reads_its_own_commit_not_the_working_tree(repo: GitRepo) -> None:
    before = (repo.git("status", "--porcelain"), repo.git("rev-parse", "--abbrev-ref", "HEAD"),
              (repo.path / ".git" / "index").read_bytes())

    tagged = GitTree(str(repo.path), "v1")
    branch = GitTree(str(repo.path), "main")
    feature = GitTree(str(repo.path), "feature")

    assert tagged.read("main.tf") == b'resource "aws_s3_bucket" "b" { bucket = "logs-v1" }\n'
    assert branch.read("main.tf") == b'resource "aws_s3_bucket" "b" { bucket = "logs-v2" }\n'
    assert feature.read("feature.tf") == b"# only on feature\n"
    assert list(branch.walk()) == [
        "envs/dev/terraform.tfstate", "envs/prod/terraform.tfstate", "main.tf",
    ]
    assert "feature.tf" in list(feature.walk())
    assert not branch.is_file("untracked.tf")
    assert not branch.is_file("feature.tf")
    # nothing was checked out, staged or switched
    after = (repo.git("status", "--porcelain"), repo.git("rev-parse", "--abbrev-ref", "HEAD"),
             (repo.path / ".git" / "index").read_bytes())
    assert after == before
    assert (repo.path / "main.tf").read_text() == "# uncommitted edit\n"


def test_state_differs_between_refs(repo: GitRepo) -> None:
    read = {
        ref: serials(GitStateSource(GitTree(str(repo.path), ref),
                                    "envs/prod/terraform.tfstate").read())
        for ref in ("v1", "main", "feature")
    }
    assert read == {"v1": [1], "main": [2], "feature": [7]}


def test_commit_ids_and_short_refs_resolve(repo: GitRepo) -> None:
    first = repo.git("rev-parse", "v1")
    for ref in (first, first[:10], "main~1", "refs/tags/v1"):
        tree = GitTree(str(repo.path), ref)
        assert tree.commit == first
        assert b"logs-v1" in tree.read("main.tf")


def test_labels_and_digests(repo: GitRepo) -> None:
    tree = GitTree(str(repo.path), "v1")
    assert tree.label == f"{repo.path}@v1"
    content = tree.read("main.tf")
    # the same id git itself gives, and the one LocalTree computes for the same bytes
    assert tree.digest("main.tf") == repo.git("rev-parse", "v1:main.tf") == blob_id(content)
    documents = GitStateSource(tree, "envs/prod/terraform.tfstate").read()
    assert [d.source for d in documents if isinstance(d, StateDocument)] == [
        f"{repo.path}@v1:envs/prod/terraform.tfstate"
    ]
    instance = documents[0].instances[0]  # type: ignore[union-attr]
    assert instance.source == f"{repo.path}@v1:envs/prod/terraform.tfstate"


def test_directories(repo: GitRepo) -> None:
    tree = GitTree(str(repo.path), "main")
    assert tree.is_dir("")
    assert tree.is_dir("envs")
    assert tree.is_dir("envs/prod/")
    assert not tree.is_dir("main.tf")
    assert not tree.is_file("envs")
    assert list(tree.walk("envs/prod")) == ["envs/prod/terraform.tfstate"]


def test_a_missing_ref_names_repository_and_ref(repo: GitRepo) -> None:
    with pytest.raises(SourceError) as caught:
        GitTree(str(repo.path), "release-9")
    assert str(repo.path) in caught.value.message
    assert "'release-9'" in caught.value.message
    assert caught.value.hint is not None


@pytest.mark.parametrize("ref", ["--output=/tmp/x", "-h"])
def test_a_ref_that_looks_like_an_option_is_refused(repo: GitRepo, ref: str) -> None:
    with pytest.raises(SourceError, match="is not a ref"):
        GitTree(str(repo.path), ref)


def test_a_tree_or_blob_id_is_not_a_commit(repo: GitRepo) -> None:
    blob = repo.git("rev-parse", "v1:main.tf")
    with pytest.raises(SourceError, match="not found"):
        GitTree(str(repo.path), blob)


def test_a_missing_path_names_path_and_ref(repo: GitRepo) -> None:
    tree = GitTree(str(repo.path), "v1")
    with pytest.raises(SourceError) as caught:
        tree.read("feature.tf")
    assert "feature.tf" in caught.value.message
    assert "@v1" in caught.value.message
    with pytest.raises(SourceError) as caught:
        GitStateSource(tree, "envs/staging/terraform.tfstate").read()
    assert "envs/staging/terraform.tfstate" in caught.value.message
    assert "@v1" in caught.value.message


def test_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(SourceError, match="not a git repository"):
        GitTree(str(plain), "main")
    with pytest.raises(SourceError, match="no such directory"):
        GitTree(str(tmp_path / "absent"), "main")


def test_an_empty_repository_has_no_refs(tmp_path: Path) -> None:
    empty = GitRepo(tmp_path / "empty")
    with pytest.raises(SourceError, match="ref 'main' not found"):
        GitTree(str(empty.path), "main")


def test_a_subdirectory_is_the_root_of_its_tree(repo: GitRepo) -> None:
    tree = GitTree(str(repo.path / "envs"), "v1")
    assert list(tree.walk()) == ["dev/terraform.tfstate", "prod/terraform.tfstate"]
    assert serials(GitStateSource(tree, "prod/terraform.tfstate").read()) == [1]


def test_a_bare_repository(tmp_path: Path, repo: GitRepo) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    tree = GitTree(str(bare), "feature")
    assert tree.read("feature.tf") == b"# only on feature\n"


def test_remote_tracking_ref_of_a_checkout(tmp_path: Path) -> None:
    """The nightly job: a checkout on an old commit scans origin/main after a fetch."""
    upstream = GitRepo(tmp_path / "upstream")
    upstream.commit({"main.tf": "# one\n"})
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(upstream.path), str(checkout)], check=True)
    upstream.commit({"main.tf": "# two\n"})
    subprocess.run(["git", "-C", str(checkout), "fetch", "-q"], check=True)

    assert GitTree(str(checkout), "origin/main").read("main.tf") == b"# two\n"
    assert GitTree(str(checkout), "HEAD").read("main.tf") == b"# one\n"
    assert (checkout / "main.tf").read_text() == "# one\n"


def test_symbolic_links(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "links")
    repo.write({"shared/providers.tf": "# shared\n", "outside.txt": "x"})
    (repo.path / "app").mkdir()
    os.symlink("../shared/providers.tf", repo.path / "app" / "providers.tf")
    os.symlink("../shared", repo.path / "app" / "shared")
    os.symlink("../../etc/passwd", repo.path / "app" / "escape.tf")
    os.symlink("missing.tf", repo.path / "app" / "broken.tf")
    repo.commit({})
    tree = GitTree(str(repo.path), "main")
    local = LocalTree(str(repo.path))

    assert tree.read("app/providers.tf") == b"# shared\n"
    assert tree.digest("app/providers.tf") == blob_id(b"# shared\n")
    assert tree.is_dir("app/shared")
    assert not tree.is_file("app/shared")
    assert not tree.is_file("app/escape.tf")
    assert not tree.is_file("app/broken.tf")
    # a link to a file is listed, a link to a directory is not descended into, as on disk
    assert "app/providers.tf" in list(tree.walk("app"))
    assert "app/shared" not in list(tree.walk("app"))
    assert list(local.walk("app")) == ["app/broken.tf", "app/escape.tf", "app/providers.tf"]
    assert local.is_dir("app/shared") == tree.is_dir("app/shared")


def test_skipped_directories_match_the_local_tree(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "skips")
    repo.commit({"main.tf": "", ".terraform/terraform.tfstate": "{}",
                 "node_modules/x/main.tf": ""})
    assert list(GitTree(str(repo.path), "main").walk()) == list(LocalTree(str(repo.path)).walk())
    assert GitTree(str(repo.path), "main").is_file(".terraform/terraform.tfstate")


def test_concurrent_reads_share_one_process(repo: GitRepo) -> None:
    tree = GitTree(str(repo.path), "main")
    expected = {path: tree.read(path) for path in tree.walk()}
    failures: list[str] = []

    def worker() -> None:
        for _ in range(30):
            for path, content in expected.items():
                if tree.read(path) != content:
                    failures.append(path)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    tree.close()
    # a closed tree starts git again when read
    assert tree.read("main.tf") == expected["main.tf"]


# --- state sources -----------------------------------------------------------------------------


def test_state_glob_reads_every_match(repo: GitRepo) -> None:
    tree = GitTree(str(repo.path), "v1")
    source = GitStateSource(tree, "envs/**/*.tfstate")
    assert source.uri == f"{repo.path}@v1:envs/**/*.tfstate"
    documents = source.read()
    assert [(d.source, d.serial) for d in documents if isinstance(d, StateDocument)] == [
        (f"{repo.path}@v1:envs/dev/terraform.tfstate", 10),
        (f"{repo.path}@v1:envs/prod/terraform.tfstate", 1),
    ]
    assert serials(GitStateSource(tree, "**/terraform.tfstate").read()) == [10, 1]


def test_from_values_are_read_from_the_tree(repo: GitRepo) -> None:
    """With --repo/--ref, a --from path means a path in that commit; a backend URL does not."""
    tree = GitTree(str(repo.path), "v1")
    assert serials(tree_source(tree, "tfstate://envs/prod/terraform.tfstate").read()) == [1]
    assert serials(tree_source(tree, "envs/*/terraform.tfstate").read()) == [10, 1]
    assert not isinstance(tree_source(tree, "tfstate+s3://bucket/app.tfstate"), GitStateSource)


def test_state_glob_that_matches_nothing(repo: GitRepo) -> None:
    with pytest.raises(SourceError, match="no state file matches"):
        GitStateSource(GitTree(str(repo.path), "v1"), "live/**/*.tfstate").read()


def test_a_directory_is_not_a_state(repo: GitRepo) -> None:
    with pytest.raises(SourceError, match="is a directory") as caught:
        GitStateSource(GitTree(str(repo.path), "v1"), "envs/prod").read()
    assert caught.value.hint is not None


def test_one_bad_file_among_many_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "bad")
    repo.commit({"a/terraform.tfstate": state(1), "b/terraform.tfstate": "{not json",
                 "c/terraform.tfstate": state(3)})
    tree = GitTree(str(repo.path), "main")
    documents = GitStateSource(tree, "*/terraform.tfstate").read()
    assert serials(documents) == [1, 3]
    failures = [d for d in documents if isinstance(d, SourceFailure)]
    assert [f.source for f in failures] == [f"{repo.path}@main:b/terraform.tfstate"]
    assert "not valid JSON" in failures[0].message
    # named on its own, the same file is an error
    with pytest.raises(StateFormatError, match=r"b/terraform\.tfstate"):
        GitStateSource(tree, "b/terraform.tfstate").read()


def test_state_source_over_a_local_tree(repo: GitRepo) -> None:
    documents = GitStateSource(LocalTree(str(repo.path)), "envs/prod/terraform.tfstate").read()
    assert serials(documents) == [99]


def test_a_file_whose_name_looks_like_a_glob(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "odd")
    repo.commit({"env[prod].tfstate": state(5), "envp.tfstate": state(6)})
    tree = GitTree(str(repo.path), "main")
    assert serials(GitStateSource(tree, "env[prod].tfstate").read()) == [5]
    assert serials(GitStateSource(tree, "env[!x].tfstate").read()) == [6]


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*.tfstate", "a.tfstate", True),
        ("*.tfstate", "x/a.tfstate", False),
        ("**/*.tfstate", "a.tfstate", True),
        ("**/*.tfstate", "x/y/a.tfstate", True),
        ("envs/**/terraform.tfstate", "envs/terraform.tfstate", True),
        ("envs/**/terraform.tfstate", "envs/a/b/terraform.tfstate", True),
        ("envs/**/terraform.tfstate", "other/envs/terraform.tfstate", False),
        ("envs/**", "envs/a/b", True),
        ("env?.tfstate", "env1.tfstate", True),
        ("env?.tfstate", "env/.tfstate", False),
        ("[ab].tfstate", "b.tfstate", True),
        ("[!ab].tfstate", "b.tfstate", False),
        ("[!ab].tfstate", "/.tfstate", False),
        ("a+b.tfstate", "a+b.tfstate", True),
        ("a.tfstate", "aXtfstate", False),
    ],
)
def test_glob_semantics(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_regex(pattern).match(path)) is matches


# --- URLs and the clone cache ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("repo", "remote"),
    [
        ("https://github.com/acme/infra.git", True),
        ("file:///srv/git/infra.git", True),
        ("ssh://git@host/infra.git", True),
        ("git@github.com:acme/infra.git", True),
        ("/srv/git/infra", False),
        ("infra", False),
        ("./infra@2", False),
        ("C:\\repos\\infra", False),
    ],
)
def test_is_remote(repo: str, remote: bool) -> None:
    assert is_remote(repo) is remote


def test_credentials_stay_out_of_labels_and_cache_keys() -> None:
    with_token = "https://ci:s3cr3t@git.example.com/acme/infra.git"
    assert without_credentials(with_token) == "https://git.example.com/acme/infra.git"
    assert cache_path(with_token, "/c") == cache_path("https://git.example.com/acme/infra.git",
                                                      "/c")
    assert cache_path(with_token, "/c") != cache_path("https://git.example.com/acme/other.git",
                                                      "/c")


def test_url_is_cloned_bare_then_fetched(tmp_path: Path) -> None:
    upstream = GitRepo(tmp_path / "upstream")
    upstream.commit({"main.tf": "# one\n", "terraform.tfstate": state(1)})
    url = upstream.url()

    first = GitTree(url, "main")
    assert first.label == f"{url}@main"
    assert first.read("main.tf") == b"# one\n"
    cached = Path(first.git_dir)
    assert cached.parent == tmp_path / "cache" / "cloudrift" / "repos"
    assert subprocess.run(["git", "--git-dir", str(cached), "rev-parse", "--is-bare-repository"],
                          capture_output=True, text=True, check=True).stdout.strip() == "true"
    assert not (cached / "main.tf").exists()

    upstream.commit({"main.tf": "# two\n", "terraform.tfstate": state(2)})
    upstream.git("tag", "v2")
    second = GitTree(url, "main")
    assert second.git_dir == first.git_dir
    assert second.read("main.tf") == b"# two\n"
    assert serials(GitStateSource(second, "terraform.tfstate").read()) == [2]
    # the names a checkout would use work against the cache too
    assert GitTree(url, "origin/main").commit == second.commit
    assert GitTree(url, "v2").commit == second.commit
    assert GitTree(url, "main~1").read("main.tf") == b"# one\n"
    # the first tree still reads its own commit
    assert first.read("main.tf") == b"# one\n"
    assert sorted(p.name for p in cached.parent.iterdir() if not p.name.endswith(".lock")) == [
        cached.name
    ]


def test_deleted_branches_are_pruned_from_the_cache(tmp_path: Path) -> None:
    upstream = GitRepo(tmp_path / "upstream")
    upstream.commit({"main.tf": ""})
    upstream.git("branch", "old")
    assert GitTree(upstream.url(), "old").read("main.tf") == b""
    upstream.git("branch", "-D", "old")
    with pytest.raises(SourceError, match="ref 'old' not found"):
        GitTree(upstream.url(), "old")


def test_offline_cache_without_fetch(tmp_path: Path) -> None:
    upstream = GitRepo(tmp_path / "upstream")
    upstream.commit({"main.tf": "# one\n"})
    url = upstream.url()
    GitTree(url, "main")
    upstream.commit({"main.tf": "# two\n"})
    assert GitTree(url, "main", fetch=False).read("main.tf") == b"# one\n"


def test_a_fetch_that_fails_is_an_error(tmp_path: Path) -> None:
    upstream = GitRepo(tmp_path / "upstream")
    upstream.commit({"main.tf": ""})
    url = upstream.url()
    GitTree(url, "main")
    shutil.rmtree(upstream.path)
    with pytest.raises(SourceError, match="fetch failed") as caught:
        GitTree(url, "main")
    assert url in caught.value.message


def test_a_url_that_cannot_be_cloned(tmp_path: Path) -> None:
    url = (tmp_path / "nowhere").as_uri()
    with pytest.raises(SourceError, match="clone failed"):
        GitTree(url, "main")
    # nothing half-made is left to be mistaken for a clone
    repos = tmp_path / "cache" / "cloudrift" / "repos"
    assert [p.name for p in repos.iterdir() if not p.name.endswith(".lock")] == []


def test_a_ref_outside_branches_and_tags_is_fetched_by_name(tmp_path: Path) -> None:
    upstream = GitRepo(tmp_path / "upstream")
    upstream.commit({"main.tf": "# main\n"})
    upstream.git("checkout", "-q", "-b", "topic")
    upstream.commit({"main.tf": "# review\n"})
    upstream.git("update-ref", "refs/pull/1/head", "topic")
    upstream.git("checkout", "-q", "main")
    upstream.git("branch", "-D", "topic")
    assert GitTree(upstream.url(), "refs/pull/1/head").read("main.tf") == b"# review\n"


def test_blobless_clone_prefetches_in_one_request(tmp_path: Path) -> None:
    upstream = GitRepo(tmp_path / "upstream")
    # a server that allows partial clones, as GitHub and GitLab do
    upstream.git("config", "uploadpack.allowFilter", "true")
    upstream.git("config", "uploadpack.allowAnySHA1InWant", "true")
    upstream.commit({"a.tf": "# a\n", "b.tf": "# b\n"})
    url = upstream.url()
    tree = GitTree(url, "main")
    git_dir = tree.git_dir
    assert subprocess.run(["git", "--git-dir", git_dir, "config", "remote.origin.promisor"],
                          capture_output=True, text=True).stdout.strip() == "true"

    tree.prefetch(["a.tf"])
    # with the server gone, only what was prefetched can be read
    subprocess.run(["git", "--git-dir", git_dir, "remote", "set-url", "origin",
                    (tmp_path / "gone").as_uri()], check=True)
    assert tree.read("a.tf") == b"# a\n"
    with pytest.raises(SourceError, match="cannot read object"):
        tree.read("b.tf")
