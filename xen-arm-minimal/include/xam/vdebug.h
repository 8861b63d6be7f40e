/* PMU and debug registers for guests: read as zero, writes ignored. */
#ifndef XAM_VDEBUG_H
#define XAM_VDEBUG_H

/* At boot: register the traps. */
int vdebug_init(void);

#endif
