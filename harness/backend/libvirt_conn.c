/* The libvirt backend's connection and, where none runs, its own libvirtd: see libvirt_conn.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend/libvirt_conn.h"
#include "backend/scratch_dir.h"
#include "util/error.h"

#define LIBVIRTD_PATH "/usr/sbin/libvirtd"
#define SYSTEM_URI "qemu:///system"
/* A domain name says which process made it (vmsweep-<pid>-<n>): a leftover of a dead one
 * is destroyed when a later sweep finds it. */
#define DOMAIN_PREFIX "vmsweep-"
#define QEMU_LOG_DIR "/var/log/libvirt/qemu"

static pthread_mutex_t conn_lock = PTHREAD_MUTEX_INITIALIZER;
static virConnectPtr conn;
static const char *uri_given;
static char uri_used[512], described[700];
static pid_t private_pid; /* our own libvirtd, 0: none */
static char private_dir[96];
static __thread char last_error[512];

/* libvirt prints every error on stderr by default: ours say what failed, in context */
static void error_quiet(void *data, virErrorPtr e)
{
	(void)data;
	snprintf(last_error, sizeof(last_error), "%s", e && e->message ? e->message : "unknown error");
}

const char *libvirt_last_error(void)
{
	virErrorPtr e = virGetLastError();
	if (e && e->message)
		snprintf(last_error, sizeof(last_error), "%s", e->message);
	return last_error[0] ? last_error : "unknown error";
}

void libvirt_uri_set(const char *uri)
{
	uri_given = uri;
}

virConnectPtr libvirt_conn(void)
{
	return conn;
}

const char *libvirt_conn_describe(void)
{
	return described;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

static void private_stop(void)
{
	if (private_pid > 0) {
		kill(private_pid, SIGTERM);
		for (int i = 0; i < 100 && waitpid(private_pid, NULL, WNOHANG) == 0; i++)
			sleep_ms(50);
		if (waitpid(private_pid, NULL, WNOHANG) == 0) {
			kill(private_pid, SIGKILL);
			waitpid(private_pid, NULL, 0);
		}
		private_pid = 0;
	}
	scratch_dir_remove(private_dir);
	private_dir[0] = 0;
}

/* The last line of our libvirtd's log, for an error (its directory is removed after). */
static const char *log_tail(const char *path)
{
	static char line[300];
	char buf[300];
	FILE *f = fopen(path, "r");
	line[0] = 0;
	while (f && fgets(buf, sizeof(buf), f))
		if (buf[0] != '\n')
			snprintf(line, sizeof(line), "%.*s", (int)strcspn(buf, "\n"), buf);
	if (f)
		fclose(f);
	return line[0] ? line : "(nothing)";
}

/*
 * Our libvirtd's QEMU driver configuration, seen by it alone: the daemon runs in a mount
 * namespace of its own where this directory is /etc/libvirt. QEMU runs as root (as the
 * daemon): the stock configuration's libvirt-qemu user may not open /dev/kvm here, and
 * then libvirt takes its cached QEMU capabilities for outdated and probes QEMU again,
 * about 28 times and a minute, at every domain start. Its stdout goes to a file, not
 * virtlogd (which does not run where no init system started it).
 */
static int qemu_conf_write(const char *dir, char *err, size_t errlen)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/etc", dir);
	if (mkdir(path, 0700))
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/etc/qemu.conf", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return errorf(err, errlen, "%s: %s", path, strerror(errno));
	fputs("# vmsweep's own libvirtd (harness/backend/libvirt_conn.c)\nuser = \"root\"\ngroup = \"root\"\n"
	      "dynamic_ownership = 0\nsecurity_driver = \"none\"\nstdio_handler = \"file\"\nnamespaces = [ ]\n"
	      "cgroup_controllers = [ ]\n",
	      f);
	return fclose(f) ? errorf(err, errlen, "%s: %s", path, strerror(errno)) : 0;
}

/* In the child: /etc/libvirt is our directory, for this process and its children only */
static void private_etc_mount(const char *dir)
{
	char etc[160];
	snprintf(etc, sizeof(etc), "%s/etc", dir);
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount(etc, "/etc/libvirt", NULL, MS_BIND, NULL))
		_exit(126);
}

/*
 * libvirtd of our own: its socket, pid file, log and QEMU configuration in a private
 * directory, no TCP, no authentication on a socket only root may open. It dies with us
 * (PDEATHSIG); the domains it ran die with our connection (AUTODESTROY).
 */
static int private_start(char *err, size_t errlen)
{
	char conf[128], sock[128], log[128];
	if (scratch_dir_make("libvirtd", private_dir, sizeof(private_dir), err, errlen))
		return -1;
	snprintf(conf, sizeof(conf), "%s/libvirtd.conf", private_dir);
	snprintf(sock, sizeof(sock), "%s/libvirt-sock", private_dir);
	snprintf(log, sizeof(log), "%s/libvirtd.log", private_dir);
	FILE *f = fopen(conf, "w");
	if (!f)
		return errorf(err, errlen, "%s: %s", conf, strerror(errno));
	fprintf(f, "# vmsweep's own libvirtd, for one sweep\nunix_sock_dir = \"%s\"\nunix_sock_rw_perms = \"0700\"\n"
		   "unix_sock_ro_perms = \"0700\"\nauth_unix_rw = \"none\"\nauth_unix_ro = \"none\"\n"
		   "log_outputs = \"3:file:%s\"\n",
		private_dir, log);
	if (fclose(f))
		return errorf(err, errlen, "%s: %s", conf, strerror(errno));
	if (qemu_conf_write(private_dir, err, errlen))
		return -1;
	if (access(LIBVIRTD_PATH, X_OK))
		return errorf(err, errlen, "%s: missing: `make deps` installs libvirt-daemon-system", LIBVIRTD_PATH);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return errorf(err, errlen, "fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent) /* we died before the signal was armed */
			_exit(1);
		setsid(); /* a Ctrl-C to the sweep is ours to handle, not the daemon's */
		private_etc_mount(private_dir);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0), dup2(null, 1), dup2(null, 2);
		char pidf[140];
		snprintf(pidf, sizeof(pidf), "%s/libvirtd.pid", private_dir);
		execl(LIBVIRTD_PATH, "libvirtd", "--config", conf, "--pid-file", pidf, (char *)NULL);
		_exit(127);
	}
	private_pid = pid;
	snprintf(uri_used, sizeof(uri_used), "%s?socket=%s", SYSTEM_URI, sock);
	/* it answers once its drivers are up: a few seconds here */
	for (int i = 0; i < 300; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			private_pid = 0;
			return errorf(err, errlen, "libvirtd (our own) exited at start (it needs root and a mount namespace "
				      "for its /etc/libvirt; another vmsweep's own libvirtd running holds the QEMU "
				      "driver's state): its log ends: %s", log_tail(log));
		}
		if (access(sock, F_OK) == 0 && (conn = virConnectOpen(uri_used)))
			return 0;
		sleep_ms(50);
	}
	return errorf(err, errlen, "libvirtd (our own) did not answer on %s in 15 s: %s (its log ends: %s)", sock,
		      libvirt_last_error(), log_tail(log));
}

/* QEMU's logs of the domains of a vmsweep that is gone (ours remove their own) */
static void qemu_logs_reap(void)
{
	DIR *d = opendir(QEMU_LOG_DIR);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		int pid;
		char path[512];
		if (sscanf(e->d_name, DOMAIN_PREFIX "%d-", &pid) != 1 || pid <= 0 || (kill(pid, 0) == 0 || errno != ESRCH))
			continue;
		snprintf(path, sizeof(path), QEMU_LOG_DIR "/%s", e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
}

/* Domains of a vmsweep that is gone (killed before its connection could take them), on
 * this machine's daemon: a pid means nothing on another host's. */
static void leftovers_destroy(void)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	for (int i = 0; i < n; i++) {
		const char *name = virDomainGetName(doms[i]);
		int pid;
		if (name && sscanf(name, DOMAIN_PREFIX "%d-", &pid) == 1 && pid != getpid() &&
		    (kill(pid, 0) != 0 && errno == ESRCH)) {
			fprintf(stderr, "vmsweep: libvirt: destroying domain %s, left by a vmsweep that is gone\n", name);
			virDomainDestroy(doms[i]);
		}
		virDomainFree(doms[i]);
	}
	free(doms);
}

int libvirt_open(char *err, size_t errlen)
{
	int ret = 0;
	pthread_mutex_lock(&conn_lock);
	if (conn)
		goto out;
	virSetErrorFunc(NULL, error_quiet);
	scratch_dirs_reap(); /* of a vmsweep killed before it could */
	const char *uri = uri_given ? uri_given : getenv("VMSWEEP_LIBVIRT_URI");
	if (uri && *uri) {
		snprintf(uri_used, sizeof(uri_used), "%s", uri);
		if (!(conn = virConnectOpen(uri_used))) {
			ret = errorf(err, errlen, "libvirt: cannot connect to %s: %s", uri_used, libvirt_last_error());
			goto out;
		}
		snprintf(described, sizeof(described), "%s", uri_used);
	} else if ((conn = virConnectOpen(SYSTEM_URI))) {
		snprintf(uri_used, sizeof(uri_used), "%s", SYSTEM_URI);
		snprintf(described, sizeof(described), "%s (a running libvirtd)", SYSTEM_URI);
	} else if (private_start(err, errlen)) {
		private_stop();
		ret = -1;
		goto out;
	} else {
		snprintf(described, sizeof(described), "%s (vmsweep's own libvirtd, pid %d)", uri_used, (int)private_pid);
	}
	if (private_pid || !strcmp(uri_used, SYSTEM_URI)) {
		leftovers_destroy();
		qemu_logs_reap();
	}
out:
	pthread_mutex_unlock(&conn_lock);
	return ret;
}

void libvirt_close(void)
{
	pthread_mutex_lock(&conn_lock);
	if (conn)
		virConnectClose(conn);
	conn = NULL;
	private_stop();
	pthread_mutex_unlock(&conn_lock);
}
