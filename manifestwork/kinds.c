/* Plural names and scopes of well-known kinds (see kinds.h). */
#include "manifestwork/kinds.h"

#include <stdio.h>
#include <string.h>

#include "kube/core/xalloc.h"

struct kind_row {
	const char *group;
	const char *kind;
	const char *plural;
	int cluster;
};

static const struct kind_row rows[] = {
	{ "", "Pod", "pods", 0 },
	{ "", "Service", "services", 0 },
	{ "", "Endpoints", "endpoints", 0 },
	{ "", "ConfigMap", "configmaps", 0 },
	{ "", "Secret", "secrets", 0 },
	{ "", "ServiceAccount", "serviceaccounts", 0 },
	{ "", "PersistentVolumeClaim", "persistentvolumeclaims", 0 },
	{ "", "ReplicationController", "replicationcontrollers", 0 },
	{ "", "LimitRange", "limitranges", 0 },
	{ "", "ResourceQuota", "resourcequotas", 0 },
	{ "", "PodTemplate", "podtemplates", 0 },
	{ "", "Event", "events", 0 },
	{ "", "Namespace", "namespaces", 1 },
	{ "", "Node", "nodes", 1 },
	{ "", "PersistentVolume", "persistentvolumes", 1 },
	{ "", "ComponentStatus", "componentstatuses", 1 },
	{ "apps", "Deployment", "deployments", 0 },
	{ "apps", "StatefulSet", "statefulsets", 0 },
	{ "apps", "DaemonSet", "daemonsets", 0 },
	{ "apps", "ReplicaSet", "replicasets", 0 },
	{ "apps", "ControllerRevision", "controllerrevisions", 0 },
	{ "batch", "Job", "jobs", 0 },
	{ "batch", "CronJob", "cronjobs", 0 },
	{ "autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers", 0 },
	{ "policy", "PodDisruptionBudget", "poddisruptionbudgets", 0 },
	{ "networking.k8s.io", "NetworkPolicy", "networkpolicies", 0 },
	{ "networking.k8s.io", "Ingress", "ingresses", 0 },
	{ "networking.k8s.io", "IngressClass", "ingressclasses", 1 },
	{ "discovery.k8s.io", "EndpointSlice", "endpointslices", 0 },
	{ "rbac.authorization.k8s.io", "Role", "roles", 0 },
	{ "rbac.authorization.k8s.io", "RoleBinding", "rolebindings", 0 },
	{ "rbac.authorization.k8s.io", "ClusterRole", "clusterroles", 1 },
	{ "rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", 1 },
	{ "storage.k8s.io", "StorageClass", "storageclasses", 1 },
	{ "storage.k8s.io", "CSIDriver", "csidrivers", 1 },
	{ "storage.k8s.io", "VolumeAttachment", "volumeattachments", 1 },
	{ "scheduling.k8s.io", "PriorityClass", "priorityclasses", 1 },
	{ "node.k8s.io", "RuntimeClass", "runtimeclasses", 1 },
	{ "apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", 1 },
	{ "apiregistration.k8s.io", "APIService", "apiservices", 1 },
	{ "admissionregistration.k8s.io", "ValidatingWebhookConfiguration",
		"validatingwebhookconfigurations", 1 },
	{ "admissionregistration.k8s.io", "MutatingWebhookConfiguration",
		"mutatingwebhookconfigurations", 1 },
	{ "admissionregistration.k8s.io", "ValidatingAdmissionPolicy",
		"validatingadmissionpolicies", 1 },
	{ "admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding",
		"validatingadmissionpolicybindings", 1 },
	{ "gateway.networking.k8s.io", "Gateway", "gateways", 0 },
	{ "gateway.networking.k8s.io", "GatewayClass", "gatewayclasses", 1 },
	{ "gateway.networking.k8s.io", "HTTPRoute", "httproutes", 0 },
	{ "gateway.networking.k8s.io", "GRPCRoute", "grpcroutes", 0 },
	{ "gateway.networking.k8s.io", "TCPRoute", "tcproutes", 0 },
	{ "gateway.networking.k8s.io", "TLSRoute", "tlsroutes", 0 },
	{ "gateway.networking.k8s.io", "UDPRoute", "udproutes", 0 },
	{ "gateway.networking.k8s.io", "ReferenceGrant", "referencegrants", 0 },
	{ "gateway.networking.k8s.io", "BackendTLSPolicy", "backendtlspolicies", 0 },
	{ "external-secrets.io", "ExternalSecret", "externalsecrets", 0 },
	{ "external-secrets.io", "SecretStore", "secretstores", 0 },
	{ "external-secrets.io", "ClusterSecretStore", "clustersecretstores", 1 },
	{ "external-secrets.io", "ClusterExternalSecret", "clusterexternalsecrets", 1 },
	{ "cilium.io", "CiliumNetworkPolicy", "ciliumnetworkpolicies", 0 },
	{ "cilium.io", "CiliumClusterwideNetworkPolicy", "ciliumclusterwidenetworkpolicies", 1 },
	{ "gateway.envoyproxy.io", "SecurityPolicy", "securitypolicies", 0 },
	{ "gateway.envoyproxy.io", "BackendTrafficPolicy", "backendtrafficpolicies", 0 },
	{ "gateway.envoyproxy.io", "ClientTrafficPolicy", "clienttrafficpolicies", 0 },
	{ "gateway.envoyproxy.io", "HTTPRouteFilter", "httproutefilters", 0 },
	{ "gateway.envoyproxy.io", "EnvoyExtensionPolicy", "envoyextensionpolicies", 0 },
	{ "cert-manager.io", "Certificate", "certificates", 0 },
	{ "cert-manager.io", "Issuer", "issuers", 0 },
	{ "cert-manager.io", "ClusterIssuer", "clusterissuers", 1 },
	{ "monitoring.coreos.com", "ServiceMonitor", "servicemonitors", 0 },
	{ "monitoring.coreos.com", "PodMonitor", "podmonitors", 0 },
	{ "monitoring.coreos.com", "PrometheusRule", "prometheusrules", 0 },
	{ "secrets-store.csi.x-k8s.io", "SecretProviderClass", "secretproviderclasses", 0 },
	{ "openchoreo.dev", "ObservabilityAlertRule", "observabilityalertrules", 0 },
};

/* Kinds whose plural the English rules get wrong, in any group. */
static const struct kind_row irregular[] = {
	{ NULL, "Endpoints", "endpoints", 0 },
};

static const struct kind_row *find(const char *group, const char *kind)
{
	size_t i;

	for (i = 0; i < COCM_ARRAY_LEN(rows); i++)
		if (strcmp(rows[i].kind, kind) == 0 && strcmp(rows[i].group, group) == 0)
			return &rows[i];
	return NULL;
}

const char *cocm_kinds_group(const char *api_version, char *group, size_t cap)
{
	const char *slash = api_version ? strchr(api_version, '/') : NULL;
	size_t n = slash ? (size_t)(slash - api_version) : 0;

	if (cap == 0)
		return group;
	if (n >= cap)
		n = cap - 1;
	cocm_memcpy(group, api_version, n);
	group[n] = '\0';
	return group;
}

static int is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

const char *cocm_kinds_plural(const char *group, const char *kind, char *out, size_t cap)
{
	const struct kind_row *r = find(group ? group : "", kind);
	char low[256];
	size_t i, n;

	if (cap == 0)
		return out;
	if (r != NULL) {
		snprintf(out, cap, "%s", r->plural);
		return out;
	}
	for (i = 0; i < COCM_ARRAY_LEN(irregular); i++)
		if (strcmp(irregular[i].kind, kind) == 0) {
			snprintf(out, cap, "%s", irregular[i].plural);
			return out;
		}
	n = strlen(kind);
	if (n >= sizeof(low))
		n = sizeof(low) - 1;
	for (i = 0; i < n; i++)
		low[i] = (kind[i] >= 'A' && kind[i] <= 'Z') ? (char)(kind[i] - 'A' + 'a') : kind[i];
	low[n] = '\0';
	if (n >= 2 && low[n - 1] == 'y' && !is_vowel(low[n - 2])) {
		low[n - 1] = '\0';
		snprintf(out, cap, "%sies", low);
	} else if (n >= 1 && (low[n - 1] == 's' || low[n - 1] == 'x' || low[n - 1] == 'z' ||
				     (n >= 2 && low[n - 1] == 'h' &&
					     (low[n - 2] == 'c' || low[n - 2] == 's')))) {
		snprintf(out, cap, "%ses", low);
	} else {
		snprintf(out, cap, "%ss", low);
	}
	return out;
}

int cocm_kinds_cluster_scoped(const char *group, const char *kind)
{
	const struct kind_row *r = find(group ? group : "", kind ? kind : "");

	return r != NULL && r->cluster;
}
