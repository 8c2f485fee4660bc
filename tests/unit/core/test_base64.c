#include <criterion/criterion.h>
#include <string.h>

#include "kube/core/base64.h"

static const struct {
	const char *plain, *coded;
} rfc4648[] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

Test(base64, rfc4648_vectors_both_ways)
{
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		char enc[16];
		unsigned char dec[16];
		size_t n = strlen(rfc4648[i].plain), m;

		cr_assert_eq(cocm_base64_encode(rfc4648[i].plain, n, enc), COCM_BASE64_ENCODED_LEN(n));
		cr_assert_str_eq(enc, rfc4648[i].coded);
		cr_assert_eq(cocm_base64_decode(enc, strlen(enc), dec, &m, 0), COCM_OK);
		cr_assert_eq(m, n);
		cr_assert(memcmp(dec, rfc4648[i].plain, n) == 0);
	}
}

Test(base64, all_byte_values_round_trip)
{
	unsigned char in[256], dec[COCM_BASE64_DECODED_MAX(COCM_BASE64_ENCODED_LEN(256))];
	char enc[COCM_BASE64_ENCODED_LEN(256) + 1];
	size_t m;

	for (int i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	for (size_t n = 0; n <= 256; n += 37) {
		size_t k = cocm_base64_encode(in, n, enc);
		cr_assert_eq(cocm_base64_decode(enc, k, dec, &m, 0), COCM_OK);
		cr_assert_eq(m, n);
		cr_assert(memcmp(dec, in, n) == 0);
	}
}

Test(base64, refuses_bad_input)
{
	unsigned char out[32];
	size_t m;

	cr_assert_eq(cocm_base64_decode("Zm9v!", 5, out, &m, 0), COCM_EPARSE, "outside the alphabet");
	cr_assert_eq(cocm_base64_decode("Zg==Zg", 6, out, &m, 0), COCM_EPARSE, "data after padding");
	cr_assert_eq(cocm_base64_decode("Zg===", 5, out, &m, 0), COCM_EPARSE, "three pads");
	cr_assert_eq(cocm_base64_decode("Z", 1, out, &m, 0), COCM_EPARSE, "dangling 6 bits");
	cr_assert_eq(cocm_base64_decode("Zm9v\nYmFy", 9, out, &m, 0), COCM_EPARSE, "space not allowed");
	cr_assert_eq(cocm_base64_decode("Zm9v\nYmFy", 9, out, &m, 1), COCM_OK, "space skipped");
	cr_assert_eq(m, 6);
	cr_assert(memcmp(out, "foobar", 6) == 0);
	cr_assert_eq(cocm_base64_decode("Zm8", 3, out, &m, 0), COCM_OK, "padding optional");
	cr_assert_eq(m, 2);
}
