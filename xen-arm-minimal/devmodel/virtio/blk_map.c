/* The disks' mappings and their SIGBUS guard: see blk_map.h. */
#include <errno.h>
#include <string.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "virtio/blk_map.h"

/* 16 clients of 8 devices each (docs/device-models.md, "Limits") */
#define BLK_MAP_MAX 128

static struct blk_map *volatile maps[BLK_MAP_MAX];
static struct sigaction previous;
static bool installed;
static uintptr_t page_size;

/* SIGBUS: inside one of our mappings, put a zero page over the faulting
 * page (the copy then goes on and finishes) and mark the mapping failed;
 * anywhere else, give the signal back to whoever had it before us (the
 * access is made again and meets that handler, or the default: the
 * program stops with SIGBUS, as it would without us). mmap is a system
 * call, safe here. */
static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    (void)sig, (void)ctx;
    int saved_errno = errno;
    uintptr_t a = (uintptr_t)si->si_addr;
    for (unsigned i = 0; i < BLK_MAP_MAX; i++) {
        struct blk_map *m = maps[i];
        if (!m || a < (uintptr_t)m->base || a - (uintptr_t)m->base >= m->size)
            continue;
        void *page = (void *)(a & ~(page_size - 1));
        if (mmap(page, page_size, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
            break;
        if (!m->failed)
            m->fault = a;
        m->failed = 1;
        errno = saved_errno;
        return;
    }
    sigaction(SIGBUS, &previous, NULL);
    errno = saved_errno;
}

int blk_map_guard(void)
{
    struct sigaction cur;
    if (installed && !sigaction(SIGBUS, NULL, &cur) && (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_sigbus)
        return 0;
    long ps = sysconf(_SC_PAGESIZE);
    if (ps <= 0)
        return -1;
    page_size = (uintptr_t)ps;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &previous))
        return -1;
    installed = true;
    return 0;
}

int blk_map_open(struct blk_map *m, int fd, uint64_t size)
{
    memset(m, 0, sizeof(*m));
    if (!size || size > SIZE_MAX || blk_map_guard())
        return -1;
    unsigned slot = 0;
    while (slot < BLK_MAP_MAX && maps[slot])
        slot++;
    if (slot == BLK_MAP_MAX)
        return -1;
    void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return -1;
    m->base = p;
    m->size = size;
    maps[slot] = m;
    return 0;
}

void blk_map_close(struct blk_map *m)
{
    if (!m->base)
        return;
    for (unsigned i = 0; i < BLK_MAP_MAX; i++)
        if (maps[i] == m)
            maps[i] = NULL;
    munmap(m->base, (size_t)m->size);
    m->base = NULL;
}
