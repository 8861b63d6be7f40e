/* Build-time defaults for the few things needed before the device tree is
 * read. They suit QEMU's virt machine; set them with make EARLY_UART=... */
#ifndef XAM_SETUP_H
#define XAM_SETUP_H

/* PL011 used for messages until (or when) the device tree names the
 * console; 0 disables it. */
#ifndef CONFIG_EARLY_UART
#define CONFIG_EARLY_UART 0x09000000
#endif

/* PSCI conduit for powering off when the device tree cannot be read:
 * 1 = smc, 2 = hvc, 0 = none. */
#ifndef CONFIG_EARLY_PSCI
#define CONFIG_EARLY_PSCI 1
#endif

#ifndef XAM_VERSION
#define XAM_VERSION "0.0.0"
#endif
#ifndef XAM_GIT
#define XAM_GIT "unknown"
#endif

#endif
