#include <asm/mmu.h>
#include <asm/probe.h>
#include <xam/errno.h>
#include <xam/gic.h>

/* Map one frame and read its first word, which every GIC frame has. */
static bool answers(const struct mrange *r, const char *what, struct gic_missing *miss)
{
    uint32_t v;
    if (!r->size)
        return true;
    if (mmu_map_device(r->base, r->size) == 0 && probe_read32(r->base, &v))
        return true;
    miss->base = r->base;
    miss->what = what;
    return false;
}

bool gic_frames_answer(const struct hostdt_gic *g, struct gic_missing *miss)
{
    if (!answers(&g->dist, "distributor", miss))
        return false;
    if (g->version == 3) {
        for (unsigned i = 0; i < g->nr_redist; i++)
            if (!answers(&g->redist[i], "redistributors", miss))
                return false;
        return true;
    }
    return answers(&g->cpu, "CPU interface", miss) && answers(&g->hyp, "virtual interface control (GICH)", miss) &&
        answers(&g->vcpu, "virtual CPU interface (GICV)", miss);
}

static const struct gic_ops *ops;

int gic_init(const struct hostdt_gic *g)
{
    ops = g->version == 3 ? &gicv3_ops : &gicv2_ops;
    return ops->init(g);
}

int gic_cpu_init(struct pcpu *c) { return ops ? ops->cpu_init(c) : -XAM_EINVAL; }

const struct gic_ops *gic(void) { return ops; }
