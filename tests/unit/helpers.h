/*
 * Assertions shared by the unit tests. Include <cmocka.h> (and what it needs),
 * <string.h> and, for assert_close, <math.h> before this header.
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

/* |got - want| <= rel * |want| (or <= rel when want is 0), with both numbers on failure. */
#define assert_close(got, want, rel)                                                            \
	do {                                                                                    \
		double g_ = (got), w_ = (want);                                                 \
		double tol_ = (rel) * (w_ != 0.0 ? fabs(w_) : 1.0);                             \
		if (!(fabs(g_ - w_) <= tol_))                                                   \
			fail_msg("%s = %.17g, want %.17g (rel %g)", #got, g_, w_, (double)(rel)); \
	} while (0)

#endif
