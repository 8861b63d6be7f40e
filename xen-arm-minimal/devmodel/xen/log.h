/* xam-devmodel's log: one line per message on stderr, every line
 * "xam-devmodel: " and, for a client's, "client NAME: " first, so the
 * device-model domain's console (and the hypervisor's prefix before it)
 * says whose it is. */
#ifndef XAM_DM_LOG_H
#define XAM_DM_LOG_H

#include <stddef.h>

void dm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* name: the client's domain name (may be NULL: then the line is global) */
void dm_log_client(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A client's virtio-console output: printed on stdout one line at a time,
 * each "[NAME] " first; a line longer than the buffer is cut. Control
 * characters other than tab are shown as '?'. */
struct dm_console_lines {
    char buf[160];
    size_t len;
};
void dm_console_write(struct dm_console_lines *c, const char *name, const void *data, size_t len);
void dm_console_flush(struct dm_console_lines *c, const char *name);

#endif
