"""Route 53 cases: hosted zone, health check, record."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"


def make_zone(clients: Any, name: str = "example.com") -> tuple[str, list[str]]:
    """A public zone as the provider makes it; its clean id and name servers."""
    created = clients("route53").create_hosted_zone(
        Name=name, CallerReference=f"terraform-{name}",
        HostedZoneConfig={"Comment": "Managed by Terraform"},
    )
    return (created["HostedZone"]["Id"].removeprefix("/hostedzone/"),
            list(created["DelegationSet"]["NameServers"]))


def zone_state(zone_id: str, name: str, name_servers: list[str],
               tags: dict[str, str] | None = None) -> Attrs:
    return {
        "id": zone_id,
        "zone_id": zone_id,
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        "name": name,
        "comment": "Managed by Terraform",
        "delegation_set_id": "",
        "force_destroy": False,
        "name_servers": name_servers,
        "primary_name_server": name_servers[0],
        "vpc": [],
        "tags": tags or {},
        "tags_all": tags or {},
    }


def _create_zone(clients: Any) -> Attrs:
    zone_id, servers = make_zone(clients)
    clients("route53").change_tags_for_resource(
        ResourceType="hostedzone", ResourceId=zone_id,
        AddTags=[{"Key": "team", "Value": "core"}],
    )
    return zone_state(zone_id, "example.com", servers, {"team": "core"})


def _change_zone(clients: Any, attrs: Attrs) -> None:
    route53 = clients("route53")
    route53.update_hosted_zone_comment(Id=attrs["id"], Comment="hand-edited")
    route53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=attrs["id"],
                                     AddTags=[{"Key": "team", "Value": "ops"}])


def _delete_zone(clients: Any, attrs: Attrs) -> None:
    clients("route53").delete_hosted_zone(Id=attrs["id"])


def _create_health_check(clients: Any) -> Attrs:
    route53 = clients("route53")
    check = route53.create_health_check(
        CallerReference="web-terraform-20261206000000000000000001",
        HealthCheckConfig={"Type": "HTTPS", "FullyQualifiedDomainName": "example.com",
                           "Port": 443, "ResourcePath": "/health", "RequestInterval": 30,
                           "FailureThreshold": 3, "EnableSNI": True},
    )["HealthCheck"]
    route53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=check["Id"],
                                     AddTags=[{"Key": "team", "Value": "core"}])
    return {
        "id": check["Id"],
        "arn": f"arn:aws:route53:::healthcheck/{check['Id']}",
        "type": "HTTPS",
        "fqdn": "example.com",
        "ip_address": "",
        "port": 443,
        "resource_path": "/health",
        "search_string": "",
        "request_interval": 30,
        "failure_threshold": 3,
        "measure_latency": False,
        "invert_healthcheck": False,
        "disabled": False,
        "enable_sni": True,
        # the provider writes 0 and empty values for what AWS leaves out
        "child_health_threshold": 0,
        "child_healthchecks": [],
        "regions": [],
        "cloudwatch_alarm_name": "",
        "cloudwatch_alarm_region": "",
        "insufficient_data_health_status": "",
        "reference_name": "web",
        "routing_control_arn": "",
        "triggers": {},
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change_health_check(clients: Any, attrs: Attrs) -> None:
    clients("route53").update_health_check(HealthCheckId=attrs["id"], FailureThreshold=5,
                                           ResourcePath="/status")


def _delete_health_check(clients: Any, attrs: Attrs) -> None:
    clients("route53").delete_health_check(HealthCheckId=attrs["id"])


def record_state(zone_id: str, name: str, fqdn: str, type_: str, ttl: int,
                 records: list[str]) -> Attrs:
    return {
        # the provider's id keeps the name as the configuration spelt it
        "id": f"{zone_id}_{name}_{type_}",
        "zone_id": zone_id,
        "name": name,
        "fqdn": fqdn,
        "type": type_,
        "ttl": ttl,
        "records": records,
        "set_identifier": "",
        "health_check_id": "",
        "alias": [],
        "allow_overwrite": None,
        "cidr_routing_policy": [],
        "failover_routing_policy": [],
        "geolocation_routing_policy": [],
        "geoproximity_routing_policy": [],
        "latency_routing_policy": [],
        "weighted_routing_policy": [],
        "multivalue_answer_routing_policy": False,
    }


def put_record(clients: Any, zone_id: str, fqdn: str, type_: str, ttl: int,
               records: list[str], action: str = "CREATE") -> None:
    values = [f'"{r}"' if type_ == "TXT" else r for r in records]
    clients("route53").change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={"Comment": "Managed by Terraform", "Changes": [{
            "Action": action,
            "ResourceRecordSet": {"Name": fqdn, "Type": type_, "TTL": ttl,
                                  "ResourceRecords": [{"Value": v} for v in values]},
        }]},
    )


def _create_record(clients: Any) -> Attrs:
    zone_id, _ = make_zone(clients)
    # a short name: the provider expands it with the zone's name; TXT values travel quoted
    put_record(clients, zone_id, "www.example.com", "TXT", 300, ["v=spf1 -all"])
    return record_state(zone_id, "www", "www.example.com", "TXT", 300, ["v=spf1 -all"])


def _change_record(clients: Any, attrs: Attrs) -> None:
    put_record(clients, attrs["zone_id"], attrs["fqdn"], "TXT", 60, ["v=spf1 ~all"],
               action="UPSERT")


def _delete_record(clients: Any, attrs: Attrs) -> None:
    put_record(clients, attrs["zone_id"], attrs["fqdn"], "TXT", 300, attrs["records"],
               action="DELETE")


CASES = [
    AwsCase(
        type="aws_route53_zone",
        create=_create_zone,
        change=_change_zone,
        changed_paths=frozenset({"comment", "tags.team"}),
        delete=_delete_zone,
    ),
    AwsCase(
        type="aws_route53_health_check",
        create=_create_health_check,
        change=_change_health_check,
        changed_paths=frozenset({"failure_threshold", "resource_path"}),
        delete=_delete_health_check,
    ),
    AwsCase(
        type="aws_route53_record",
        create=_create_record,
        change=_change_record,
        changed_paths=frozenset({"ttl", "records"}),
        delete=_delete_record,
        import_id=lambda attrs: f"{attrs['zone_id']}_www.example.com_TXT",
        # a record is a part of its zone: unmanaged only under a managed zone
        parent=lambda attrs: ("aws_route53_zone", zone_state(attrs["zone_id"], "example.com",
                                                             ["ns-1.example.net"])),
    ),
]
