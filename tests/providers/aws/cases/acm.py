"""ACM cases."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase


def _create(clients: Any) -> Attrs:
    acm = clients("acm")
    arn = acm.request_certificate(
        DomainName="example.com",
        SubjectAlternativeNames=["example.com", "www.example.com"],
        ValidationMethod="DNS",
        KeyAlgorithm="RSA_2048",
        Options={"CertificateTransparencyLoggingPreference": "ENABLED"},
        Tags=[{"Key": "team", "Value": "core"}],
    )["CertificateArn"]
    detail = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    return {
        "id": arn,
        "arn": arn,
        "domain_name": "example.com",
        "subject_alternative_names": ["example.com", "www.example.com"],
        "validation_method": "DNS",
        "key_algorithm": "RSA_2048",
        "certificate_authority_arn": "",
        "certificate_body": None,
        "certificate_chain": None,
        "private_key": None,
        "early_renewal_duration": "",
        "options": [{"certificate_transparency_logging_preference": "ENABLED", "export": ""}],
        "validation_option": [],
        "domain_validation_options": [
            {"domain_name": o["DomainName"],
             "resource_record_name": o["ResourceRecord"]["Name"],
             "resource_record_type": o["ResourceRecord"]["Type"],
             "resource_record_value": o["ResourceRecord"]["Value"]}
            for o in detail["DomainValidationOptions"]
        ],
        "status": detail["Status"],
        "type": "AMAZON_ISSUED",
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change(clients: Any, attrs: Attrs) -> None:
    # moto has no UpdateCertificateOptions; names and key are fixed at request time
    clients("acm").add_tags_to_certificate(CertificateArn=attrs["id"],
                                           Tags=[{"Key": "team", "Value": "ops"}])


def _delete(clients: Any, attrs: Attrs) -> None:
    clients("acm").delete_certificate(CertificateArn=attrs["id"])


CASES = [
    AwsCase(
        type="aws_acm_certificate",
        create=_create,
        change=_change,
        changed_paths=frozenset({"tags.team"}),
        delete=_delete,
    ),
]
