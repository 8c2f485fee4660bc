/* The bootstrap ManifestWork with the work agent's ClusterRole: the embedded YAML is the file
 * of the source tree byte for byte, and the work built from it is what agent_rbac.h promises. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub-addon/agent_rbac.h"
#include "kube/core/json.h"
#include "kube/yaml/yamljson.h"

#define ROLE_FILE COCM_SOURCE_DIR "/hub-addon/deploy/spoke/clusterrole-work-agent.yaml"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_gt(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

Test(agent_rbac, embedded_yaml_is_the_source_file)
{
	size_t len;
	char *text = slurp(ROLE_FILE, &len);

	cr_assert_eq(cocm_agent_rbac_yaml_len, len, "embedded %zu bytes, file %zu: rebuild",
		cocm_agent_rbac_yaml_len, len);
	cr_assert_eq(memcmp(cocm_agent_rbac_yaml_data, text, len), 0,
		"the embedded ClusterRole differs from %s", ROLE_FILE);
	cr_assert_eq(cocm_agent_rbac_yaml_data[len], 0, "NUL-terminated");
	free(text);
}

Test(agent_rbac, work_carries_the_cluster_role)
{
	char err[256];
	size_t len;
	char *text = slurp(ROLE_FILE, &len);
	cJSON *file = cocm_yaml_load(text, len, err, sizeof(err));
	cJSON *w = cocm_agent_rbac_work("dp-east", err, sizeof(err));
	const cJSON *manifests, *role;

	cr_assert_not_null(file, "%s", err);
	cr_assert_not_null(w, "%s", err);
	cr_assert_str_eq(cocm_json_str(w, "kind", NULL), "ManifestWork");
	cr_assert_str_eq(cocm_json_str(w, "metadata", "name", NULL), COCM_AGENT_RBAC_WORK);
	cr_assert_str_eq(cocm_json_str(w, "metadata", "namespace", NULL), "dp-east");
	cr_assert_str_eq(cocm_json_str(w, "metadata", "labels", "app.kubernetes.io/managed-by",
		NULL), "choreo-ocm");
	cr_assert_str_eq(cocm_json_str(w, "metadata", "labels", COCM_LABEL_BOOTSTRAP, NULL),
		COCM_BOOTSTRAP_AGENT_RBAC);
	/* not a Release work: nothing maps it back to a Release (the garbage collector's key) */
	cr_assert_null(cocm_json_get(w, "metadata", "annotations", "ocm.openchoreo.dev/release",
		NULL));
	cr_assert_null(cocm_json_get(w, "metadata", "labels", "ocm.openchoreo.dev/release-name",
		NULL));
	cr_assert(cocm_agent_rbac_is_work(w));
	manifests = cocm_json_get(w, "spec", "workload", "manifests", NULL);
	cr_assert_eq(cJSON_GetArraySize(manifests), 1);
	role = cJSON_GetArrayItem(manifests, 0);
	cr_assert(cJSON_Compare(role, cJSON_GetArrayItem(file, 0), 1),
		"the manifest is the ClusterRole of the file");
	cr_assert_str_eq(cocm_json_str(role, "metadata", "labels",
		"open-cluster-management.io/aggregate-to-work", NULL), "true");
	cJSON_Delete(w);
	cJSON_Delete(file);
	free(text);
}

Test(agent_rbac, hash_is_stable_and_per_cluster)
{
	char err[256];
	cJSON *a = cocm_agent_rbac_work("dp-east", err, sizeof(err));
	cJSON *b = cocm_agent_rbac_work("dp-east", err, sizeof(err));
	cJSON *c = cocm_agent_rbac_work("dp-west", err, sizeof(err));
	const char *ha = cocm_json_str(a, "metadata", "annotations",
		"ocm.openchoreo.dev/content-hash", NULL);

	cr_assert_not_null(ha);
	cr_assert_eq(strlen(ha), 64);
	cr_assert_str_eq(ha, cocm_json_str(b, "metadata", "annotations",
		"ocm.openchoreo.dev/content-hash", NULL));
	cr_assert_str_neq(ha, cocm_json_str(c, "metadata", "annotations",
		"ocm.openchoreo.dev/content-hash", NULL));
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
}

Test(agent_rbac, is_work_needs_name_and_label)
{
	cJSON *w = cJSON_Parse("{\"metadata\":{\"name\":\"choreo-ocm-work-agent-rbac\","
		"\"labels\":{\"ocm.openchoreo.dev/bootstrap\":\"work-agent-rbac\"}}}");
	cJSON *n = cJSON_Parse("{\"metadata\":{\"name\":\"choreo-ocm-work-agent-rbac\"}}");
	cJSON *o = cJSON_Parse("{\"metadata\":{\"name\":\"default-web\","
		"\"labels\":{\"ocm.openchoreo.dev/bootstrap\":\"work-agent-rbac\"}}}");

	cr_assert(cocm_agent_rbac_is_work(w));
	cr_assert_not(cocm_agent_rbac_is_work(n));
	cr_assert_not(cocm_agent_rbac_is_work(o));
	cJSON_Delete(w);
	cJSON_Delete(n);
	cJSON_Delete(o);
}
