/* Entered at the wrong exception level: say why, and power off. Runs with
 * the MMU off (which is why the whole image is built -mstrict-align). */
#include <asm/psci.h>
#include <asm/smp.h>
#include <asm/sysreg.h>
#include <xam/hostdt.h>
#include <xam/log.h>
#include <xam/setup.h>
#include <xam/shutdown.h>

extern char el1_park_vectors[];

static struct hostdt host;

void refuse_entry_el(paddr_t fdt, unsigned el)
{
    struct hostdt_error err;
    bool dt_ok = fdt && IS_ALIGNED(fdt, 8) &&
        hostdt_parse(&host, (const void *)(uintptr_t)fdt, HOSTDT_MAX_SIZE, NULL, &err) == 0;

    console_set_uart(dt_ok ? host.uart.base : CONFIG_EARLY_UART);
    if (el == 1) {
        write_sysreg(el1_park_vectors, vbar_el1);
        isb();
        bool has_el2 = ((read_sysreg(id_aa64pfr0_el1) >> 8) & 0xf) != 0;
        if (has_el2)
            log_err("xen-arm-minimal cannot start: entered at EL1, but a hypervisor must be entered at EL2; "
                    "the loader dropped to EL1 (with QEMU, use -machine virtualization=on)");
        else
            log_err("xen-arm-minimal cannot start: entered at EL1 on a CPU without EL2 "
                    "(no virtualization extensions)");
        psci_set_conduit(dt_ok ? host.psci : PSCI_CONDUIT_NONE);
    } else {
        log_err("xen-arm-minimal cannot start: entered at EL%u, but it must be entered at EL2 (non-secure)", el);
        psci_set_conduit(PSCI_CONDUIT_NONE); /* at EL3 there is no firmware below us */
    }
    machine_poweroff();
}
