/* grant_table_op: Xen's grant tables. None yet: -ENOSYS, which Linux
 * takes as "no grant tables" and runs without. */
#include <xam/errno.h>

#include "hypercall_priv.h"

long grant_table_op(struct vcpu *v, uint64_t cmd, uint64_t uop, uint64_t count) { return -XAM_ENOSYS; }
