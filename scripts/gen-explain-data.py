#!/usr/bin/env python3
"""Regenerate src/shell/kubectl/explain.yaml, the field documentation `kubectl explain` prints.

Source: the Kubernetes v1.31.0 OpenAPI definitions as the PyPI package kubernetes-validate 1.31.0
ships them (kubernetes_validate/kubernetes-json-schema/v1.31.0-local/_definitions.json, converted
from the release's swagger.json with descriptions, required lists and $refs unchanged):

    pip download --no-deps -d /tmp/kv kubernetes-validate==1.31.0
    unzip -q /tmp/kv/*.whl -d /tmp/kv/x
    python3 scripts/gen-explain-data.py \
        /tmp/kv/x/kubernetes_validate/kubernetes-json-schema/v1.31.0-local/_definitions.json

What that source lacks is added below, by hand, each with where it was checked:
- the descriptions of IntOrString and Quantity (the converter replaced those two schemas);
- enum values. A 1.31 API server (feature OpenAPIEnums, on by default) serves them and kubectl
  prints them (`ENUM:` / `enum:`); the committed spec does not carry them. The server also appends
  a "Possible enum values:" paragraph to those descriptions: it is added here only where its text
  was seen; elsewhere the description stops before it (shortened, never invented).
"""

import json
import sys

ROOTS = [
    "io.k8s.api.core.v1.Pod",
    "io.k8s.api.core.v1.Node",
    "io.k8s.api.core.v1.Namespace",
    "io.k8s.api.core.v1.Event",
    "io.k8s.api.apps.v1.Deployment",
    "io.k8s.api.apps.v1.ReplicaSet",
    "io.k8s.api.apps.v1.StatefulSet",
    "io.k8s.api.apps.v1.DaemonSet",
    "io.k8s.api.batch.v1.Job",
    "io.k8s.api.batch.v1.CronJob",
    "io.k8s.api.core.v1.Service",
    "io.k8s.api.core.v1.ConfigMap",
    "io.k8s.api.core.v1.Secret",
    "io.k8s.api.core.v1.PersistentVolumeClaim",
    "io.k8s.api.core.v1.PersistentVolume",
    "io.k8s.api.networking.v1.Ingress",
]

# Seen in real kubectl explain output (service.spec.ports.targetPort, kubectl 1.3x).
INT_OR_STRING = (
    "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML "
    "marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to "
    "have, for example, a JSON field that can accept a name or number."
)
# First paragraph of k8s.io/apimachinery/pkg/api/resource Quantity's doc comment (the rest, the
# serialization grammar, is left out).
QUANTITY = (
    "Quantity is a fixed-point representation of a number. It provides convenient "
    "marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors."
)

# (type, field) -> enum values, sorted as the server sorts them. Checked against real kubectl
# 1.30+ output (restartPolicy, strategy.type) or code generated from an enum-carrying spec of a
# later release (the rest).
ENUMS = {
    ("PodSpec", "restartPolicy"): ["Always", "Never", "OnFailure"],
    ("PodSpec", "dnsPolicy"): ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
    ("PodSpec", "preemptionPolicy"): ["Never", "PreemptLowerPriority"],
    ("Container", "imagePullPolicy"): ["Always", "IfNotPresent", "Never"],
    ("Container", "terminationMessagePolicy"): ["FallbackToLogsOnError", "File"],
    ("EphemeralContainer", "imagePullPolicy"): ["Always", "IfNotPresent", "Never"],
    ("EphemeralContainer", "terminationMessagePolicy"): ["FallbackToLogsOnError", "File"],
    ("ContainerPort", "protocol"): ["SCTP", "TCP", "UDP"],
    ("ServicePort", "protocol"): ["SCTP", "TCP", "UDP"],
    ("HTTPGetAction", "scheme"): ["HTTP", "HTTPS"],
    ("VolumeMount", "mountPropagation"): ["Bidirectional", "HostToContainer", "None"],
    ("SecurityContext", "procMount"): ["Default", "Unmasked"],
    ("SeccompProfile", "type"): ["Localhost", "RuntimeDefault", "Unconfined"],
    ("AppArmorProfile", "type"): ["Localhost", "RuntimeDefault", "Unconfined"],
    ("PodSecurityContext", "fsGroupChangePolicy"): ["Always", "OnRootMismatch"],
    ("PodSecurityContext", "supplementalGroupsPolicy"): ["Merge", "Strict"],
    ("Toleration", "effect"): ["NoExecute", "NoSchedule", "PreferNoSchedule"],
    ("Toleration", "operator"): ["Equal", "Exists"],
    ("Taint", "effect"): ["NoExecute", "NoSchedule", "PreferNoSchedule"],
    ("NodeSelectorRequirement", "operator"): ["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"],
    ("DeploymentStrategy", "type"): ["Recreate", "RollingUpdate"],
    ("StatefulSetSpec", "podManagementPolicy"): ["OrderedReady", "Parallel"],
    ("StatefulSetUpdateStrategy", "type"): ["OnDelete", "RollingUpdate"],
    ("DaemonSetUpdateStrategy", "type"): ["OnDelete", "RollingUpdate"],
    ("CronJobSpec", "concurrencyPolicy"): ["Allow", "Forbid", "Replace"],
    ("PodStatus", "phase"): ["Failed", "Pending", "Running", "Succeeded", "Unknown"],
    ("PodStatus", "qosClass"): ["BestEffort", "Burstable", "Guaranteed"],
}

# (type, field) -> the "Possible enum values" paragraph, where its exact text was seen.
POSSIBLE = {
    ("PodSpec", "restartPolicy"): ' - `"Always"`\n - `"Never"`\n - `"OnFailure"`',
    ("PodSpec", "dnsPolicy"): (
        ' - `"ClusterFirst"` indicates that the pod should use cluster DNS first unless '
        "hostNetwork is true, if it is available, then fall back on the default (as determined "
        "by kubelet) DNS settings.\n"
        ' - `"ClusterFirstWithHostNet"` indicates that the pod should use cluster DNS first, if '
        "it is available, then fall back on the default (as determined by kubelet) DNS settings.\n"
        ' - `"Default"` indicates that the pod should use the default (as determined by kubelet) '
        "DNS settings.\n"
        ' - `"None"` indicates that the pod should use empty DNS settings. DNS parameters such as '
        "nameservers and search paths should be defined via DNSConfig."
    ),
    ("PodSpec", "preemptionPolicy"): (
        ' - `"Never"` means that pod never preempts other pods with lower priority.\n'
        ' - `"PreemptLowerPriority"` means that pod can preempt other pods with lower priority.'
    ),
    ("Container", "imagePullPolicy"): (
        ' - `"Always"` means that kubelet always attempts to pull the latest image. Container '
        "will fail If the pull fails.\n"
        ' - `"IfNotPresent"` means that kubelet pulls if the image isn\'t present on disk. '
        "Container will fail if the image isn't present and the pull fails.\n"
        ' - `"Never"` means that kubelet never pulls an image, but only uses a local image. '
        "Container will fail if the image isn't present"
    ),
    ("Container", "terminationMessagePolicy"): (
        ' - `"FallbackToLogsOnError"` will read the most recent contents of the container logs '
        "for the container status message when the container exits with an error and the "
        "terminationMessagePath has no contents.\n"
        ' - `"File"` is the default behavior and will set the container status message to the '
        "contents of the container's terminationMessagePath when the container exits."
    ),
    ("PodStatus", "qosClass"): (
        ' - `"BestEffort"` is the BestEffort qos class.\n'
        ' - `"Burstable"` is the Burstable qos class.\n'
        ' - `"Guaranteed"` is the Guaranteed qos class.'
    ),
}


def short(ref):
    return ref.split("/")[-1].split(".")[-1]


def first_type(t):
    if isinstance(t, list):
        t = [x for x in t if x != "null"]
        return t[0] if t else None
    return t


def main():
    defs = json.load(open(sys.argv[1]))["$defs"]
    out = sys.argv[2] if len(sys.argv) > 2 else "src/shell/kubectl/explain.yaml"

    def refs_of(s, acc):
        if isinstance(s, dict):
            if "$ref" in s:
                acc.append(s["$ref"].split("/")[-1])
            for v in s.values():
                refs_of(v, acc)
        elif isinstance(s, list):
            for v in s:
                refs_of(v, acc)

    closure, todo = [], list(ROOTS)
    while todo:
        k = todo.pop()
        if k in closure:
            continue
        closure.append(k)
        acc = []
        refs_of(defs[k], acc)
        todo += acc
    names = {}
    for k in closure:
        s = short(k)
        assert s not in names, f"two types named {s}: {k}, {names[s]}"
        names[s] = k

    def type_guess(s):
        """kubectl's typeGuess over the v3 document, applied to the v2-derived schema."""
        if "items" in s:
            return "[]" + type_guess(s["items"])
        ap = s.get("additionalProperties")
        if isinstance(ap, dict):
            return "map[string]" + type_guess(ap)
        if "$ref" in s:
            target = defs[s["$ref"].split("/")[-1]]
            t = first_type(target.get("type"))
            if t and t != "object":
                return t
            return short(s["$ref"])
        t = first_type(s.get("type"))
        if t == "object" or t is None:
            return "Object"
        return t

    def ref_of(s):
        while True:
            if "items" in s:
                s = s["items"]
            elif isinstance(s.get("additionalProperties"), dict):
                s = s["additionalProperties"]
            else:
                break
        return short(s["$ref"]) if "$ref" in s else None

    def q(text):
        return json.dumps(text, ensure_ascii=False)

    lines = [
        "# Field documentation for `kubectl explain`: Kubernetes v1.31.0's OpenAPI definitions.",
        "# Generated by scripts/gen-explain-data.py (see there for the source and for what was",
        "# added by hand); edit the script, not this file, and rerun it.",
        "#",
        "# types.NAME.description: the type's own description (printed after a field's).",
        "# fields (sorted, as kubectl prints them): name, type as kubectl prints it, ref (the type",
        "# whose description and fields follow), required, enum, description.",
        "types:",
    ]
    for s in sorted(names):
        d = defs[names[s]]
        desc = d.get("description")
        if s == "IntOrString":
            desc = INT_OR_STRING
        if s == "Quantity":
            desc = QUANTITY
        lines.append(f"  {s}:")
        if desc:
            lines.append(f"    description: {q(desc)}")
        props = d.get("properties", {})
        req = set(d.get("required", []))
        if not props:
            continue
        lines.append("    fields:")
        for n in sorted(props):
            p = props[n]
            lines.append(f"    - name: {q(n)}")
            lines.append(f"      type: {q(type_guess(p))}")
            r = ref_of(p)
            if r:
                lines.append(f"      ref: {r}")
            if n in req:
                lines.append("      required: true")
            enum = ENUMS.get((s, n))
            if enum:
                lines.append(f"      enum: [{', '.join(q(e) for e in enum)}]")
            fdesc = p.get("description")
            if (s, n) in POSSIBLE and fdesc:
                fdesc = fdesc + "\n\nPossible enum values:\n" + POSSIBLE[(s, n)]
            if fdesc:
                lines.append(f"      description: {q(fdesc)}")
    missing = [k for k in ENUMS if k[0] not in names]
    assert not missing, f"enum overrides for unknown types: {missing}"
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{out}: {len(names)} types")


if __name__ == "__main__":
    main()
