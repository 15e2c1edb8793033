"""ACM certificates.

One paged ``ListCertificates`` per region (asked for every key type: by default ACM lists only
RSA certificates), tags from the tagging API, and one ``DescribeCertificate`` per managed
certificate for what the summary leaves out (every alternative name, the validation method,
the options). Certificates CloudFront uses live in us-east-1, like any other there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.bulk import TagCall, bulk_tags, with_tags

_KEY_TYPES = ("RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1",
              "EC_secp384r1", "EC_secp521r1")
_ID = "CertificateArn"


def _certificates(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    listed = [
        dict(c) for c in ctx.paginate("acm", region, "list_certificates",
                                      "CertificateSummaryList",
                                      Includes={"keyTypes": list(_KEY_TYPES)})
    ]
    return with_tags(
        ctx, region, listed, managed,
        arn=lambda item: item.get(_ID),
        id_query=_ID,
        call=TagCall("acm", "list_tags_for_certificate",
                     lambda item: {"CertificateArn": item[_ID]}, "Tags"),
    )


def _key_algorithm(value: Any) -> Any:
    # DescribeCertificate spells it "RSA-2048", the SDK enum (and the state) "RSA_2048"
    return value.replace("-", "_") if isinstance(value, str) else value


def _validation_method(item: Mapping[str, Any]) -> Any:
    detail = item.get("certificate") or {}
    # the provider's certificateValidationMethod: an imported or private certificate has none
    if detail.get("Type") == "AMAZON_ISSUED":
        for option in detail.get("DomainValidationOptions") or ():
            return option.get("ValidationMethod")
    return "NONE"


CERTIFICATE = AwsSpec(
    type="aws_acm_certificate",
    service="acm",
    enumerate=_certificates,
    id_query=_ID,
    # certificates another service requested for itself (ManagedBy: CLOUDFRONT)
    is_default=lambda item: bool(item.get("ManagedBy")),
    description="ACM certificate (requested, private or imported)",
    calls=("acm:ListCertificates", "acm:ListTagsForCertificate"),
    details=(
        Detail("certificate", "describe_certificate", lambda item: {_ID: item[_ID]},
               result="Certificate"),
    ),
    fields=(
        FieldSpec("domain_name", query="DomainName"),
        FieldSpec("subject_alternative_names", query="certificate.SubjectAlternativeNames",
                  normalise=(n.as_set,), detail="certificate"),
        FieldSpec("validation_method", extract=_validation_method, detail="certificate"),
        FieldSpec("key_algorithm", query="certificate.KeyAlgorithm",
                  normalise=(_key_algorithm,), detail="certificate"),
        FieldSpec("certificate_authority_arn", query="certificate.CertificateAuthorityArn",
                  detail="certificate"),
        FieldSpec("options.0.certificate_transparency_logging_preference",
                  query="certificate.Options.CertificateTransparencyLoggingPreference",
                  detail="certificate"),
        bulk_tags(),
    ),
    not_compared={
        "private_key": "secret: never read",
        "certificate_body": "the PEM of an imported certificate: read only by GetCertificate, "
        "and re-importing one is Terraform's own update",
        "certificate_chain": "as certificate_body",
        "early_renewal_duration": "Terraform-only: when the provider asks for a renewal",
        "validation_option": "used once, when the certificate is requested; never returned",
    },
)

SPECS: tuple[AwsSpec, ...] = (CERTIFICATE,)
