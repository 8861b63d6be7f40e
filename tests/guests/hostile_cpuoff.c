#include "lib.h"
void guest_main(void);
void guest_main(void) { puts_("stub\n"); psci_system_off(); }
