/* The libvirt backend's domain XML: see libvirt_xml.h. */
#include <inttypes.h>
#include <string.h>

#include "backend/libvirt_xml.h"
#include "util/error.h"

/* Text as XML character data or an attribute value in '' */
static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void xml_elem(FILE *f, const char *indent, const char *tag, const char *text)
{
	fprintf(f, "%s<%s>", indent, tag);
	xml_text(f, text);
	fprintf(f, "</%s>\n", tag);
}

/* Our cache modes are QEMU's: none opens the image O_DIRECT, writeback through the host's
 * page cache with flushes honoured, unsafe ignores flushes. */
static const char *cache_mode(enum disk_cache c)
{
	return c == DISK_CACHE_NONE ? "none" : c == DISK_CACHE_UNSAFE ? "unsafe" : "writeback";
}

static int disk_check(const struct disk_config *c, char *err, size_t errlen)
{
	const struct disk_model *m = &c->model;
	if (c->log[0])
		return errorf(err, errlen, "--disk %s: log= is our device's write log, which QEMU has not", c->path);
	if (disk_model_active(m) && (m->profile != DISK_PROFILE_NONE || (m->given & ~(unsigned)(DM_RATE | DM_IOPS))))
		return errorf(err, errlen, "--disk %s: the libvirt backend can limit a disk by rate= and iops= only "
			      "(QEMU's <iotune>); profile=, lat=, channels= and flush= are our device model's", c->path);
	return 0;
}

int libvirt_disks_check(const struct vm_config *vm, char *err, size_t errlen)
{
	for (unsigned i = 0; i < vm->nr_disks; i++)
		if (disk_check(&vm->disks[i], err, errlen))
			return -1;
	return 0;
}

/* rate= and iops= are QEMU's throttling (<iotune>, a leaky bucket); the rest of a model
 * (service times, the hdd's seeks) QEMU has no equivalent for. */
static int iotune_write(FILE *f, const struct disk_config *c, char *err, size_t errlen)
{
	const struct disk_model *m = &c->model;
	if (!disk_model_active(m))
		return 0;
	if (disk_check(c, err, errlen))
		return -1;
	fputs("      <iotune>\n", f);
	if (m->rate)
		fprintf(f, "        <total_bytes_sec>%" PRIu64 "</total_bytes_sec>\n", m->rate);
	if (m->iops)
		fprintf(f, "        <total_iops_sec>%" PRIu64 "</total_iops_sec>\n", m->iops);
	fputs("      </iotune>\n", f);
	return 0;
}

static int disk_write(FILE *f, const struct disk_config *c, unsigned idx, char *err, size_t errlen)
{
	if (disk_check(c, err, errlen))
		return -1;
	fprintf(f, "    <disk type='file' device='disk'>\n      <driver name='qemu' type='raw' cache='%s'%s",
		cache_mode(c->cache), c->cache == DISK_CACHE_NONE ? " io='native'" : "");
	if (c->queues)
		fprintf(f, " queues='%u'", c->queues);
	fputs("/>\n      <source file='", f);
	xml_text(f, c->path);
	fprintf(f, "'/>\n      <target dev='vd%c' bus='virtio'/>\n", 'a' + idx);
	if (c->read_only)
		fputs("      <readonly/>\n", f);
	if (iotune_write(f, c, err, errlen))
		return -1;
	fputs("    </disk>\n", f);
	return 0;
}

static void serial_write(FILE *f, const char *path, unsigned port)
{
	fputs("    <serial type='file'>\n      <source path='", f);
	xml_text(f, path);
	fprintf(f, "'/>\n      <target port='%u'/>\n    </serial>\n", port);
}

int libvirt_domain_xml(FILE *f, const struct vm_config *vm, const struct libvirt_domain *d, char *err, size_t errlen)
{
	struct cpu_topology t = vm->topo;
	if (!t.sockets)
		t = (struct cpu_topology){ 1, vm->nr_cpus, 1 };

	fprintf(f, "<domain type='%s'>\n", d->type);
	xml_elem(f, "  ", "name", d->name);
	fprintf(f, "  <memory unit='KiB'>%" PRIu64 "</memory>\n", vm->mem_size >> 10);
	fprintf(f, "  <vcpu placement='static'>%u</vcpu>\n", vm->nr_cpus);
	if (d->host_cpu) {
		fputs("  <cputune>\n", f);
		for (unsigned i = 0; i < vm->nr_cpus; i++)
			if (d->host_cpu[i] >= 0)
				fprintf(f, "    <vcpupin vcpu='%u' cpuset='%d'/>\n", i, d->host_cpu[i]);
		fputs("  </cputune>\n", f);
	}
	fputs("  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n", f);
	xml_elem(f, "    ", "kernel", d->kernel);
	xml_elem(f, "    ", "initrd", d->initrd);
	xml_elem(f, "    ", "cmdline", d->cmdline);
	fputs("  </os>\n  <features>\n    <acpi/>\n  </features>\n", f);
	fprintf(f, "  <cpu>\n    <topology sockets='%u' dies='1' cores='%u' threads='%u'/>\n  </cpu>\n", t.sockets, t.cores,
		t.threads);
	/* every way out ends the domain: a transient one is then gone */
	fputs("  <clock offset='utc'/>\n  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>destroy</on_reboot>\n"
	      "  <on_crash>destroy</on_crash>\n  <devices>\n",
	      f);
	xml_elem(f, "    ", "emulator", d->emulator);
	for (unsigned i = 0; i < vm->nr_disks; i++)
		if (disk_write(f, &vm->disks[i], i, err, errlen))
			return -1;
	struct disk_config tools = { .cache = DISK_CACHE_WRITEBACK, .read_only = true };
	snprintf(tools.path, sizeof(tools.path), "%s", d->tools_image);
	if (disk_write(f, &tools, vm->nr_disks, err, errlen))
		return -1;
	serial_write(f, d->console_path, 0);
	serial_write(f, d->data_path, 1);
	/* nothing the run does not need: each device is probed, slowly, under TCG */
	fputs("    <controller type='usb' model='none'/>\n    <memballoon model='none'/>\n  </devices>\n</domain>\n", f);
	return 0;
}
