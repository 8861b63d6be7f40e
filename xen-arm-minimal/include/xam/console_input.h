/* Console input: the host UART's characters go to the hypervisor or to one
 * domain's consoles (its vPL011, its Xen PV console); Ctrl-A three times
 * moves input to the next domain with either (and back to the
 * hypervisor), as in Xen. */
#ifndef XAM_CONSOLE_INPUT_H
#define XAM_CONSOLE_INPUT_H

#include <xam/hostdt.h>

int console_input_init(const struct hostdt_uart *uart);
/* One received character (the UART's interrupt handler calls this). */
void console_input_char(char c);

#endif
