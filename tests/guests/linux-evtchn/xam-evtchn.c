/* Xen's static event channels from Linux user space (boot case
 * static-evtchn-linux, tests/boot/cases-static-evtchn-linux.sh): two
 * Linux domains joined by a xen,evtchn-v1 pair, which the hypervisor
 * bound before either started. Each binds its own end with
 * IOCTL_EVTCHN_BIND_STATIC (Linux 6.6+: it takes over a port already
 * bound, and leaves it bound when closed), then:
 *   xam-evtchn ping PORT ROUNDS    notifies (IOCTL_EVTCHN_NOTIFY) and waits
 *                                  for the answer, ROUNDS times
 *   xam-evtchn answer PORT ROUNDS  waits for each notification (read()
 *                                  gives the port, write() unmasks it) and
 *                                  answers it
 * Xen's binder sets the binding end's port pending (it may have missed a
 * notification), so each end first drains what is pending when it binds
 * (the answering end answers nothing before it has); the pinging end
 * repeats a notification not answered within 1 s, so one that arrived
 * while the other end drained is not the one the test waits for; the
 * answering end keeps answering for 2 s after its last round, so such a
 * repeat never leaves the pinging end waiting. Prints "XAM-EVTCHN: PASS:
 * ..." or "XAM-EVTCHN: FAIL: ..." lines; exits 0 when every check passed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* Linux's include/uapi/xen/evtchn.h (Debian 12's headers are 6.1's:
 * BIND_STATIC is not there) */
struct ioctl_evtchn_notify {
    unsigned int port;
};
struct ioctl_evtchn_bind {
    unsigned int port;
};
#define IOCTL_EVTCHN_NOTIFY _IOC(_IOC_NONE, 'E', 4, sizeof(struct ioctl_evtchn_notify))
#define IOCTL_EVTCHN_BIND_STATIC _IOC(_IOC_NONE, 'E', 7, sizeof(struct ioctl_evtchn_bind))

static int failures;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("XAM-EVTCHN: ");
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    va_end(ap);
}

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* An event on PORT within TIMEOUT ms: read() it and write() it back
 * (unmask). 1: one came; 0: none; -1: an error or another port (said). */
static int take_event(int fd, unsigned port, int timeout)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int n = poll(&p, 1, timeout);
    if (n < 0) {
        say("FAIL: poll: %s", strerror(errno));
        return -1;
    }
    if (n == 0)
        return 0;
    unsigned got[8];
    ssize_t r = read(fd, got, sizeof(got));
    if (r < (ssize_t)sizeof(unsigned)) {
        say("FAIL: read: %zd (%s)", r, r < 0 ? strerror(errno) : "short");
        return -1;
    }
    for (ssize_t i = 0; i < r / (ssize_t)sizeof(unsigned); i++) {
        if (got[i] != port) {
            say("FAIL: read gave port %u, not my port %u", got[i], port);
            return -1;
        }
    }
    if (write(fd, &port, sizeof(port)) != (ssize_t)sizeof(port)) {
        say("FAIL: write (unmask) of port %u: %s", port, strerror(errno));
        return -1;
    }
    return 1;
}

static int notify(int fd, unsigned port)
{
    struct ioctl_evtchn_notify n = { .port = port };
    if (ioctl(fd, IOCTL_EVTCHN_NOTIFY, &n) != 0) {
        say("FAIL: IOCTL_EVTCHN_NOTIFY on port %u: %s", port, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "ping") != 0 && strcmp(argv[1], "answer") != 0)) {
        fprintf(stderr, "usage: xam-evtchn ping|answer PORT ROUNDS\n");
        return 2;
    }
    int ping = strcmp(argv[1], "ping") == 0;
    unsigned port = (unsigned)strtoul(argv[2], NULL, 0);
    int rounds = atoi(argv[3]);

    int fd = open("/dev/xen/evtchn", O_RDWR);
    if (fd < 0) {
        say("FAIL: open /dev/xen/evtchn: %s", strerror(errno));
        return 1;
    }
    struct ioctl_evtchn_bind b = { .port = port };
    int rc = ioctl(fd, IOCTL_EVTCHN_BIND_STATIC, &b);
    if (rc < 0) {
        say("FAIL: IOCTL_EVTCHN_BIND_STATIC on port %u: %s", port, strerror(errno));
        return 1;
    }
    say("PASS: IOCTL_EVTCHN_BIND_STATIC bound my static port %u (returned %d)", port, rc);
    /* the same port twice is refused: this handle has it */
    if (ioctl(fd, IOCTL_EVTCHN_BIND_STATIC, &b) < 0 && errno == EISCONN) {
        say("PASS: binding port %u a second time is refused (EISCONN)", port);
    } else {
        say("FAIL: binding port %u a second time was not refused with EISCONN (%s)", port, strerror(errno));
        failures++;
    }

    /* what was pending when it was bound (Xen's binder sets the binding
     * end's port pending): delivered as the port is unmasked. The peer
     * answers nothing before it has drained its own, so nothing drained
     * here can be an answer. */
    int pending = 0;
    for (;;) {
        int r = take_event(fd, port, 300);
        if (r < 0)
            return 1;
        if (r == 0)
            break;
        pending++;
    }
    say("%d event(s) pending on port %u when I bound it, drained", pending, port);

    if (ping) {
        for (int i = 1; i <= rounds; i++) {
            long start = now_ms();
            int sent = 0, got = 0;
            while (!got && now_ms() - start < 60000) {
                if (notify(fd, port) < 0)
                    return 1;
                sent++;
                got = take_event(fd, port, 1000);
                if (got < 0)
                    return 1;
            }
            if (!got) {
                say("FAIL: round %d: no answer on port %u in 60 s (%d notifications sent)", i, port, sent);
                return 1;
            }
            say("PASS: round %d: notified port %u, the peer's answer arrived (%d notification%s, %ld ms)", i, port,
                sent, sent == 1 ? "" : "s", now_ms() - start);
        }
    } else {
        for (int i = 1; i <= rounds; i++) {
            int r = take_event(fd, port, 60000);
            if (r <= 0) {
                if (r == 0)
                    say("FAIL: round %d: no notification on port %u in 60 s", i, port);
                return 1;
            }
            if (notify(fd, port) < 0)
                return 1;
            say("PASS: round %d: the peer's notification arrived on port %u, answered", i, port);
        }
        /* repeats the peer sent before my answer reached it: answer them
         * too, so it is never left waiting */
        int extra = 0;
        while (take_event(fd, port, 2000) > 0 && notify(fd, port) == 0)
            extra++;
        say("answered %d repeated notification(s) after the last round", extra);
    }
    close(fd);
    if (failures) {
        say("FAIL: %s: %d check(s) failed", argv[1], failures);
        return 1;
    }
    say("PASS: %s: %d notification(s) crossed each way on static port %u", argv[1], rounds, port);
    return 0;
}
