/* Deliberate failures, for testing the fatal paths end to end:
 * crash-test=abort|undef|panic|stack on the command line, on the CPU
 * given by crash-test-cpu= (default 0). Absent: nothing happens. */
#ifndef XAM_CRASHTEST_H
#define XAM_CRASHTEST_H

void crashtest_run(const char *cmdline);

#endif
