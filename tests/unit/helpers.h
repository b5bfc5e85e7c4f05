/*
 * Assertions shared by the unit tests. Include <cmocka.h> (and what it needs) and
 * <string.h> before this header.
 */
#ifndef VMSWEEP_TESTS_HELPERS_H
#define VMSWEEP_TESTS_HELPERS_H

#define assert_err_has(err, phrase)                                                       \
	do {                                                                              \
		if (!strstr((err), (phrase)))                                             \
			fail_msg("error \"%s\" lacks \"%s\"", (err), (phrase));           \
	} while (0)

#define assert_has(s, phrase)                                                             \
	do {                                                                              \
		if (!strstr((s), (phrase)))                                               \
			fail_msg("\"%s\" lacks \"%s\"", (s), (phrase));                   \
	} while (0)

#endif
