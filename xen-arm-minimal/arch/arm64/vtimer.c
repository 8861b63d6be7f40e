#include <asm/percpu.h>
#include <asm/sysreg.h>
#include <asm/vtimer.h>
#include <xam/domain.h>
#include <xam/irq.h>

static unsigned virt_intid;

/* The running guest's timer fired. Mask it (a level interrupt would fire
 * again at once) and give the guest its PPI 27; the guest unmasks when it
 * programs the next deadline, as Linux and Xen's guests do. */
static void vtimer_irq(unsigned intid __unused, void *arg __unused)
{
    struct vcpu *v = this_cpu()->current;
    write_sysreg(read_sysreg(cntv_ctl_el0) | CNT_CTL_IMASK, cntv_ctl_el0);
    isb();
    if (v)
        vcpu_inject_irq(v, VINTC_PPI_VTIMER);
}

int vtimer_init(unsigned host_virt_intid)
{
    virt_intid = host_virt_intid;
    return irq_register(virt_intid, vtimer_irq, NULL);
}

void vtimer_cpu_init(void)
{
    if (virt_intid)
        irq_enable_line(virt_intid);
}

uint64_t vtimer_deadline_loaded(struct vcpu *v, bool *due)
{
    uint64_t ctl = read_sysreg(cntv_ctl_el0);
    *due = false;
    if (!(ctl & CNT_CTL_ENABLE) || (ctl & CNT_CTL_IMASK))
        return 0;
    if (ctl & CNT_CTL_ISTATUS) {
        *due = true;
        return 0;
    }
    return read_sysreg(cntv_cval_el0) + v->dom->cntvoff;
}

void vtimer_expire_saved(struct vcpu *v) { v->arch.sys.cntv_ctl |= CNT_CTL_IMASK; }
