/* A domain's console output (its vPL011, its console_io hypercalls) turned
 * into console lines "(name) text" that cannot pass for anything else: a
 * guest cannot end a line early, start one of its own, move the cursor or
 * talk to the terminal. Portable C, also built for the host; no locking
 * (the caller holds its own lock around each call on one guest_console).
 *
 *  - '\n' ends a line; '\r' is dropped;
 *  - bytes below 0x20 other than '\t', 0x7f, and the backslash itself are
 *    shown as the four characters \xNN (lower-case hex: ESC is \x1b, '\'
 *    is \x5c), so the text decodes back to exactly what the guest wrote;
 *  - bytes from 0x80 up pass unchanged (UTF-8 text from Linux), but for
 *    the C1 controls written in UTF-8 (0xc2 0x80..0x9f: CSI is 0xc2 0x9b),
 *    which terminals obey like escape sequences: both bytes are escaped;
 *  - a line longer than GUEST_CONSOLE_LINE_MAX characters (escapes count
 *    four) is cut there, never inside an escape, and goes on on a new
 *    "(name) " line. */
#ifndef XAM_GUEST_CONSOLE_H
#define XAM_GUEST_CONSOLE_H

#include <xam/types.h>

/* Characters of guest text per console line. The whole line as log.c
 * prints it, "[ttttt.uuuuuu] (name) text\n", is at most 15 + 2 + 31 + 1 +
 * 160 + 1 = 210 characters with a name of DOMAIN_NAME_MAX - 1 = 31: inside
 * log.c's 256-byte line (254 characters and the '\n'). */
#define GUEST_CONSOLE_LINE_MAX 160

struct guest_console {
    unsigned len; /* characters in line[], escapes included */
    bool held_c2; /* a 0xc2 byte waits to see whether a C1 control follows */
    char line[GUEST_CONSOLE_LINE_MAX + 1];
};

/* Take n bytes the domain wrote; print each complete line as "(name) text"
 * with log_msg(LOG_INFO, ...). A line that is not complete stays pending. */
void guest_console_write(struct guest_console *c, const char *name, const char *buf, size_t n);
/* Print the pending partial line, if any (the domain is stopping). */
void guest_console_flush(struct guest_console *c, const char *name);

#endif
