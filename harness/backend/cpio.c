/* newc cpio entries: see cpio.h. */
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>

#include "backend/cpio.h"

static atomic_uint cpio_ino = 1000; /* distinct inodes: the unpacker links entries of one inode */

/* The header (110 bytes of hex fields) and the NUL-ended name, each padded to 4 bytes */
static int cpio_entry(FILE *f, const char *name, unsigned mode, const void *data, size_t len)
{
	size_t namesize = strlen(name) + 1;
	static const char zeros[4];
	if (len > 0xffffffffu)
		return -1;
	fprintf(f, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", atomic_fetch_add(&cpio_ino, 1), mode, 0u, 0u, 1u, 0u,
		(unsigned)len, 0u, 0u, 0u, 0u, (unsigned)namesize, 0u);
	fwrite(name, 1, namesize, f);
	fwrite(zeros, 1, (4 - (110 + namesize) % 4) % 4, f);
	if (len) {
		fwrite(data, 1, len, f);
		fwrite(zeros, 1, (4 - len % 4) % 4, f);
	}
	return ferror(f) ? -1 : 0;
}

int cpio_dir(FILE *f, const char *name)
{
	return cpio_entry(f, name, S_IFDIR | 0755, NULL, 0);
}

int cpio_file(FILE *f, const char *name, const void *data, size_t len)
{
	return cpio_entry(f, name, S_IFREG | 0644, data, len);
}

int cpio_end(FILE *f)
{
	return cpio_entry(f, "TRAILER!!!", 0, NULL, 0);
}
