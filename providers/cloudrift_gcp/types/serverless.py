"""Cloud Run services (``google_cloud_run_v2_service``) and Cloud Functions (2nd gen).

Cloud Asset returns a Cloud Run service in the Cloud Run Admin API v1 form, a Knative
``Service`` (``metadata``, ``spec.template``, annotations for ingress, scaling and VPC access),
while the Terraform type follows the v2 API. ``as_v2`` reads the first into the shape of the
second (a payload already in the v2 form is taken as it is), and the fields read that.

A 2nd gen function runs on a Cloud Run service Cloud Functions creates for it (the function's
``serviceConfig.service``, labelled ``goog-managed-by: cloudfunctions``): that service is the
function's, never an unmanaged ``google_cloud_run_v2_service``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, get_path, has_path
from cloudrift.sdk import normalise as n
from cloudrift_gcp.fields import (
    duration,
    flag,
    label_map,
    labels,
    number,
    reported,
    short_name,
    sorted_set,
    state_get,
    text,
)
from cloudrift_gcp.spec import GcpSpec, location_in_id
from cloudrift_gcp.types._ids import cloud_template, template

RUN_TYPE = "google_cloud_run_v2_service"
_V2 = "$v2"
# label and annotation keys Cloud Run (and Knative) set themselves
_SYSTEM_KEYS = ("cloud.googleapis.com/", "run.googleapis.com/", "serving.knative.dev/",
                "client.knative.dev/", "autoscaling.knative.dev/")
_INGRESS = {
    "all": "INGRESS_TRAFFIC_ALL",
    "internal": "INGRESS_TRAFFIC_INTERNAL_ONLY",
    "internal-and-cloud-load-balancing": "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
}
_EXECUTION = {"gen1": "EXECUTION_ENVIRONMENT_GEN1", "gen2": "EXECUTION_ENVIRONMENT_GEN2"}
_EGRESS = {"all-traffic": "ALL_TRAFFIC", "private-ranges-only": "PRIVATE_RANGES_ONLY"}
LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"


def _user_keys(values: Any) -> dict[str, Any]:
    return {k: v for k, v in (values or {}).items() if not str(k).startswith(_SYSTEM_KEYS)}


def _number(value: Any) -> Any:
    return n.to_int(value) if value not in (None, "") else None


def _env(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for entry in entries:
        secret = get_path(entry, "valueFrom.secretKeyRef") or {}
        item: dict[str, Any] = {"name": entry.get("name"), "value": entry.get("value", "")}
        if secret:
            item["valueSource"] = {"secretKeyRef": {"secret": secret.get("name"),
                                                    "version": secret.get("key")}}
        found.append(item)
    return found


def _knative_as_v2(data: Mapping[str, Any]) -> dict[str, Any]:
    metadata = data.get("metadata") or {}
    annotations = metadata.get("annotations") or {}
    template_ = get_path(data, "spec.template") or {}
    spec = template_.get("spec") or {}
    template_annotations = get_path(template_, "metadata.annotations") or {}
    containers = [{
        "image": c.get("image"),
        "args": c.get("args"),
        "command": c.get("command"),
        "env": _env(c.get("env") or []),
        "resources": {"limits": (c.get("resources") or {}).get("limits")},
        "ports": [{"containerPort": p.get("containerPort"), "name": p.get("name")}
                  for p in c.get("ports") or []],
    } for c in spec.get("containers") or []]
    timeout = spec.get("timeoutSeconds")
    return {
        "name": metadata.get("name"),
        "description": annotations.get("run.googleapis.com/description"),
        "labels": _user_keys(metadata.get("labels")),
        "ingress": _INGRESS.get(annotations.get("run.googleapis.com/ingress", "all")),
        "launchStage": annotations.get("run.googleapis.com/launch-stage", "GA"),
        "template": {
            "serviceAccount": spec.get("serviceAccountName"),
            "timeout": None if timeout is None else f"{_number(timeout)}s",
            "maxInstanceRequestConcurrency": spec.get("containerConcurrency"),
            "executionEnvironment": _EXECUTION.get(
                template_annotations.get("run.googleapis.com/execution-environment", "")),
            "scaling": {
                "minInstanceCount": _number(
                    template_annotations.get("autoscaling.knative.dev/minScale")),
                "maxInstanceCount": _number(
                    template_annotations.get("autoscaling.knative.dev/maxScale")),
            },
            "vpcAccess": {
                "connector": template_annotations.get("run.googleapis.com/vpc-access-connector"),
                "egress": _EGRESS.get(
                    template_annotations.get("run.googleapis.com/vpc-access-egress", "")),
            },
            "containers": containers,
        },
        "traffic": [{
            "type": LATEST if t.get("latestRevision") else REVISION,
            "percent": t.get("percent"),
            "revision": t.get("revisionName"),
            "tag": t.get("tag"),
        } for t in get_path(data, "spec.traffic") or []],
    }


def as_v2(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """The service in the v2 API's shape (worked out once per item)."""
    found = item.get(_V2)
    if isinstance(found, Mapping):
        return found
    if "spec" not in item and "apiVersion" not in item:
        return item  # already in the v2 shape
    found = _knative_as_v2(item)
    if isinstance(item, dict):
        item[_V2] = found
    return found


def v2(query: str) -> Any:
    import jmespath

    compiled = jmespath.compile(query)
    return lambda item: compiled.search(as_v2(item))


def _cpu(value: Any) -> Any:
    """``"1"``, ``"1.0"`` and ``"1000m"`` are one CPU."""
    if isinstance(value, str) and value:
        try:
            millis = int(value[:-1]) if value.endswith("m") else round(float(value) * 1000)
            return f"{millis}m"
        except ValueError:
            return value
    return value


def _limits(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    return {str(k): _cpu(v) if k == "cpu" else v for k, v in sorted(value.items())}


def _state_env(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "template"):
        return UNKNOWN
    found = []
    for entry in get_path(attributes, "template.0.containers.0.env") or []:
        secret = get_path(entry, "value_source.0.secret_key_ref.0") or {}
        found.append({"name": entry.get("name"), "value": entry.get("value") or "",
                      "secret": short_name(secret.get("secret")) or None,
                      "version": secret.get("version") or None})
    return found


def _cloud_env(item: Mapping[str, Any]) -> Any:
    found = []
    for entry in get_path(as_v2(item), "template.containers.0.env") or []:
        secret = get_path(entry, "valueSource.secretKeyRef") or {}
        found.append({"name": entry.get("name"), "value": entry.get("value") or "",
                      "secret": short_name(secret.get("secret")) or None,
                      "version": secret.get("version") or None})
    return found


def _state_traffic(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "traffic"):
        return UNKNOWN
    return [{"type": t.get("type"), "percent": _number(t.get("percent")),
             "revision": t.get("revision") or None, "tag": t.get("tag") or None}
            for t in attributes.get("traffic") or []]


def _cloud_traffic(item: Mapping[str, Any]) -> Any:
    return [{"type": t.get("type"), "percent": _number(t.get("percent")),
             "revision": t.get("revision") or None, "tag": t.get("tag") or None}
            for t in as_v2(item).get("traffic") or []]


def _service_location(item: Mapping[str, Any]) -> Any:
    return get_path(item, 'metadata.labels."cloud.googleapis.com/location"') or \
        (item.get("$asset") or {}).get("location")


def _made_by_google(item: Mapping[str, Any]) -> str | None:
    managed_by = get_path(item, 'metadata.labels."goog-managed-by"') or \
        get_path(item, 'labels."goog-managed-by"')
    return str(managed_by) if managed_by else None


def _v2_field(path: str, query: str, *normalise: Any, default: Any = None) -> FieldSpec:
    """A field read from the service in the v2 shape; ``default`` stands for what both sides
    leave out when it is not set."""
    if default is None:
        return FieldSpec(path, extract=v2(query), from_state=state_get(path),
                         normalise=tuple(normalise))
    return FieldSpec(path, extract=v2(query), from_state=state_get(path, default),
                     normalise=tuple(normalise), default=default)


CLOUD_RUN_SERVICE = GcpSpec(
    type=RUN_TYPE,
    asset_type="run.googleapis.com/Service",
    import_id=template("projects/{project}/locations/{location}/services/{name}"),
    cloud_id=cloud_template(
        "projects/{project}/locations/{location}/services/{name}",
        location=_service_location,
        name=lambda item: short_name(as_v2(item).get("name")),
    ),
    created_by=_made_by_google,
    fields=(
        _v2_field("description", "description"),
        FieldSpec("labels", extract=v2("labels"),
                  from_state=label_map().from_state, normalise=(labels,), default={}),
        _v2_field("ingress", "ingress", default="INGRESS_TRAFFIC_ALL"),
        _v2_field("launch_stage", "launchStage", default="GA"),
        _v2_field("template.0.service_account", "template.serviceAccount"),
        _v2_field("template.0.timeout", "template.timeout", duration),
        _v2_field("template.0.max_instance_request_concurrency",
                  "template.maxInstanceRequestConcurrency", n.to_int),
        _v2_field("template.0.execution_environment", "template.executionEnvironment"),
        _v2_field("template.0.scaling.0.min_instance_count",
                  "template.scaling.minInstanceCount", n.to_int, default=0),
        _v2_field("template.0.scaling.0.max_instance_count",
                  "template.scaling.maxInstanceCount", n.to_int),
        _v2_field("template.0.vpc_access.0.connector", "template.vpcAccess.connector",
                  short_name),
        _v2_field("template.0.vpc_access.0.egress", "template.vpcAccess.egress"),
        _v2_field("template.0.containers.0.image", "template.containers[0].image"),
        _v2_field("template.0.containers.0.resources.0.limits",
                  "template.containers[0].resources.limits", _limits),
        # plain environment values may hold what should have been a secret: never shown
        FieldSpec("template.0.containers.0.env", extract=_cloud_env, from_state=_state_env,
                  normalise=(sorted_set,), sensitive=True),
        FieldSpec("traffic", extract=_cloud_traffic, from_state=_state_traffic,
                  normalise=(sorted_set,)),
    ),
    not_compared={
        "annotations": "the listing mixes Cloud Run's own annotations with the user's",
        "client": "set by the tool that deployed the service",
        "client_version": "set by the tool that deployed the service",
        "deletion_protection": "acted on by Terraform only",
        "template.containers.ports": "compared by a later version",
    },
)


# -- Cloud Functions (2nd gen) -------------------------------------------------------------------

_LOG_EXECUTION_ID = "LOG_EXECUTION_ID"  # Cloud Functions adds it to every function


def _environment(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    return labels({k: v for k, v in value.items() if k != _LOG_EXECUTION_ID})


def _function_service(item: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    service = get_path(item, "serviceConfig.service")
    if service:
        yield RUN_TYPE, str(service)


FUNCTION = GcpSpec(
    type="google_cloudfunctions2_function",
    asset_type="cloudfunctions.googleapis.com/Function",
    import_id=template("projects/{project}/locations/{location}/functions/{name}"),
    cloud_id=cloud_template("projects/{project}/locations/{location}/functions/{name}",
                            location=lambda item: location_in_id(str(item.get("name", ""))),
                            name=lambda item: short_name(item.get("name"))),
    owns=_function_service,
    owns_types=(RUN_TYPE,),
    fields=(
        text("description", "description"),
        label_map(),
        text("kms_key_name", "kmsKeyName"),
        text("build_config.0.runtime", "buildConfig.runtime"),
        text("build_config.0.entry_point", "buildConfig.entryPoint"),
        reported("build_config.0.docker_repository", "buildConfig.dockerRepository"),
        number("service_config.0.timeout_seconds", "serviceConfig.timeoutSeconds"),
        text("service_config.0.available_memory", "serviceConfig.availableMemory"),
        reported("service_config.0.available_cpu", "serviceConfig.availableCpu"),
        number("service_config.0.max_instance_count", "serviceConfig.maxInstanceCount"),
        number("service_config.0.min_instance_count", "serviceConfig.minInstanceCount", 0),
        number("service_config.0.max_instance_request_concurrency",
               "serviceConfig.maxInstanceRequestConcurrency"),
        FieldSpec("service_config.0.environment_variables",
                  query="serviceConfig.environmentVariables", normalise=(_environment,),
                  sensitive=True),
        text("service_config.0.ingress_settings", "serviceConfig.ingressSettings", "ALLOW_ALL"),
        flag("service_config.0.all_traffic_on_latest_revision",
             "serviceConfig.allTrafficOnLatestRevision", default=True),
        text("service_config.0.service_account_email", "serviceConfig.serviceAccountEmail"),
        FieldSpec("service_config.0.vpc_connector", query="serviceConfig.vpcConnector",
                  normalise=(short_name,)),
        text("service_config.0.vpc_connector_egress_settings",
             "serviceConfig.vpcConnectorEgressSettings"),
        text("event_trigger.0.event_type", "eventTrigger.eventType"),
        text("event_trigger.0.pubsub_topic", "eventTrigger.pubsubTopic"),
        text("event_trigger.0.retry_policy", "eventTrigger.retryPolicy"),
        text("event_trigger.0.trigger_region", "eventTrigger.triggerRegion"),
    ),
    not_compared={
        "build_config.source": "the uploaded source is known by its object, not its content",
        "service_config.secret_environment_variables": "compared by a later version",
        "build_config.environment_variables": "only used while building",
    },
)

SPECS = (CLOUD_RUN_SERVICE, FUNCTION)
