"""What an API creates with a resource is that resource's (issue 11): never unmanaged on its own.

With a managed parent it is managed through the parent; with an unmanaged parent the parent's
own finding covers it; only what was made apart from any parent is reported unmanaged.
"""

from __future__ import annotations

import json
from typing import Any

from cloudrift.engine import Scan, ScanInput
from cloudrift.model import FindingKind, ScanReport
from cloudrift.plugin import ScanOptions
from cloudrift.sources.tfstate import parse_state
from cloudrift_gcp import GcpPlugin
from tests.providers.gcp.conftest import (
    SCOPE,
    GcpCase,
    GcpWorld,
    all_cases,
    patched,
    state_document,
)

CASES = {case.type: case for case in all_cases()}
BOOT_DISK = "projects/acme-prod/zones/europe-west1-b/disks/web-1"


def _case(rtype: str) -> GcpCase:
    return CASES[rtype]


def _renamed(asset: Any, old: str, new: str) -> dict[str, Any]:
    return dict(json.loads(json.dumps(asset).replace(old, new)))


def _unmanaged(report: ScanReport) -> list[tuple[str, str]]:
    return sorted((f.type, f.id) for f in report.findings if f.kind is FindingKind.UNMANAGED)


def _boot_disk() -> dict[str, Any]:
    """The disk ``boot_disk.initialize_params`` created for the instance fixture ``web-1``."""
    disk = _renamed(_case("google_compute_disk").asset, "pg-data", "web-1")
    return patched(disk, {"resource.data.users": [
        "https://www.googleapis.com/compute/v1/projects/acme-prod/zones/europe-west1-b/"
        "instances/web-1"]})


# -- an instance's disks ----------------------------------------------------------------------


def test_the_boot_disk_of_a_managed_instance_is_not_unmanaged(gcp: GcpWorld) -> None:
    instance = _case("google_compute_instance")
    gcp.publish([instance.asset, _boot_disk()])
    for strict in (False, True):
        report = gcp.scan([instance.instance()], strict=strict)
        assert _unmanaged(report) == [], strict
        assert report.summary.in_sync == 1


def test_the_boot_disk_of_an_unmanaged_instance_is_covered_by_the_instance(
        gcp: GcpWorld) -> None:
    instance = _case("google_compute_instance")
    gcp.publish([instance.asset, _boot_disk()])
    report = gcp.scan([], scopes=[SCOPE])
    assert _unmanaged(report) == [("google_compute_instance", instance.id)]


def test_a_managed_boot_disk_is_still_compared(gcp: GcpWorld) -> None:
    """``boot_disk.source`` may name a ``google_compute_disk`` a state manages: it is matched
    and compared like any managed disk."""
    instance, disk = _case("google_compute_instance"), _case("google_compute_disk")
    attributes = json.loads(json.dumps(disk.state["attributes"]).replace("pg-data", "web-1"))
    boot = patched(_boot_disk(), {"resource.data.sizeGb": "500"})
    gcp.publish([instance.asset, boot])
    report = gcp.scan([instance.instance(), disk.instance("boot", attributes)])
    assert [(f.kind, f.id) for f in report.findings] == [(FindingKind.CHANGED, BOOT_DISK)]


def test_a_disk_attached_from_elsewhere_is_unmanaged(gcp: GcpWorld) -> None:
    """A disk the instance keeps when deleted (``attached_disk``) was made apart from it."""
    instance, disk = _case("google_compute_instance"), _case("google_compute_disk")
    attached = {
        "type": "PERSISTENT", "mode": "READ_WRITE", "boot": False, "autoDelete": False,
        "source": "https://www.googleapis.com/compute/v1/projects/acme-prod/zones/"
                  "europe-west1-b/disks/pg-data",
        "deviceName": "pg-data", "index": 1,
    }
    scratch = {"type": "SCRATCH", "mode": "READ_WRITE", "boot": False, "autoDelete": True,
               "interface": "NVME", "deviceName": "local-ssd-0", "index": 2}
    asset = patched(instance.asset, {"resource.data.disks.1": attached,
                                     "resource.data.disks.2": scratch})
    gcp.publish([asset, _boot_disk(), disk.asset])
    report = gcp.scan([instance.instance()])
    assert _unmanaged(report) == [("google_compute_disk", disk.id)]


# -- an auto-mode network's subnetworks ---------------------------------------------------------


def _auto_network() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    network, subnetwork = _case("google_compute_network"), _case("google_compute_subnetwork")
    auto = patched(network.asset, {
        "resource.data.autoCreateSubnetworks": True,
        "resource.data.subnetworks": [
            "https://www.googleapis.com/compute/v1/projects/acme-prod/regions/europe-west1/"
            "subnetworks/prod-vpc",
            "https://www.googleapis.com/compute/v1/projects/acme-prod/regions/europe-west1/"
            "subnetworks/prod-web",
        ],
    })
    made = _renamed(subnetwork.asset, "subnetworks/prod-web", "subnetworks/prod-vpc")
    made["resource"]["data"]["name"] = "prod-vpc"
    # prod-web: added to the auto-mode network by hand, in a range outside the auto ones
    return auto, made, dict(subnetwork.asset)


def test_the_subnetworks_of_a_managed_auto_mode_network_are_not_unmanaged(
        gcp: GcpWorld) -> None:
    network = _case("google_compute_network")
    attributes = {**network.state["attributes"], "auto_create_subnetworks": True}
    auto, made, by_hand = _auto_network()
    gcp.publish([auto, made, by_hand])
    report = gcp.scan([network.instance(attributes=attributes)], strict=True)
    assert _unmanaged(report) == [
        ("google_compute_subnetwork", "projects/acme-prod/regions/europe-west1/subnetworks/"
                                      "prod-web")]


def test_the_subnetworks_of_an_unmanaged_auto_mode_network_are_covered_by_it(
        gcp: GcpWorld) -> None:
    auto, made, _ = _auto_network()
    gcp.publish([auto, made])
    report = gcp.scan([], scopes=[SCOPE])
    assert _unmanaged(report) == [("google_compute_network", _case("google_compute_network").id)]


# -- a managed instance group's VMs, GKE's groups -------------------------------------------------

GROUP = "projects/314159265358/zones/europe-west1-b/instanceGroupManagers/web-mig"


def _group_vm(name: str, creator: str) -> list[dict[str, Any]]:
    """A VM an instance group made from its template, and the boot disk made with it."""
    instance = _renamed(_case("google_compute_instance").asset, "web-1", name)
    data = instance["resource"]["data"]
    data["metadata"]["items"].append({"key": "created-by", "value": creator})
    disk = _renamed(_boot_disk(), "web-1", name)
    return [instance, disk]


def test_the_vms_of_a_managed_instance_group_are_not_unmanaged(gcp: GcpWorld) -> None:
    group = _case("google_compute_instance_group_manager")
    gcp.publish([group.asset, *_group_vm("web-x1y2", GROUP), *_group_vm("web-z3w4", GROUP)])
    report = gcp.scan([group.instance()], strict=True)
    assert report.findings == []


def test_the_vms_of_an_unmanaged_group_are_covered_by_the_group(gcp: GcpWorld) -> None:
    group = _case("google_compute_instance_group_manager")
    gcp.publish([group.asset, *_group_vm("web-x1y2", GROUP)])
    report = gcp.scan([], scopes=[SCOPE])
    assert _unmanaged(report) == [("google_compute_instance_group_manager", group.id)]


def test_the_groups_of_a_gke_cluster_are_the_clusters(gcp: GcpWorld) -> None:
    cluster = _case("google_container_cluster")
    group = _case("google_compute_instance_group_manager")
    gke_group = _renamed(group.asset, "web-mig", "gke-prod-gke-default-pool-1a2b3c4d-grp")
    link = gke_group["resource"]["data"]["selfLink"]
    with_pools = patched(cluster.asset, {"resource.data.nodePools": [
        {"name": "default-pool", "instanceGroupUrls": [link]}]})
    vm = _group_vm("gke-prod-gke-default-pool-1a2b3c4d-x1y2", link.split("/v1/", 1)[1])
    gcp.publish([with_pools, gke_group, *vm])
    report = gcp.scan([cluster.instance()], strict=True)
    assert report.findings == []


def test_an_autoscaled_group_s_size_is_not_compared(gcp: GcpWorld) -> None:
    group = _case("google_compute_instance_group_manager")
    scaled = patched(group.asset, {
        "resource.data.targetSize": 9,
        "resource.data.status.autoscaler": "https://www.googleapis.com/compute/v1/projects/"
                                           "acme-prod/zones/europe-west1-b/autoscalers/web-as"})
    gcp.publish([scaled])
    report = gcp.scan([group.instance()])
    assert report.findings == []
    [coverage] = [c for c in report.coverage if c.type == group.type]
    assert coverage.unknown_fields == 1


# -- what Cloud Functions and Eventarc create ----------------------------------------------------


def _function_service() -> dict[str, Any]:
    """The Cloud Run service Cloud Functions made for the function fixture ``thumbnailer``."""
    service = _renamed(_case("google_cloud_run_v2_service").asset, "orders-api", "thumbnailer")
    service["resource"]["data"]["metadata"]["labels"]["goog-managed-by"] = "cloudfunctions"
    return service


def _trigger_subscription() -> dict[str, Any]:
    subscription = _case("google_pubsub_subscription").asset
    return _renamed(subscription, "subscriptions/orders-billing",
                    "subscriptions/eventarc-europe-west1-thumbnailer-418207-sub-042")


def test_the_service_and_subscription_of_a_managed_function_are_not_unmanaged(
        gcp: GcpWorld) -> None:
    function = _case("google_cloudfunctions2_function")
    gcp.publish([function.asset, _function_service(), _trigger_subscription()])
    report = gcp.scan([function.instance()], strict=True)
    assert report.findings == []


def test_a_function_s_service_is_the_function_s_by_its_name_alone(gcp: GcpWorld) -> None:
    """Without the label, the function's ``serviceConfig.service`` says it."""
    function = _case("google_cloudfunctions2_function")
    service = _function_service()
    del service["resource"]["data"]["metadata"]["labels"]["goog-managed-by"]
    gcp.publish([function.asset, service])
    assert gcp.scan([function.instance()]).findings == []
    # however the function names its project (by number, here)
    by_number = patched(function.asset, {"resource.data.serviceConfig.service":
                                         "projects/314159265358/locations/europe-west1/"
                                         "services/thumbnailer"})
    gcp.publish([by_number, service])
    assert gcp.scan([function.instance()]).findings == []
    # and a Cloud Run service nobody made for a function is unmanaged
    gcp.publish([function.asset, service, _case("google_cloud_run_v2_service").asset])
    report = gcp.scan([function.instance()])
    assert _unmanaged(report) == [("google_cloud_run_v2_service",
                                   _case("google_cloud_run_v2_service").id)]


# -- a network's generated routes, a zone's apex records -------------------------------------------


def _route(name: str, **data: Any) -> dict[str, Any]:
    route = _renamed(_case("google_compute_route").asset, "to-onprem", name)
    route["resource"]["data"].update(data)
    return route


def test_the_routes_a_network_generates_are_the_networks(gcp: GcpWorld) -> None:
    network = _case("google_compute_network")
    internet = _route("default-route-3f1c0e5a9b7d2c48",
                      description="Default route to the Internet.", destRange="0.0.0.0/0",
                      nextHopGateway="https://www.googleapis.com/compute/v1/projects/acme-prod/"
                                     "global/gateways/default-internet-gateway")
    subnet = _route("default-route-9e2b7c4d1a0f5e36", routeType="SUBNET", destRange="10.10.0.0/20",
                    description="Default local route to the subnetwork 10.10.0.0/20.")
    by_hand = _case("google_compute_route").asset
    gcp.publish([network.asset, internet, subnet, by_hand])
    report = gcp.scan([network.instance()], strict=True)
    assert _unmanaged(report) == [("google_compute_route", _case("google_compute_route").id)]


def test_the_apex_records_of_a_managed_zone_are_the_zones(gcp: GcpWorld) -> None:
    zone, record = _case("google_dns_managed_zone"), _case("google_dns_record_set")
    apex = "internal.acme.example."
    ns = _renamed(record.asset, "db.internal.acme.example./A", f"{apex}/NS")
    ns["resource"]["data"].update(name=apex, type="NS",
                                  rrdatas=["ns-gcp-private.googledomains.com."])
    soa = _renamed(record.asset, "db.internal.acme.example./A", f"{apex}/SOA")
    soa["resource"]["data"].update(name=apex, type="SOA", rrdatas=[
        "ns-gcp-private.googledomains.com. cloud-dns-hostmaster.google.com. 1 21600 3600 "
        "259200 300"])
    gcp.publish([zone.asset, ns, soa, record.asset])
    report = gcp.scan([zone.instance()], strict=True)
    assert _unmanaged(report) == [("google_dns_record_set", record.id)]


# -- when the scan does not compare the parent's type ----------------------------------------------


def test_a_parent_left_out_by_type_still_owns_what_it_made(gcp: GcpWorld) -> None:
    """``--type google_compute_disk``: instances are neither compared nor reported, yet the
    listing still tells that the boot disk is the instance's."""
    instance, disk = _case("google_compute_instance"), _case("google_compute_disk")
    gcp.publish([instance.asset, _boot_disk(), disk.asset])
    options = ScanOptions(types=("google_compute_disk",), settings={
        "gcp_scope": (SCOPE,), "gcp_endpoint": gcp.server.endpoint, "gcp_anonymous": True})
    provider = GcpPlugin().create(options)
    parsed = parse_state(json.dumps(state_document([instance.instance()])).encode(), "t.tfstate")
    report = Scan(ScanInput([parsed]), {"gcp": provider}, wants=options.wants).run()
    assert _unmanaged(report) == [("google_compute_disk", disk.id)]
    assert {c.type for c in report.coverage} == {"google_compute_disk"}
