#include <xam/errno.h>
#include <xam/gic.h>

static const struct gic_ops *ops;

int gic_init(const struct hostdt_gic *g)
{
    ops = g->version == 3 ? &gicv3_ops : &gicv2_ops;
    return ops->init(g);
}

int gic_cpu_init(struct pcpu *c)
{
    return ops ? ops->cpu_init(c) : -XAM_EINVAL;
}

const struct gic_ops *gic(void)
{
    return ops;
}
