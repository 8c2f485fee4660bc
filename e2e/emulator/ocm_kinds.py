"""Kind knowledge of the simulated data-plane clusters: plural resource names, scope, OCM apply order.

resource_for(group, kind, spoke=None) -> (plural, namespaced). Built-in kinds come from a table; a kind
whose CustomResourceDefinition exists on the spoke store uses the CRD's plural and scope; anything else
is pluralised like the Kubernetes RESTMapper does (Policy -> policies, Ingress -> ingresses) and taken
as namespaced (the simulated clusters know every kind: no "server doesn't have a resource type" errors).
apply_rank(kind) -> OCM's kind order for applying the manifests of one work (ocm PR #1500, v1.3.0).
"""

CRDS = ("apiextensions.k8s.io", "v1", "customresourcedefinitions")

# kind -> (plural, namespaced)
_BUILTIN = {
	"Namespace": ("namespaces", False),
	"Node": ("nodes", False),
	"PersistentVolume": ("persistentvolumes", False),
	"CustomResourceDefinition": ("customresourcedefinitions", False),
	"PriorityClass": ("priorityclasses", False),
	"StorageClass": ("storageclasses", False),
	"ClusterRole": ("clusterroles", False),
	"ClusterRoleBinding": ("clusterrolebindings", False),
	"ValidatingWebhookConfiguration": ("validatingwebhookconfigurations", False),
	"MutatingWebhookConfiguration": ("mutatingwebhookconfigurations", False),
	"ValidatingAdmissionPolicy": ("validatingadmissionpolicies", False),
	"APIService": ("apiservices", False),
	"IngressClass": ("ingressclasses", False),
	"GatewayClass": ("gatewayclasses", False),
	"ClusterIssuer": ("clusterissuers", False),
	"ClusterSecretStore": ("clustersecretstores", False),
	"ClusterExternalSecret": ("clusterexternalsecrets", False),
	"CiliumClusterwideNetworkPolicy": ("ciliumclusterwidenetworkpolicies", False),
	"AppliedManifestWork": ("appliedmanifestworks", False),
	"ClusterClaim": ("clusterclaims", False),
	"Endpoints": ("endpoints", True),
}

_RANK = {}
for _k in ("Namespace", "CustomResourceDefinition", "PriorityClass", "StorageClass", "PersistentVolume"):
	_RANK[_k] = 0
for _k in ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"):
	_RANK[_k] = 1
for _k in ("ServiceAccount", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodDisruptionBudget", "PodSecurityPolicy"):
	_RANK[_k] = 2
for _k in ("Secret", "ConfigMap", "PersistentVolumeClaim"):
	_RANK[_k] = 3
for _k in ("Service",):
	_RANK[_k] = 4
for _k in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Pod",
		"HorizontalPodAutoscaler"):
	_RANK[_k] = 5
for _k in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService"):
	_RANK[_k] = 6
UNKNOWN_RANK = 1000


def pluralize(kind):
	low = kind.lower()
	if low.endswith(("s", "x", "z", "ch", "sh")):
		return low + "es"
	if low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
		return low[:-1] + "ies"
	return low + "s"


def split_api_version(api_version):
	"""'apps/v1' -> ('apps', 'v1'); 'v1' -> ('', 'v1')."""
	api_version = api_version or ""
	if "/" in api_version:
		g, v = api_version.split("/", 1)
		return g, v
	return "", api_version


def resource_for(group, kind, spoke=None):
	if kind in _BUILTIN:
		return _BUILTIN[kind]
	if spoke is not None and group:
		try:
			items = spoke.list(CRDS)
		except Exception:
			items = []
		for crd in items:
			spec = crd.get("spec") or {}
			names = spec.get("names") or {}
			if spec.get("group") == group and names.get("kind") == kind and names.get("plural"):
				return names["plural"], spec.get("scope", "Namespaced") != "Cluster"
	return pluralize(kind), True


def apply_rank(kind):
	return _RANK.get(kind, UNKNOWN_RANK)
