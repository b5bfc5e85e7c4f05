#include "util/meminfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t meminfo_value(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	uint64_t v = 0;
	size_t klen = strlen(key);

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtoull(line + klen + 1, NULL, 10);
			break;
		}
	if (f)
		fclose(f);
	return v;
}

uint64_t meminfo_available_bytes(void)
{
	return meminfo_value("MemAvailable") << 10;
}
