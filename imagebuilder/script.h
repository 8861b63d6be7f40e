/* The U-Boot script text. */
#ifndef IB_SCRIPT_H
#define IB_SCRIPT_H

#include "edits.h"
#include "plan.h"
#include "util.h"

/* The whole NAME.source for U-Boot 2023.01's shell. A failing U-Boot
 * command does not stop a script (and `exit` does not either, in 2023.01),
 * so every step runs only while ${ib_err} is empty and a failure sets it:
 * the script then reports the first failure and does not boot. */
void script_text(struct ib_buf *b, const struct ib_plan *p, const struct ib_edits *e);

#endif
