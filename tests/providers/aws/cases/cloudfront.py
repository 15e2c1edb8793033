"""CloudFront cases: distribution, origin access control."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

_CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def _config(reference: str) -> dict[str, Any]:
    """A distribution configuration as the provider's expandDistributionConfig sends it."""
    return {
        "CallerReference": reference,
        "Aliases": {"Quantity": 1, "Items": ["www.example.com"]},
        "DefaultRootObject": "index.html",
        "Comment": "site",
        "Enabled": True,
        "PriceClass": "PriceClass_100",
        "HttpVersion": "http2",
        "IsIPV6Enabled": True,
        "Staging": False,
        "WebACLId": "",
        "Origins": {"Quantity": 2, "Items": [
            {"Id": "s3", "DomainName": "site.s3.us-east-1.amazonaws.com", "OriginPath": "",
             "CustomHeaders": {"Quantity": 0},
             "S3OriginConfig": {"OriginAccessIdentity": ""},
             "ConnectionAttempts": 3, "ConnectionTimeout": 10,
             "OriginAccessControlId": "E2QWRUHAPOMQZL"},
            {"Id": "api", "DomainName": "api.example.com", "OriginPath": "/v1",
             "CustomHeaders": {"Quantity": 1, "Items": [
                 {"HeaderName": "X-Origin", "HeaderValue": "cloudfront"}]},
             "CustomOriginConfig": {
                 "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
                 "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
                 "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5},
             "ConnectionAttempts": 3, "ConnectionTimeout": 10, "OriginAccessControlId": ""},
        ]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https",
            "AllowedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"],
                               "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}},
            "Compress": True, "CachePolicyId": _CACHING_OPTIMIZED, "SmoothStreaming": False,
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
            "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
            "LambdaFunctionAssociations": {"Quantity": 0},
            "FunctionAssociations": {"Quantity": 0},
            "FieldLevelEncryptionId": "", "OriginRequestPolicyId": "",
            "ResponseHeadersPolicyId": "",
        },
        "CustomErrorResponses": {"Quantity": 1, "Items": [
            {"ErrorCode": 404, "ResponsePagePath": "/404.html", "ResponseCode": "404",
             "ErrorCachingMinTTL": 10}]},
        "Logging": {"Enabled": True, "IncludeCookies": False,
                    "Bucket": "logs.s3.amazonaws.com", "Prefix": "cdn/"},
        "ViewerCertificate": {"CloudFrontDefaultCertificate": True,
                              "MinimumProtocolVersion": "TLSv1"},
        "Restrictions": {"GeoRestriction": {"RestrictionType": "whitelist", "Quantity": 2,
                                            "Items": ["US", "CA"]}},
    }


def _state(distribution: dict[str, Any]) -> Attrs:
    """What the provider records after reading the distribution back."""
    return {
        "id": distribution["Id"],
        "arn": distribution["ARN"],
        "caller_reference": "terraform-20261206",
        "domain_name": distribution["DomainName"],
        "etag": "E1",
        "hosted_zone_id": "Z2FDTNDATAQYW2",
        "status": "Deployed",
        "aliases": ["www.example.com"],
        "comment": "site",
        "continuous_deployment_policy_id": "",
        "default_root_object": "index.html",
        "enabled": True,
        "http_version": "http2",
        "is_ipv6_enabled": True,
        "price_class": "PriceClass_100",
        "retain_on_delete": False,
        "staging": False,
        "wait_for_deployment": True,
        "web_acl_id": "",
        "origin": [
            {"origin_id": "s3", "domain_name": "site.s3.us-east-1.amazonaws.com",
             "origin_path": "", "connection_attempts": 3, "connection_timeout": 10,
             "origin_access_control_id": "E2QWRUHAPOMQZL", "custom_header": [],
             "custom_origin_config": [], "origin_shield": [],
             "s3_origin_config": [{"origin_access_identity": ""}], "vpc_origin_config": []},
            {"origin_id": "api", "domain_name": "api.example.com", "origin_path": "/v1",
             "connection_attempts": 3, "connection_timeout": 10,
             "origin_access_control_id": "",
             "custom_header": [{"name": "X-Origin", "value": "cloudfront"}],
             "custom_origin_config": [{
                 "http_port": 80, "https_port": 443, "origin_protocol_policy": "https-only",
                 "origin_ssl_protocols": ["TLSv1.2"], "origin_read_timeout": 30,
                 "origin_keepalive_timeout": 5}],
             "origin_shield": [], "s3_origin_config": [], "vpc_origin_config": []},
        ],
        "origin_group": [],
        "default_cache_behavior": [{
            "allowed_methods": ["GET", "HEAD"], "cached_methods": ["HEAD", "GET"],
            "cache_policy_id": _CACHING_OPTIMIZED, "compress": True, "default_ttl": 0,
            "field_level_encryption_id": "", "forwarded_values": [],
            "function_association": [], "grpc_config": [], "lambda_function_association": [],
            "max_ttl": 0, "min_ttl": 0, "origin_request_policy_id": "",
            "realtime_log_config_arn": "", "response_headers_policy_id": "",
            "smooth_streaming": False, "target_origin_id": "s3", "trusted_key_groups": [],
            "trusted_signers": [], "viewer_protocol_policy": "redirect-to-https"}],
        "ordered_cache_behavior": [],
        "custom_error_response": [{"error_code": 404, "response_code": 404,
                                   "response_page_path": "/404.html",
                                   "error_caching_min_ttl": 10}],
        "logging_config": [{"bucket": "logs.s3.amazonaws.com", "include_cookies": False,
                            "prefix": "cdn/"}],
        "restrictions": [{"geo_restriction": [{"restriction_type": "whitelist",
                                               "locations": ["CA", "US"]}]}],
        "viewer_certificate": [{"acm_certificate_arn": "", "cloudfront_default_certificate": True,
                                "iam_certificate_id": "", "minimum_protocol_version": "TLSv1",
                                "ssl_support_method": ""}],
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _create_distribution(clients: Any) -> Attrs:
    created = clients("cloudfront").create_distribution_with_tags(
        DistributionConfigWithTags={
            "DistributionConfig": _config("terraform-20261206"),
            "Tags": {"Items": [{"Key": "team", "Value": "core"}]},
        })["Distribution"]
    return _state(created)


def _change_distribution(clients: Any, attrs: Attrs) -> None:
    cloudfront = clients("cloudfront")
    current = cloudfront.get_distribution_config(Id=attrs["id"])
    config = current["DistributionConfig"]
    config["PriceClass"] = "PriceClass_All"
    config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = "allow-all"
    config["Restrictions"]["GeoRestriction"] = {"RestrictionType": "none", "Quantity": 0}
    cloudfront.update_distribution(Id=attrs["id"], IfMatch=current["ETag"],
                                   DistributionConfig=config)


def _delete_distribution(clients: Any, attrs: Attrs) -> None:
    cloudfront = clients("cloudfront")
    etag = cloudfront.get_distribution(Id=attrs["id"])["ETag"]
    cloudfront.delete_distribution(Id=attrs["id"], IfMatch=etag)


def _create_oac(clients: Any) -> Attrs:
    created = clients("cloudfront").create_origin_access_control(OriginAccessControlConfig={
        "Name": "site", "Description": "site bucket", "SigningProtocol": "sigv4",
        "SigningBehavior": "always", "OriginAccessControlOriginType": "s3",
    })
    return {
        "id": created["OriginAccessControl"]["Id"],
        "arn": "",
        "etag": created["ETag"],
        "name": "site",
        "description": "site bucket",
        "origin_access_control_origin_type": "s3",
        "signing_behavior": "always",
        "signing_protocol": "sigv4",
    }


def _change_oac(clients: Any, attrs: Attrs) -> None:
    cloudfront = clients("cloudfront")
    etag = cloudfront.get_origin_access_control(Id=attrs["id"])["ETag"]
    cloudfront.update_origin_access_control(Id=attrs["id"], IfMatch=etag,
                                            OriginAccessControlConfig={
        "Name": "site", "Description": "site bucket", "SigningProtocol": "sigv4",
        "SigningBehavior": "no-override", "OriginAccessControlOriginType": "s3",
    })


def _delete_oac(clients: Any, attrs: Attrs) -> None:
    cloudfront = clients("cloudfront")
    etag = cloudfront.get_origin_access_control(Id=attrs["id"])["ETag"]
    cloudfront.delete_origin_access_control(Id=attrs["id"], IfMatch=etag)


CASES = [
    AwsCase(
        type="aws_cloudfront_distribution",
        create=_create_distribution,
        change=_change_distribution,
        changed_paths=frozenset({
            "price_class", "default_cache_behavior.0.viewer_protocol_policy",
            "restrictions.0.geo_restriction.0.restriction_type",
            "restrictions.0.geo_restriction.0.locations",
        }),
        delete=_delete_distribution,
    ),
    AwsCase(
        type="aws_cloudfront_origin_access_control",
        create=_create_oac,
        change=_change_oac,
        changed_paths=frozenset({"signing_behavior"}),
        delete=_delete_oac,
    ),
]
