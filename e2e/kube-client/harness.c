/* Integration-test harness (see harness.h). */
#include "harness.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kube/core/json.h"

extern char **environ;

static char pki_dir[512];

static void rm_flat(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1024];

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

static void rm_pki(void)
{
	rm_flat(pki_dir);
}

static void make_tmp(char *buf, size_t cap, const char *tag)
{
	const char *base = getenv("TMPDIR");

	snprintf(buf, cap, "%s/cocm-%s-XXXXXX", base != NULL && base[0] ? base : "/tmp", tag);
	cr_assert_not_null(mkdtemp(buf), "mkdtemp: %s", strerror(errno));
}

const char *kt_pki(void)
{
	const char *env = getenv("KT_PKI");
	char cmd[1200];

	if (pki_dir[0] != '\0')
		return pki_dir;
	if (env != NULL && env[0] != '\0') {
		snprintf(pki_dir, sizeof(pki_dir), "%s", env);
		return pki_dir;
	}
	make_tmp(pki_dir, sizeof(pki_dir), "pki");
	snprintf(cmd, sizeof(cmd), "sh '%s' '%s'", KT_GEN_CERTS, pki_dir);
	cr_assert_eq(system(cmd), 0, "gen-certs.sh failed");
	atexit(rm_pki);
	return pki_dir;
}

char *kt_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)n + 1);
	cr_assert_not_null(data);
	cr_assert_eq(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return data;
}

static void write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(data, f);
	fclose(f);
}

void kt_server_start(struct kt_server *s, const char *scenario, int flags)
{
	char sc[600], port_file[600], log[600], cert[600], key[600], ca[600];
	const char *pki = kt_pki();
	char *argv[16];
	int argc = 0, i;
	posix_spawn_file_actions_t fa;

	memset(s, 0, sizeof(*s));
	make_tmp(s->dir, sizeof(s->dir), "srv");
	snprintf(sc, sizeof(sc), "%s/scenario.json", s->dir);
	snprintf(port_file, sizeof(port_file), "%s/port", s->dir);
	snprintf(log, sizeof(log), "%s/requests.jsonl", s->dir);
	snprintf(cert, sizeof(cert), "%s/%s", pki, flags & KT_EXPIRED ? "expired.crt" : "server.crt");
	snprintf(key, sizeof(key), "%s/%s", pki, flags & KT_EXPIRED ? "expired.key" : "server.key");
	snprintf(ca, sizeof(ca), "%s/ca.crt", pki);
	write_file(sc, scenario);
	write_file(log, "");
	argv[argc++] = (char *)KT_PYTHON;
	argv[argc++] = (char *)KT_SERVER;
	argv[argc++] = (char *)"--cert";
	argv[argc++] = cert;
	argv[argc++] = (char *)"--key";
	argv[argc++] = key;
	argv[argc++] = (char *)"--scenario";
	argv[argc++] = sc;
	argv[argc++] = (char *)"--port-file";
	argv[argc++] = port_file;
	argv[argc++] = (char *)"--log";
	argv[argc++] = log;
	if (flags & KT_CLIENT_CA) {
		argv[argc++] = (char *)"--client-ca";
		argv[argc++] = ca;
	}
	argv[argc] = NULL;
	posix_spawn_file_actions_init(&fa);
	cr_assert_eq(posix_spawn(&s->pid, KT_PYTHON, &fa, NULL, argv, environ), 0, "spawn server");
	posix_spawn_file_actions_destroy(&fa);
	for (i = 0; i < 1000; i++) { /* 20 s */
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		int status;
		FILE *f = fopen(port_file, "r");

		if (f != NULL) {
			int ok = fscanf(f, "%d", &s->port) == 1;
			fclose(f);
			if (ok && s->port > 0)
				return;
		}
		cr_assert_eq(waitpid(s->pid, &status, WNOHANG), 0, "server exited early");
		nanosleep(&ts, NULL);
	}
	cr_assert_fail("server did not start within 20 s");
}

void kt_server_stop(struct kt_server *s)
{
	int status;

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, &status, 0);
		s->pid = 0;
	}
	if (s->dir[0] != '\0') {
		rm_flat(s->dir);
		s->dir[0] = '\0';
	}
}

static cJSON *read_log(const struct kt_server *s)
{
	char path[600], *data, *line, *nl;
	cJSON *arr = cJSON_CreateArray();

	snprintf(path, sizeof(path), "%s/requests.jsonl", s->dir);
	data = kt_slurp(path, NULL);
	for (line = data; *line != '\0'; line = nl + 1) {
		cJSON *j;

		nl = strchr(line, '\n');
		if (nl == NULL)
			break;
		j = cocm_json_parse(line, (size_t)(nl - line), NULL, 0);
		if (j != NULL)
			cJSON_AddItemToArray(arr, j);
	}
	free(data);
	return arr;
}

cJSON *kt_server_log(const struct kt_server *s)
{
	cJSON *all = read_log(s), *out = cJSON_CreateArray(), *it;

	cJSON_ArrayForEach(it, all)
		if (cJSON_GetObjectItem(it, "method") != NULL)
			cJSON_AddItemToArray(out, cJSON_Duplicate(it, 1));
	cJSON_Delete(all);
	return out;
}

int kt_server_count(const struct kt_server *s, const char *method, const char *path)
{
	cJSON *log = kt_server_log(s), *it;
	int n = 0;

	cJSON_ArrayForEach(it, log) {
		const char *m = cocm_json_str(it, "method", NULL), *p = cocm_json_str(it, "path", NULL);
		if ((method == NULL || (m && strcmp(m, method) == 0)) &&
			(path == NULL || (p && strcmp(p, path) == 0)))
			n++;
	}
	cJSON_Delete(log);
	return n;
}

int kt_server_connections(const struct kt_server *s)
{
	cJSON *log = kt_server_log(s), *it;
	int max = 0;

	cJSON_ArrayForEach(it, log) {
		const cJSON *c = cJSON_GetObjectItem(it, "conn");
		if (cJSON_IsNumber(c) && c->valueint > max)
			max = c->valueint;
	}
	cJSON_Delete(log);
	return max;
}

void kt_config(struct cocm_kube_config *cfg, const struct kt_server *s, const char *ca_file)
{
	char buf[700];

	memset(cfg, 0, sizeof(*cfg));
	snprintf(buf, sizeof(buf), "https://127.0.0.1:%d", s->port);
	cfg->server = strdup(buf);
	if (ca_file != NULL) {
		snprintf(buf, sizeof(buf), "%s/%s", kt_pki(), ca_file);
		cfg->ca_pem = kt_slurp(buf, &cfg->ca_len);
	}
	cfg->source = strdup("test");
}

struct deadline {
	uv_timer_t t;
	int fired;
};

static void on_deadline(uv_timer_t *t)
{
	((struct deadline *)t->data)->fired = 1;
}

void kt_run_until(uv_loop_t *loop, const int *flag, double timeout_s)
{
	struct deadline d = { .fired = 0 };

	uv_timer_init(loop, &d.t);
	d.t.data = &d;
	uv_timer_start(&d.t, on_deadline, (uint64_t)(timeout_s * 1000), 0);
	while (!*flag && !d.fired)
		uv_run(loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&d.t, NULL);
	uv_run(loop, UV_RUN_NOWAIT);
	cr_assert(*flag, "condition not reached within %.0f s", timeout_s);
}

static void on_closed(void *arg)
{
	*(int *)arg = 1;
}

void kt_finish(uv_loop_t *loop, struct cocm_kube *k)
{
	int closed = 0;

	cocm_kube_close(k, on_closed, &closed);
	kt_run_until(loop, &closed, 30);
	uv_run(loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(loop), 0, "handles left open after close");
}

double kt_now(void)
{
	return (double)uv_hrtime() / 1e9;
}

void kt_resp_cb(struct cocm_resp *resp, void *arg)
{
	struct kt_resp *r = arg;

	cr_assert_eq(r->done, 0, "callback ran twice");
	r->done = 1;
	r->err = resp->err;
	r->http_status = resp->http_status;
	r->status = resp->status;
	r->retry_after_s = resp->retry_after_s;
	r->body = resp->body;
	resp->body = NULL; /* take ownership */
	r->at = kt_now();
}

void kt_resp_finish(struct kt_resp *r)
{
	cJSON_Delete(r->body);
	r->body = NULL;
}
