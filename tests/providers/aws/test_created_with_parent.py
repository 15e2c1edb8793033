"""What EC2 creates with an instance is the instance's: the root volume of a managed instance
(launched with it, deleted with it) is no unmanaged ``aws_ebs_volume``; a volume attached to
that instance from elsewhere still is."""

from __future__ import annotations

from cloudrift.model import FindingKind, ScanReport
from cloudrift.testing import StateBuilder
from tests.providers.aws.cases.ec2 import CASES
from tests.providers.aws.conftest import Clients, ScanFn

INSTANCE = next(case for case in CASES if case.type == "aws_instance")


def _unmanaged_volumes(report: ScanReport) -> list[str]:
    return [f.id for f in report.findings
            if f.type == "aws_ebs_volume" and f.kind is FindingKind.UNMANAGED]


def test_the_root_volume_of_a_managed_instance_is_not_unmanaged(clients: Clients,
                                                                 scan: ScanFn) -> None:
    attrs = INSTANCE.create(clients)
    root = attrs["root_block_device"][0]["volume_id"]
    state = StateBuilder().add("aws_instance", "web", attrs)

    report = scan(state)

    assert report.summary.in_sync == 1
    assert root not in {f.id for f in report.findings}
    assert _unmanaged_volumes(report) == []


def test_a_volume_attached_from_elsewhere_is_still_unmanaged(clients: Clients,
                                                             scan: ScanFn) -> None:
    attrs = INSTANCE.create(clients)
    ec2 = clients("ec2")
    extra = ec2.create_volume(AvailabilityZone=attrs["availability_zone"], Size=4,
                              VolumeType="gp3")["VolumeId"]
    ec2.get_waiter("volume_available").wait(VolumeIds=[extra])
    ec2.attach_volume(VolumeId=extra, InstanceId=attrs["id"], Device="/dev/sdf")
    state = StateBuilder().add("aws_instance", "web", attrs)

    report = scan(state)

    assert _unmanaged_volumes(report) == [extra]
