/* libFuzzer target: hostdt_parse() over arbitrary bytes. The blob sits in a
 * buffer of exactly its size, so ASan sees any read past its end. On success
 * the result must satisfy what the rest of the hypervisor relies on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xam/hostdt.h>

#define HV_BASE 0x40200000ULL
#define HV_SIZE 0x80000ULL

static void check(int cond)
{
    if (!cond)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct hostdt h;
    struct hostdt_error err;
    struct mrange hv = { HV_BASE, HV_SIZE };
    uint8_t *buf = malloc(size ? size : 1);

    memcpy(buf, data, size);
    int rc = hostdt_parse(&h, buf, size, &hv, &err);
    check(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
    if (rc != 0) {
        check(rc < 0 && err.msg[0] != '\0');
    } else {
        check(h.mem.n > 0 && mrset_total(&h.mem) > 0);
        for (unsigned i = 1; i < h.mem.n; i++) /* sorted, disjoint, not touching */
            check(mrange_end(&h.mem.r[i - 1]) < h.mem.r[i].base);
        for (unsigned i = 0; i < h.nr_modules; i++) {
            const struct hostdt_module *m = &h.modules[i];
            /* a module with a problem is kept (its domain is refused) */
            check(m->problem || (m->size > 0 && mrset_contains(&h.mem, m->base, m->size)));
            check(m->problem || !ranges_overlap(m->base, m->size, HV_BASE, HV_SIZE));
        }
        check(h.uart.path[0] == '/' && h.uart.size > 0);
        check(h.gic.version == 2 || h.gic.version == 3);
        check(h.nr_cpus > 0 && h.nr_cpus <= HOSTDT_MAX_CPUS);
        check(h.timer.hyp_phys >= 16 && h.timer.hyp_phys < 32);
        check(h.bootargs != NULL && strlen(h.bootargs) < size);
    }
    free(buf);
    return 0;
}
