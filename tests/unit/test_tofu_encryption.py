"""OpenTofu-encrypted states: the envelope, pbkdf2 + aes_gcm, fallbacks, migrations, and the
key configuration as OpenTofu takes it (TF_ENCRYPTION in HCL or JSON, merged over the code's).

Every encrypted state here is a test vector written from OpenTofu's specification of the format,
not by ``tofu`` (not on this machine): by ``cloudrift.testing.tofu`` in Python, and, for the
fixtures under ``fixtures/states/opentofu/``, by an independent writer in JavaScript
(``make-encrypted.mjs``). The two writers are checked to agree byte for byte.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from cloudrift.errors import ConfigError, StateDecryptionError, StateFormatError
from cloudrift.sources.files import LocalTree
from cloudrift.sources.tfstate import StateDocument, parse_state
from cloudrift.sources.tofu_encryption import StateKeys, env_keys, root_keys
from cloudrift.testing import StateBuilder
from cloudrift.testing.tofu import Pbkdf2Provider, pbkdf2_encrypted, seal

pytest.importorskip("cryptography", reason="the tofu extra (cryptography) is not installed")

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "states" / "opentofu"
DOCS_PASSPHRASE = "correct-horse-battery-staple"  # the example of OpenTofu's documentation
# a low iteration count keeps the tests fast; OpenTofu's minimum for a configuration
FAST = 200_000


def hcl(passphrase: str = DOCS_PASSPHRASE, name: str = "main", extra: str = "") -> str:
    return f"""
key_provider "pbkdf2" "{name}" {{
  passphrase = "{passphrase}"
}}
method "aes_gcm" "default" {{
  keys = key_provider.pbkdf2.{name}
}}
state {{
  method = method.aes_gcm.default
{extra}}}
"""


def keys_from(text: str, **env: str) -> StateKeys:
    keys = env_keys({"TF_ENCRYPTION": text, **env})
    assert keys is not None
    return keys


def a_state(serial: int = 3) -> dict[str, Any]:
    document = StateBuilder().add("aws_sqs_queue", "q", {"id": "https://q", "name": "q"}
                                  ).document()
    document["serial"] = serial
    return document


def addresses(document: StateDocument) -> list[str]:
    return [i.address for i in document.instances]


# --- the fixtures of the independent writer ---------------------------------------------------


def test_a_state_written_by_the_independent_writer_decrypts() -> None:
    data = (FIXTURES / "encrypted-pbkdf2.tfstate").read_bytes()
    opened = parse_state(data, "enc.tfstate", keys_from(hcl()))
    plain = parse_state((FIXTURES / "tofu-1.10.tfstate").read_bytes(), "plain.tfstate")
    assert addresses(opened) == addresses(plain) == ["aws_sqs_queue.orders"]
    assert (opened.serial, opened.lineage) == (plain.serial, plain.lineage)
    assert opened.instances[0].attributes == plain.instances[0].attributes
    assert opened.instances[0].provider == "aws"


def test_json_configuration_with_alias_aad_sha256_and_a_128_bit_key() -> None:
    config = {
        "key_provider": {"pbkdf2": {"rotated": {
            "passphrase": "a longer passphrase, with spaces", "hash_function": "sha256",
            "key_length": 16, "iterations": 200000, "encrypted_metadata_alias": "shared-key"}}},
        "method": {"aes_gcm": {"m": {"keys": "key_provider.pbkdf2.rotated", "aad": [1, 2, 3, 4]}}},
        "state": {"method": "method.aes_gcm.m"},
    }
    data = (FIXTURES / "encrypted-pbkdf2-aad.tfstate").read_bytes()
    opened = parse_state(data, "enc.tfstate", keys_from(json.dumps(config)))
    assert addresses(opened) == ["aws_sqs_queue.orders"]
    # the aad is authenticated: without it the same key opens nothing
    del config["method"]["aes_gcm"]["m"]["aad"]  # type: ignore[index]
    with pytest.raises(StateDecryptionError, match=r"key_provider\.pbkdf2\.rotated"):
        parse_state(data, "enc.tfstate", keys_from(json.dumps(config)))


@pytest.mark.parametrize(("fixture", "provider", "aad"), [
    ("encrypted-pbkdf2.tfstate", Pbkdf2Provider(DOCS_PASSPHRASE, salt=bytes(range(32))), b""),
    ("encrypted-pbkdf2-aad.tfstate",
     Pbkdf2Provider("a longer passphrase, with spaces", salt=bytes(range(32)), iterations=FAST,
                    hash_function="sha256", key_length=16, alias="shared-key"),
     bytes([1, 2, 3, 4])),
])
def test_the_two_writers_agree_byte_for_byte(fixture: str, provider: Pbkdf2Provider,
                                              aad: bytes) -> None:
    plain = (FIXTURES / "tofu-1.10.tfstate").read_bytes()
    written = pbkdf2_encrypted(plain, provider, nonce=bytes(range(0xA0, 0xAC)), aad=aad)
    assert written == (FIXTURES / fixture).read_bytes()


def test_envelope_shape_is_opentofus() -> None:
    written = json.loads(pbkdf2_encrypted(a_state(7), Pbkdf2Provider(DOCS_PASSPHRASE,
                                                                      iterations=FAST)))
    assert list(written) == ["serial", "lineage", "meta", "encrypted_data", "encryption_version"]
    assert written["serial"] == 7
    meta = json.loads(base64.b64decode(written["meta"]["key_provider.pbkdf2.main"]))
    assert list(meta) == ["salt", "iterations", "hash_function", "key_length"]
    assert len(base64.b64decode(meta["salt"])) == 32
    # nonce (12) + ciphertext + tag (16)
    assert len(base64.b64decode(written["encrypted_data"])) > 28


# --- wrong keys, one clear line --------------------------------------------------------------


def test_a_wrong_passphrase_names_the_state_and_the_key_provider_and_nothing_secret() -> None:
    data = (FIXTURES / "encrypted-pbkdf2.tfstate").read_bytes()
    wrong = "not-the-passphrase-at-all"
    with pytest.raises(StateDecryptionError) as caught:
        parse_state(data, "s3://b/prod.tfstate", keys_from(hcl(wrong)))
    text = str(caught.value)
    assert text.startswith("s3://b/prod.tfstate: cannot decrypt")
    assert "key_provider.pbkdf2.main" in text
    assert "wrong passphrase or key" in text
    assert "\n" not in text
    envelope = json.loads(data)
    for secret in (wrong, DOCS_PASSPHRASE, envelope["encrypted_data"][:16],
                   envelope["meta"]["key_provider.pbkdf2.main"][:16]):
        assert secret not in text


def test_no_key_configuration_is_a_state_format_error_with_the_way_out() -> None:
    data = (FIXTURES / "encrypted-pbkdf2.tfstate").read_bytes()
    with pytest.raises(StateFormatError) as caught:
        parse_state(data, "enc.tfstate")
    assert "encrypted (OpenTofu" in caught.value.message
    assert caught.value.hint is not None
    assert "TF_ENCRYPTION" in caught.value.hint


def test_serial_outside_must_match_serial_inside() -> None:
    provider = Pbkdf2Provider(DOCS_PASSPHRASE, iterations=FAST)
    envelope = json.loads(pbkdf2_encrypted(a_state(3), provider))
    envelope["serial"] = 4
    with pytest.raises(StateDecryptionError, match="serial does not match"):
        parse_state(json.dumps(envelope).encode(), "enc.tfstate", keys_from(hcl()))


def test_corrupt_ciphertext_fails_to_authenticate() -> None:
    provider = Pbkdf2Provider(DOCS_PASSPHRASE, iterations=FAST)
    envelope = json.loads(pbkdf2_encrypted(a_state(), provider))
    raw = bytearray(base64.b64decode(envelope["encrypted_data"]))
    raw[20] ^= 1
    envelope["encrypted_data"] = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(StateDecryptionError, match="does not authenticate"):
        parse_state(json.dumps(envelope).encode(), "enc.tfstate", keys_from(hcl()))


# --- fallback (key rotation) and migrations -----------------------------------------------


ROTATION = """
key_provider "pbkdf2" "new" {
  passphrase = "the-new-passphrase-2026"
}
key_provider "pbkdf2" "old" {
  passphrase = "the-old-passphrase-2024"
}
method "aes_gcm" "new" {
  keys = key_provider.pbkdf2.new
}
method "aes_gcm" "old" {
  keys = key_provider.pbkdf2.old
}
state {
  method = method.aes_gcm.new
  fallback {
    method = method.aes_gcm.old
  }
}
"""


def test_fallback_opens_a_state_written_before_the_rotation() -> None:
    keys = keys_from(ROTATION)
    old = pbkdf2_encrypted(a_state(), Pbkdf2Provider("the-old-passphrase-2024", name="old",
                                                     iterations=FAST))
    new = pbkdf2_encrypted(a_state(), Pbkdf2Provider("the-new-passphrase-2026", name="new",
                                                     iterations=FAST))
    assert addresses(parse_state(old, "old.tfstate", keys)) == ["aws_sqs_queue.q"]
    assert addresses(parse_state(new, "new.tfstate", keys)) == ["aws_sqs_queue.q"]
    assert keys.secrets() == {"the-new-passphrase-2026", "the-old-passphrase-2024"}


def test_when_every_method_fails_each_is_named_in_order() -> None:
    stranger = pbkdf2_encrypted(a_state(), Pbkdf2Provider("some-other-passphrase", name="old",
                                                          iterations=FAST))
    with pytest.raises(StateDecryptionError) as caught:
        parse_state(stranger, "x.tfstate", keys_from(ROTATION))
    text = caught.value.message
    # the state was written by key_provider.pbkdf2.old: the new provider finds no metadata
    assert "state method.aes_gcm.new: the state holds no pbkdf2 metadata for " \
           "key_provider.pbkdf2.new" in text
    assert "state.fallback method.aes_gcm.old: key_provider.pbkdf2.old: wrong passphrase" in text


MIGRATION = hcl(extra="""  fallback {
    method = method.unencrypted.migrate
  }
""") + 'method "unencrypted" "migrate" {}\n'


def test_a_state_in_clear_is_read_only_with_an_unencrypted_method() -> None:
    plain = json.dumps(a_state()).encode()
    assert addresses(parse_state(plain, "p.tfstate", keys_from(MIGRATION))) == [
        "aws_sqs_queue.q"]
    with pytest.raises(StateDecryptionError, match="state is not encrypted") as caught:
        parse_state(plain, "p.tfstate", keys_from(hcl()))
    assert caught.value.hint is not None
    assert "unencrypted" in caught.value.hint
    # and a state already migrated still opens with the primary method
    sealed = pbkdf2_encrypted(a_state(), Pbkdf2Provider(DOCS_PASSPHRASE, iterations=FAST))
    assert addresses(parse_state(sealed, "e.tfstate", keys_from(MIGRATION))) == [
        "aws_sqs_queue.q"]


def test_enforced_forbids_the_unencrypted_method() -> None:
    with pytest.raises(ConfigError, match="enforced"):
        keys_from(MIGRATION.replace("state {", "state {\n  enforced = true"))


def test_without_a_state_block_states_in_clear_pass_and_encrypted_ones_are_refused() -> None:
    text = hcl().split("state {")[0]
    keys = keys_from(text)
    assert addresses(parse_state(json.dumps(a_state()).encode(), "p", keys)) == [
        "aws_sqs_queue.q"]
    sealed = pbkdf2_encrypted(a_state(), Pbkdf2Provider(DOCS_PASSPHRASE, iterations=FAST))
    with pytest.raises(StateDecryptionError, match="no state block"):
        parse_state(sealed, "e.tfstate", keys)


# --- chains, variables, merging ----------------------------------------------------------


def test_a_pbkdf2_provider_chained_from_another() -> None:
    inner = Pbkdf2Provider(DOCS_PASSPHRASE, name="inner", iterations=FAST)
    # OpenTofu's chain: the upstream provider's decryption key is this one's passphrase
    outer = Pbkdf2Provider(inner.key(), name="outer", iterations=FAST)
    sealed = seal(a_state(), outer.key(), {inner.meta_key: inner.metadata(),
                                           outer.meta_key: outer.metadata()})
    config = hcl(name="inner").replace("keys = key_provider.pbkdf2.inner",
                                       "keys = key_provider.pbkdf2.outer")
    config += 'key_provider "pbkdf2" "outer" {\n  chain = key_provider.pbkdf2.inner\n}\n'
    assert addresses(parse_state(sealed, "c.tfstate", keys_from(config))) == ["aws_sqs_queue.q"]


def test_a_circular_chain_is_a_configuration_error() -> None:
    config = """
key_provider "pbkdf2" "a" { chain = key_provider.pbkdf2.b }
key_provider "pbkdf2" "b" { chain = key_provider.pbkdf2.a }
method "aes_gcm" "m" { keys = key_provider.pbkdf2.a }
state { method = method.aes_gcm.m }
"""
    sealed = pbkdf2_encrypted(a_state(), Pbkdf2Provider(DOCS_PASSPHRASE, iterations=FAST))
    with pytest.raises(ConfigError, match="circular"):
        parse_state(sealed, "e.tfstate", keys_from(config))


@pytest.mark.parametrize("reference", ["var.state_passphrase", '"${var.state_passphrase}"'])
def test_the_passphrase_from_a_variable(reference: str) -> None:
    config = hcl().replace(f'"{DOCS_PASSPHRASE}"', reference)
    sealed = pbkdf2_encrypted(a_state(), Pbkdf2Provider(DOCS_PASSPHRASE, iterations=FAST))
    keys = keys_from(config, TF_VAR_state_passphrase=DOCS_PASSPHRASE)
    assert addresses(parse_state(sealed, "e.tfstate", keys)) == ["aws_sqs_queue.q"]
    assert DOCS_PASSPHRASE in keys.secrets()
    with pytest.raises(ConfigError, match=r"var\.state_passphrase has no value"):
        parse_state(sealed, "e.tfstate", keys_from(config))


def test_an_expression_cloudrift_does_not_evaluate_is_named() -> None:
    config = hcl().replace(f'"{DOCS_PASSPHRASE}"', 'file("/run/secrets/tofu")')
    sealed = pbkdf2_encrypted(a_state(), Pbkdf2Provider(DOCS_PASSPHRASE, iterations=FAST))
    with pytest.raises(ConfigError, match=r"passphrase = file\(.*literals and var\.NAME"):
        parse_state(sealed, "e.tfstate", keys_from(config))


def test_the_environment_is_merged_over_the_code(tmp_path: Path) -> None:
    """OpenTofu: TF_ENCRYPTION overrides the code's settings attribute by attribute."""
    code = ('terraform {\n  encryption {\n' + hcl("placeholder-passphrase-00") + '  }\n}\n'
            'variable "pw" {\n  default = "' + DOCS_PASSPHRASE + '"\n}\n')
    (tmp_path / "main.tf").write_text(code)
    from cloudrift.sources.tfblocks import summarise_file

    [body] = summarise_file("main.tf", code.encode()).encryption
    sealed = pbkdf2_encrypted(a_state(), Pbkdf2Provider(DOCS_PASSPHRASE, iterations=FAST))
    tree = LocalTree(str(tmp_path))
    alone = root_keys(tree, "", [("main.tf", body, False)], {})
    assert alone is not None
    with pytest.raises(StateDecryptionError, match=r"key_provider\.pbkdf2\.main"):
        parse_state(sealed, "e.tfstate", alone)
    # only the passphrase is given again; the method and state target come from the code,
    # and var.pw is the root module's variable default
    env = {"TF_ENCRYPTION": 'key_provider "pbkdf2" "main" {\n  passphrase = var.pw\n}\n'}
    merged = root_keys(tree, "", [("main.tf", body, False)], env)
    assert merged is not None
    assert merged.origin == "main.tf and TF_ENCRYPTION"
    assert addresses(parse_state(sealed, "e.tfstate", merged)) == ["aws_sqs_queue.q"]


def test_tfvars_win_over_the_environment_and_defaults(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "pw" {\n  default = "from-the-default-value"\n}\n')
    (tmp_path / "terraform.tfvars").write_text('pw = "from-terraform-tfvars"\n')
    (tmp_path / "b.auto.tfvars.json").write_text(json.dumps({"pw": DOCS_PASSPHRASE}))
    sealed = pbkdf2_encrypted(a_state(), Pbkdf2Provider(DOCS_PASSPHRASE, iterations=FAST))
    body = {"key_provider": {"pbkdf2": {"main": {"passphrase": "${var.pw}"}}},
            "method": {"aes_gcm": {"m": {"keys": "key_provider.pbkdf2.main"}}},
            "state": {"method": "method.aes_gcm.m"}}
    from cloudrift.sources.tfblocks import json_value

    keys = root_keys(LocalTree(str(tmp_path)), "", [("main.tf.json", json_value(body), False)],
                     {"TF_VAR_pw": "from-the-environment"})
    assert keys is not None
    assert addresses(parse_state(sealed, "e.tfstate", keys)) == ["aws_sqs_queue.q"]


# --- configurations OpenTofu refuses, or cloudrift cannot follow ----------------------------


@pytest.mark.parametrize(("config", "expect"), [
    (hcl("too-short"), "shorter than 16 characters"),
    (hcl().replace("pbkdf2", "gcp_kms"), "'gcp_kms'"),
    (hcl().replace('"aes_gcm"', '"external"').replace(".aes_gcm.", ".external."),
     "'external'"),
    (hcl().replace("method.aes_gcm.default", "method.aes_gcm.nope"), "not declared"),
    (hcl().replace('passphrase = "', 'iterations = 1000\n  passphrase = "'), "below 200000"),
])
def test_refused_configurations(config: str, expect: str) -> None:
    sealed = pbkdf2_encrypted(a_state(), Pbkdf2Provider(DOCS_PASSPHRASE, iterations=FAST))
    with pytest.raises(ConfigError, match=expect):
        parse_state(sealed, "e.tfstate", keys_from(config))


def test_a_syntax_error_in_tf_encryption_quotes_none_of_it() -> None:
    with pytest.raises(ConfigError) as caught:
        keys_from('key_provider "pbkdf2" "main" {\n  passphrase = "s3cr3t-passphrase-x\n')
    assert "TF_ENCRYPTION" in str(caught.value)
    assert "s3cr3t" not in str(caught.value)
    with pytest.raises(ConfigError, match="not valid JSON"):
        keys_from('{"key_provider": ')


def test_an_empty_tf_encryption_is_no_configuration() -> None:
    assert env_keys({"TF_ENCRYPTION": "  \n"}) is None
    assert env_keys({}) is None


# --- wherever a state is read -----------------------------------------------------------------


def test_git_trees_open_encrypted_states_and_a_wrong_key_stops_a_glob(tmp_path: Path) -> None:
    from cloudrift.sources.git import GitStateSource

    (tmp_path / "envs").mkdir()
    provider = Pbkdf2Provider(DOCS_PASSPHRASE, iterations=FAST)
    for name in ("a", "b"):
        (tmp_path / "envs" / f"{name}.tfstate").write_bytes(pbkdf2_encrypted(a_state(), provider))
    tree = LocalTree(str(tmp_path))
    read = GitStateSource(tree, "envs/*.tfstate", keys_from(hcl())).read()
    assert [addresses(d) for d in read if isinstance(d, StateDocument)] == [
        ["aws_sqs_queue.q"], ["aws_sqs_queue.q"]]
    # a glob turns an unreadable state into a warning, but not a key that opens nothing
    with pytest.raises(StateDecryptionError, match=r"envs/a\.tfstate: cannot decrypt"):
        GitStateSource(tree, "envs/*.tfstate", keys_from(hcl("a-different-passphrase"))).read()


def test_gather_registers_the_passphrase_with_the_redactor(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cloudrift.gather import Request, gather

    state = tmp_path / "s.tfstate"
    state.write_bytes(pbkdf2_encrypted(a_state(), Pbkdf2Provider(DOCS_PASSPHRASE,
                                                                 iterations=FAST)))
    monkeypatch.setenv("TF_ENCRYPTION", hcl().replace(f'"{DOCS_PASSPHRASE}"', "var.pw"))
    monkeypatch.setenv("TF_VAR_pw", DOCS_PASSPHRASE)
    gathered = gather(Request(sources=[f"tfstate://{state}"]))
    assert addresses(gathered.scan_input.documents[0]) == ["aws_sqs_queue.q"]
    scrubbed = gathered.scan_input.redactor.scrub(f"an error quoting {DOCS_PASSPHRASE}")
    assert DOCS_PASSPHRASE not in scrubbed
