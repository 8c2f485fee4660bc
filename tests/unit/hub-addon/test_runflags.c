/* `choreo-ocm run` flags: defaults, forms, durations, addresses, errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "hub-addon/flags.h"

static struct cocm_run_flags f;
static char err[256];

static void setup(void)
{
	cocm_run_flags_init(&f);
	err[0] = '\0';
}

static void teardown(void)
{
	cocm_run_flags_finish(&f);
}

TestSuite(runflags, .init = setup, .fini = teardown);

static enum cocm_err parse(int argc, const char **argv)
{
	cocm_run_flags_finish(&f);
	cocm_run_flags_init(&f);
	return cocm_run_flags_parse(&f, argc, (char **)argv, err, sizeof(err));
}

Test(runflags, defaults_match_the_issue)
{
	const char *argv[] = { "run" };

	cr_assert_eq(parse(1, argv), COCM_OK);
	cr_assert_str_eq(f.namespace, "choreo-ocm-system");
	cr_assert_str_eq(f.metrics_addr, ":8080");
	cr_assert_str_eq(f.probe_addr, ":8081");
	cr_assert_float_eq(f.resync_s, 600, 1e-9);
	cr_assert_float_eq(f.unreachable_toleration_s, 300, 1e-9);
	cr_assert_lt(f.orphan_works_after_s, 0);
	cr_assert_float_eq(f.qps, 50, 1e-9);
	cr_assert_eq(f.burst, 100);
	cr_assert_eq(f.leader_elect, 0);
	cr_assert_null(f.kubeconfig);
}

Test(runflags, equals_and_space_forms_and_bools)
{
	const char *argv[] = { "run", "--kubeconfig=/tmp/kc", "--context", "hub", "--leader-elect",
		"--qps=20.5", "--burst", "40", "--workers=8", "--resync=1m30s", "-v", "2",
		"--orphan-works-after", "2h", "--metrics-bind-address=127.0.0.1:0" };

	cr_assert_eq(parse((int)(sizeof(argv) / sizeof(argv[0])), argv), COCM_OK, "%s", err);
	cr_assert_str_eq(f.kubeconfig, "/tmp/kc");
	cr_assert_str_eq(f.context, "hub");
	cr_assert_eq(f.leader_elect, 1);
	cr_assert_float_eq(f.qps, 20.5, 1e-9);
	cr_assert_eq(f.burst, 40);
	cr_assert_eq(f.workers, 8);
	cr_assert_float_eq(f.resync_s, 90, 1e-9);
	cr_assert_eq(f.verbosity, 2);
	cr_assert_float_eq(f.orphan_works_after_s, 7200, 1e-9);
	cr_assert_str_eq(f.metrics_addr, "127.0.0.1:0");
}

Test(runflags, bool_false_and_v_equals)
{
	const char *argv[] = { "run", "--leader-elect=false", "--v=3", "--orphan-works-after=off" };

	cr_assert_eq(parse(4, argv), COCM_OK, "%s", err);
	cr_assert_eq(f.leader_elect, 0);
	cr_assert_eq(f.verbosity, 3);
	cr_assert_lt(f.orphan_works_after_s, 0);
}

Test(runflags, unknown_flag_is_named)
{
	const char *argv[] = { "run", "--bogus=1" };

	cr_assert_eq(parse(2, argv), COCM_EINVAL);
	cr_assert_not_null(strstr(err, "--bogus"));
}

Test(runflags, bad_values_name_the_flag)
{
	const char *a1[] = { "run", "--resync=10 minutes" };
	const char *a2[] = { "run", "--workers=0" };
	const char *a3[] = { "run", "--metrics-bind-address=nocolon" };
	const char *a4[] = { "run", "--burst" };
	const char *a5[] = { "run", "positional" };

	cr_assert_eq(parse(2, a1), COCM_EINVAL);
	cr_assert_not_null(strstr(err, "--resync"));
	cr_assert_eq(parse(2, a2), COCM_EINVAL);
	cr_assert_not_null(strstr(err, "--workers"));
	cr_assert_eq(parse(2, a3), COCM_EINVAL);
	cr_assert_not_null(strstr(err, "--metrics-bind-address"));
	cr_assert_eq(parse(2, a4), COCM_EINVAL);
	cr_assert_not_null(strstr(err, "needs a value"));
	cr_assert_eq(parse(2, a5), COCM_EINVAL);
}

Test(runflags, zero_disables_servers)
{
	const char *argv[] = { "run", "--metrics-bind-address=0", "--health-probe-bind-address", "0" };

	cr_assert_eq(parse(4, argv), COCM_OK, "%s", err);
	cr_assert_str_eq(f.metrics_addr, "0");
	cr_assert_str_eq(f.probe_addr, "0");
}

Test(runflags, lease_timings_checked_only_with_leader_election)
{
	const char *bad[] = { "run", "--leader-elect", "--leader-elect-lease-duration=5s",
		"--leader-elect-renew-deadline=10s" };
	const char *ok[] = { "run", "--leader-elect", "--leader-elect-lease-duration=3s",
		"--leader-elect-renew-deadline=2s", "--leader-elect-retry-period=500ms" };

	cr_assert_eq(parse(4, bad), COCM_EINVAL);
	cr_assert_eq(parse(5, ok), COCM_OK, "%s", err);
	cr_assert_float_eq(f.retry_period_s, 0.5, 1e-9);
}

Test(runflags, help_is_reported)
{
	const char *argv[] = { "run", "--help" };

	cr_assert_eq(parse(2, argv), COCM_OK);
	cr_assert_eq(f.help, 1);
}

Test(duration, go_syntax)
{
	double d;

	cr_assert_eq(cocm_duration_parse("0", &d), COCM_OK);
	cr_assert_float_eq(d, 0, 1e-12);
	cr_assert_eq(cocm_duration_parse("1h2m3.5s", &d), COCM_OK);
	cr_assert_float_eq(d, 3723.5, 1e-9);
	cr_assert_eq(cocm_duration_parse("250ms", &d), COCM_OK);
	cr_assert_float_eq(d, 0.25, 1e-12);
	cr_assert_eq(cocm_duration_parse("1m", &d), COCM_OK);
	cr_assert_float_eq(d, 60, 1e-12);
	cr_assert_eq(cocm_duration_parse("10", &d), COCM_EINVAL);
	cr_assert_eq(cocm_duration_parse("-1s", &d), COCM_EINVAL);
	cr_assert_eq(cocm_duration_parse("5x", &d), COCM_EINVAL);
	cr_assert_eq(cocm_duration_parse("", &d), COCM_EINVAL);
	cr_assert_eq(cocm_duration_parse("100000h", &d), COCM_EINVAL);
}

Test(addr, forms)
{
	char host[64];
	int port;

	cr_assert_eq(cocm_addr_parse(":8080", host, sizeof(host), &port), COCM_OK);
	cr_assert_str_eq(host, "0.0.0.0");
	cr_assert_eq(port, 8080);
	cr_assert_eq(cocm_addr_parse("127.0.0.1:0", host, sizeof(host), &port), COCM_OK);
	cr_assert_str_eq(host, "127.0.0.1");
	cr_assert_eq(port, 0);
	cr_assert_eq(cocm_addr_parse("[::1]:9", host, sizeof(host), &port), COCM_OK);
	cr_assert_str_eq(host, "::1");
	cr_assert_eq(cocm_addr_parse("host:70000", host, sizeof(host), &port), COCM_EINVAL);
	cr_assert_eq(cocm_addr_parse("host:", host, sizeof(host), &port), COCM_EINVAL);
}
