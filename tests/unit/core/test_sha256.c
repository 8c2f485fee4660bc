#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "kube/core/sha256.h"

Test(sha256, fips_vectors)
{
	char hex[65];

	cocm_sha256_hex("", 0, hex);
	cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	cocm_sha256_hex("abc", 3, hex);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cocm_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	cr_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, incremental_equals_oneshot)
{
	struct cocm_sha256 s;
	unsigned char out[32];
	char msg[200];
	char hex1[65], hex2[65];
	size_t i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (char)('a' + i % 26);
	cocm_sha256_hex(msg, sizeof(msg), hex1);
	cocm_sha256_init(&s);
	for (i = 0; i < sizeof(msg); i += 7)
		cocm_sha256_update(&s, msg + i, sizeof(msg) - i < 7 ? sizeof(msg) - i : 7);
	cocm_sha256_final(&s, out);
	for (i = 0; i < 32; i++)
		snprintf(hex2 + 2 * i, 3, "%02x", out[i]);
	cr_assert_str_eq(hex1, hex2);
}

/* FIPS 180-2 long vector: one million 'a', hashed in one call (whole-block fast path) and in
 * uneven pieces (partial blocks before and after it). */
Test(sha256, million_a)
{
	static char msg[1000000];
	struct cocm_sha256 s;
	unsigned char out[32];
	char hex[65];
	size_t i, step;

	memset(msg, 'a', sizeof(msg));
	cocm_sha256_hex(msg, sizeof(msg), hex);
	cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	cocm_sha256_init(&s);
	for (i = 0; i < sizeof(msg); i += step) {
		step = 1 + (i * 7919) % 1000;
		if (step > sizeof(msg) - i)
			step = sizeof(msg) - i;
		cocm_sha256_update(&s, msg + i, step);
	}
	cocm_sha256_final(&s, out);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", out[i]);
	cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
