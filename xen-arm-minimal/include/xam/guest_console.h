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
 *    four) is cut there, never inside an escape: the piece ends with
 *    CONSOLE_CONTINUED_MARK ('\\') and the line goes on on a new
 *    "(name) " line (xam/log.h, console_guest_piece);
 *  - a line is printed whole when it ends (or fills up), unless the console
 *    is live (its domain has the console's input, the "focus"): then the
 *    text goes out as it is written, the line left open on the UART (a
 *    shell's prompt and echo show before Enter). Another line printed
 *    meanwhile ends the open one with the mark, and the rest of it comes on
 *    a new "(name) " line. */
#ifndef XAM_GUEST_CONSOLE_H
#define XAM_GUEST_CONSOLE_H

#include <xam/types.h>

/* Characters of guest text per console line piece: a Linux banner or a
 * 300-character line stays whole. One piece goes to the UART in one go
 * under the console's lock (at 115200 baud, 45 ms). */
#define GUEST_CONSOLE_LINE_MAX 512

struct guest_console {
    unsigned len; /* characters in line[] not printed yet, escapes included */
    unsigned col; /* characters of this line printed already (live, or cut) */
    bool held_c2; /* a 0xc2 byte waits to see whether a C1 control follows */
    char line[GUEST_CONSOLE_LINE_MAX];
};

/* Take n bytes the domain wrote. Each complete line is printed with
 * console_guest_piece; a line that is not complete stays pending, or with
 * live goes out now and stays open on the UART. */
void guest_console_write(struct guest_console *c, const char *name, const char *buf, size_t n, bool live);
/* The console became live (its domain got the focus): its pending partial
 * line goes out now, left open. */
void guest_console_go_live(struct guest_console *c, const char *name);
/* Print the pending partial line, if any, as a complete line (the domain is
 * stopping). */
void guest_console_flush(struct guest_console *c, const char *name);

#endif
