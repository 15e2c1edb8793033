"""tfstate+s3://: real boto3 against moto's server, over HTTP."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from cloudrift.engine import STATE_UNREADABLE, Scan, read_sources
from cloudrift.errors import ConfigError, SourceError
from cloudrift.sources import open_source
from cloudrift.sources.backends import BackendSettings
from cloudrift.sources.backends.s3 import S3StateSource
from cloudrift_aws.testing import MotoServer
from tests.sources.backends.conftest import CORRUPT, failures, state, tags

BUCKET = "tf-states"
# what moto >= 5.2.6 checks for ListObjectsV2 besides s3:ListBucket (see iam_enforced)
MOTO_LIST_ACTION = ("s3:ListObjectsV2",)


@pytest.fixture
def s3(moto: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.endpoint)
    client = boto3.client("s3", region_name="us-east-1", endpoint_url=moto.endpoint)
    client.create_bucket(Bucket=BUCKET)
    return client


def _put(s3: Any, key: str, data: bytes, bucket: str = BUCKET) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=data)


def test_one_key(s3: Any) -> None:
    _put(s3, "network/terraform.tfstate", state("network"))
    results = open_source(f"tfstate+s3://{BUCKET}/network/terraform.tfstate").read()
    assert tags(results) == {f"s3://{BUCKET}/network/terraform.tfstate": "network"}


def test_missing_key_and_missing_bucket_are_source_errors(s3: Any) -> None:
    with pytest.raises(SourceError, match=f"s3://{BUCKET}/nope.tfstate: no such state object"):
        open_source(f"tfstate+s3://{BUCKET}/nope.tfstate").read()
    for url in ("tfstate+s3://no-bucket/k.tfstate", "tfstate+s3://no-bucket/**/*.tfstate"):
        with pytest.raises(SourceError, match="bucket 'no-bucket' does not exist"):
            open_source(url).read()


def test_globs_follow_shell_semantics(s3: Any) -> None:
    keys = ["a.tfstate", "team1/x.tfstate", "team1/deep/y.tfstate", "team2/z.tfstate",
            "team2/z.tfstate.backup", "team2/.terraform.tfstate.lock.info", "team9/q.tfstate"]
    for key in keys:
        _put(s3, key, state(key))
    _put(s3, "team1/folder/", b"")

    def read(pattern: str) -> list[str]:
        return sorted(tags(open_source(f"tfstate+s3://{BUCKET}/{pattern}").read()).values())

    assert read("**/*.tfstate") == sorted(k for k in keys if k.endswith(".tfstate"))
    assert read("team*/*.tfstate") == ["team1/x.tfstate", "team2/z.tfstate", "team9/q.tfstate"]
    assert read("team?/**/?.tfstate") == ["team1/deep/y.tfstate", "team1/x.tfstate",
                                          "team2/z.tfstate", "team9/q.tfstate"]
    assert read("team[12]/*.tfstate") == ["team1/x.tfstate", "team2/z.tfstate"]
    assert read("team[!12]/*.tfstate") == ["team9/q.tfstate"]
    with pytest.raises(SourceError, match="no state object matches"):
        read("elsewhere/**/*.tfstate")


@pytest.fixture
def workspaces(s3: Any) -> Any:
    """The S3 backend's layout for key app/terraform.tfstate and three workspaces."""
    _put(s3, "app/terraform.tfstate", state("default"))
    for workspace in ("prod", "dev", "dev-2"):
        _put(s3, f"env:/{workspace}/app/terraform.tfstate", state(workspace))
    _put(s3, "env:/prod/other/terraform.tfstate", state("other-prod"))
    return s3


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["default"]),
    ("?workspace=prod", ["prod"]),
    ("?workspace=*", ["default", "dev", "dev-2", "prod"]),
    ("?workspace=dev*", ["dev", "dev-2"]),
    ("?workspace=default", ["default"]),
])
def test_workspaces(workspaces: Any, query: str, expected: list[str]) -> None:
    results = open_source(f"tfstate+s3://{BUCKET}/app/terraform.tfstate{query}").read()
    assert sorted(tags(results).values()) == expected


def test_workspace_labels_name_the_object(workspaces: Any) -> None:
    results = open_source(f"tfstate+s3://{BUCKET}/app/terraform.tfstate?workspace=prod").read()
    assert list(tags(results)) == [f"s3://{BUCKET}/env:/prod/app/terraform.tfstate"]
    results = open_source(f"tfstate+s3://{BUCKET}/env:/*/app/terraform.tfstate").read()
    assert sorted(tags(results).values()) == ["dev", "dev-2", "prod"]


def test_custom_workspace_key_prefix(s3: Any) -> None:
    _put(s3, "workspaces/blue/svc.tfstate", state("blue"))
    _put(s3, "env:/green/svc.tfstate", state("green"))
    results = open_source(
        f"tfstate+s3://{BUCKET}/svc.tfstate?workspace=*&workspace_key_prefix=workspaces").read()
    assert list(tags(results).values()) == ["blue"]


def test_versioned_bucket_reads_the_current_version(s3: Any) -> None:
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    _put(s3, "app.tfstate", state("first", serial=1))
    _put(s3, "app.tfstate", state("second", serial=2))
    _put(s3, "gone.tfstate", state("gone"))
    s3.delete_object(Bucket=BUCKET, Key="gone.tfstate")
    versions = s3.list_object_versions(Bucket=BUCKET)
    assert len(versions["Versions"]) == 3  # the old versions really are there
    (document,) = open_source(f"tfstate+s3://{BUCKET}/app.tfstate").read()
    assert tags([document]) == {f"s3://{BUCKET}/app.tfstate": "second"}
    assert document.serial == 2  # type: ignore[union-attr]
    # a deleted state (a delete marker on top) is not read through its old versions
    assert sorted(tags(open_source(f"tfstate+s3://{BUCKET}/*.tfstate").read()).values()) == [
        "second"]
    with pytest.raises(SourceError, match="no such state object"):
        open_source(f"tfstate+s3://{BUCKET}/gone.tfstate").read()


def test_corrupt_object_is_a_failure_while_the_others_are_read(s3: Any) -> None:
    for n in range(5):
        _put(s3, f"live/s{n}.tfstate", CORRUPT if n == 2 else state(f"s{n}"))
    results = open_source(f"tfstate+s3://{BUCKET}/live/*.tfstate").read()
    assert sorted(tags(results).values()) == ["s0", "s1", "s3", "s4"]
    (message,) = failures(results).values()
    assert list(failures(results)) == [f"s3://{BUCKET}/live/s2.tfstate"]
    assert message.startswith("not valid JSON")


def test_an_unreadable_state_becomes_one_warning_of_the_scan(s3: Any) -> None:
    _put(s3, "live/ok.tfstate", state("ok"))
    _put(s3, "live/bad.tfstate", CORRUPT)
    scan_input = read_sources([open_source(f"tfstate+s3://{BUCKET}/live/*.tfstate")])
    report = Scan(scan_input, {}).run()
    (warning,) = [w for w in report.warnings if w.code == STATE_UNREADABLE]
    assert warning.message.startswith(f"s3://{BUCKET}/live/bad.tfstate: state not read: "
                                      "not valid JSON")
    assert warning.message.count("live/bad.tfstate") == 1
    assert report.sources == [f"s3://{BUCKET}/live/ok.tfstate"]


def test_many_keys_are_read_concurrently_and_boundedly(s3: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(48):
        _put(s3, f"fleet/{n % 6}/s{n:02d}.tfstate", state(f"s{n:02d}"))
    in_flight = 0
    peak = 0
    lock = threading.Lock()
    real_get = S3StateSource.download

    def counting_get(self: S3StateSource, client: Any, key: str) -> bytes:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            return real_get(self, client, key)
        finally:
            with lock:
                in_flight -= 1

    monkeypatch.setattr(S3StateSource, "download", counting_get)
    url = f"tfstate+s3://{BUCKET}/fleet/**/*.tfstate"
    results = open_source(url, BackendSettings(max_workers=6)).read()
    assert sorted(tags(results).values()) == [f"s{n:02d}" for n in range(48)]
    assert 1 < peak <= 6


def _reset_auth(moto: MotoServer, free_requests: str) -> None:
    """moto's documented switch: IAM is enforced after that many unauthenticated requests."""
    # a form content type would have the body parsed as a form, and the count lost
    request = urllib.request.Request(f"{moto.endpoint}/moto-api/reset-auth",
                                     data=free_requests.encode(), method="POST",
                                     headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


@contextmanager
def _as_reader(moto: MotoServer, monkeypatch: pytest.MonkeyPatch,
               statements: list[dict[str, Any]]) -> Iterator[None]:
    """Credentials of a user with these policy statements; moto enforcing IAM meanwhile."""
    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=moto.endpoint)
    iam.create_user(UserName="reader")
    iam.put_user_policy(UserName="reader", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": statements,
    }))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.delenv("AWS_SESSION_TOKEN")
    _reset_auth(moto, "0")
    try:
        yield
    finally:
        _reset_auth(moto, "inf")


@pytest.fixture
def iam_enforced(moto: MotoServer, s3: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A reader allowed to list and get, denied one prefix.

    AWS authorises ListObjectsV2 by the IAM action ``s3:ListBucket``. moto up to 5.2.5 did so
    too; 5.2.6 takes the IAM action from the operation its router matches (``BaseResponse.
    _get_action`` no longer looks at the action the S3 handler sets), so it asks for
    ``s3:ListObjectsV2``, which is no IAM action at all. The reader is granted both: the policy
    AWS needs, and the name moto 5.2.6 checks.
    """
    _put(s3, "open/a.tfstate", state("open/a.tfstate"))
    _put(s3, "locked/secret.tfstate", state("locked"))
    with _as_reader(moto, monkeypatch, [
        {"Effect": "Allow", "Action": ["s3:ListBucket", *MOTO_LIST_ACTION, "s3:GetObject"],
         "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{BUCKET}/locked/*"},
    ]):
        yield


def test_a_reader_that_may_not_list_fails_a_glob_but_reads_a_key(
        moto: MotoServer, s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _put(s3, "live/a.tfstate", state("a"))
    with _as_reader(moto, monkeypatch, [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    ]):
        with pytest.raises(SourceError, match=rf"s3://{BUCKET}/live/: access denied listing the "
                           r"bucket \(AccessDenied\)") as caught:
            open_source(f"tfstate+s3://{BUCKET}/live/*.tfstate").read()
        assert caught.value.hint is not None
        assert "s3:ListBucket" in caught.value.hint
        results = open_source(f"tfstate+s3://{BUCKET}/live/a.tfstate").read()
        assert list(tags(results).values()) == ["a"]


def test_access_denied_on_one_object_is_a_failure(s3: Any, iam_enforced: None) -> None:
    results = open_source(f"tfstate+s3://{BUCKET}/**/*.tfstate").read()
    assert failures(results) == {f"s3://{BUCKET}/locked/secret.tfstate": "access denied "
                                 "(AccessDenied)"}
    assert sorted(tags(results).values()) == ["open/a.tfstate"]


def test_rejected_credentials_are_a_source_error(s3: Any, iam_enforced: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIANOTAKEY000000000")
    with pytest.raises(SourceError, match=r"S3 rejected the credentials \(InvalidAccessKeyId\)"):
        open_source(f"tfstate+s3://{BUCKET}/**/*.tfstate").read()


def test_no_credentials_at_all(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(SourceError, match="AWS credentials not found"):
        open_source(f"tfstate+s3://{BUCKET}/x.tfstate").read()


def test_region_option(moto: MotoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.endpoint)
    client = boto3.client("s3", region_name="eu-west-1", endpoint_url=moto.endpoint)
    client.create_bucket(Bucket="eu-states",
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    client.put_object(Bucket="eu-states", Key="k.tfstate", Body=state("eu"))
    source = open_source("tfstate+s3://eu-states/k.tfstate?region=eu-west-1")
    assert isinstance(source, S3StateSource)
    assert source.region == "eu-west-1"
    assert list(tags(source.read()).values()) == ["eu"]


def test_endpoint_and_path_style_options(s3: Any, moto: MotoServer,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    _put(s3, "k.tfstate", state("opt"))
    url = f"tfstate+s3://{BUCKET}/k.tfstate?endpoint={moto.endpoint}&path_style=true"
    assert list(tags(open_source(url).read()).values()) == ["opt"]


@pytest.mark.parametrize(("url", "message"), [
    ("tfstate+s3://bucket", "names a bucket but no key"),
    ("tfstate+s3://bucket/k?regoin=x", "unknown option 'regoin'"),
    ("tfstate+s3://bucket/k?workspace=a/b", "workspace must be a name"),
    ("tfstate+s3://bucket/k?path_style=maybe", "takes true or false"),
    ("tfstate+s3://bucket/k?region=a&region=b", "given twice"),
])
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_source(url)
