#include <criterion/criterion.h>
#include <string.h>

#include "kube/core/buf.h"
#include "kube/core/log.h"

Test(buf, append_respects_max)
{
	struct cocm_buf b;

	cocm_buf_init(&b, 8);
	cr_assert_eq(cocm_buf_puts(&b, "12345"), COCM_OK);
	cr_assert_eq(cocm_buf_puts(&b, "6789"), COCM_ETOOBIG);
	cr_assert_str_eq(cocm_buf_cstr(&b), "12345", "a refused append leaves the buffer unchanged");
	cr_assert_eq(cocm_buf_puts(&b, "678"), COCM_OK);
	cr_assert_eq(b.len, 8);
	cocm_buf_consume(&b, 3);
	cr_assert_str_eq(cocm_buf_cstr(&b), "45678");
	cocm_buf_finish(&b);
	cocm_buf_finish(&b);
}

Test(buf, printf_grows)
{
	struct cocm_buf b;
	char *s;

	cocm_buf_init(&b, COCM_BUF_UNLIMITED);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(cocm_buf_printf(&b, "%d,", i), COCM_OK);
	cr_assert(strncmp(cocm_buf_cstr(&b), "0,1,2,", 6) == 0);
	s = cocm_buf_steal(&b);
	cr_assert_eq(strlen(s), 290);
	free(s);
	cr_assert_str_eq(cocm_buf_cstr(&b), "");
}

Test(log, quoting)
{
	char q[32];

	cr_assert_str_eq(cocm_logq(q, sizeof(q), "plain"), "plain");
	cr_assert_str_eq(cocm_logq(q, sizeof(q), "two words"), "\"two words\"");
	cr_assert_str_eq(cocm_logq(q, sizeof(q), "a\"b"), "\"a\\\"b\"");
	cr_assert_str_eq(cocm_logq(q, sizeof(q), ""), "\"\"");
	cocm_logq(q, 12, "a very long value that must be cut");
	cr_assert(strlen(q) < 12);
}
