/* Guest records made by hand, as the guest writes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <vmsweep/abi.h>

#include "record_helpers.h"

void record_put(struct buf *b, uint32_t type, const void *p, uint32_t len)
{
	static const uint8_t pad[8];
	struct vms_rec_hdr h = { .type = type, .len = len };
	assert_int_equal(buf_append(b, &h, sizeof(h)), 0);
	assert_int_equal(buf_append(b, p, len), 0);
	assert_int_equal(buf_append(b, pad, (8 - len % 8) % 8), 0);
}
