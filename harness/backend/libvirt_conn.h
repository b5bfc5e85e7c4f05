/*
 * The libvirt backend's connection. A URI given (--libvirt-uri, VMSWEEP_LIBVIRT_URI) is
 * used as it is; otherwise a libvirtd that runs already (qemu:///system), else one of our
 * own, started for the sweep with a private configuration and socket (its QEMU driver's
 * state is the system's, /run/libvirt/qemu: one such daemon at a time), and stopped
 * afterwards. One connection serves every run of the process (libvirt's
 * connections are thread-safe); runs are transient domains started with
 * AUTODESTROY, so that a vmsweep killed mid-run leaves no domain behind.
 */
#ifndef BACKEND_LIBVIRT_CONN_H
#define BACKEND_LIBVIRT_CONN_H
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stddef.h>

/* The URI to use instead of finding one (NULL: find one). Not copied. */
void libvirt_uri_set(const char *uri);
/* Opens the connection (starting a private libvirtd if need be). -1 with err. */
int libvirt_open(char *err, size_t errlen);
/* The open connection, or NULL. */
virConnectPtr libvirt_conn(void);
/* The URI connected to, and whether the daemon is our own ("private") */
const char *libvirt_conn_describe(void);
/* Closes the connection and stops a private libvirtd. */
void libvirt_close(void);
/* libvirt's last error as text (its message), for err. */
const char *libvirt_last_error(void);
#endif
