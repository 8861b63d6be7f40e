/* The console's output with its bounded hold (issue 15): the rules of
 * xam/log.h's pieces (one prefix per physical line, the continuation mark),
 * and while one line is part-way out (the "owner": its last piece was cut
 * at GUEST_CONSOLE_LINE_MAX or left open, the focused domain's live text),
 * every other source's text waits, in the order it came, until the owner's
 * line ends, so a long line's pieces come one after the other. The wait is
 * bounded, so a guest writing an endless line (or leaving its prompt open)
 * cannot keep anyone out:
 *  - CONSOLE_HOLD_IDLE_MS without a piece of the owner's (counted from the
 *    end of its last piece, or from when the oldest waiting text came if
 *    that is later): a line left open, a guest that stopped writing,
 *  - CONSOLE_HOLD_MAX_MS after the oldest waiting text came, however busy
 *    the owner is (the time the UART spends printing the owner's pieces
 *    meanwhile not counted, so a slow UART does not cut a line a fast one
 *    keeps whole),
 *  - once the owner has printed CONSOLE_HOLD_OWNER_MAX characters while
 *    others wait (16 pieces),
 *  - once CONSOLE_HOLD_SIZE bytes wait (what does not fit goes out at once),
 *  - at once when told (a crash, power off);
 * then everything waiting is printed, in order (it ends the owner's open
 * line with the mark; the owner's line goes on under a new prefix after it),
 * and the owner has the hold again only at its next cut or live text.
 * The hypervisor's own lines wait like the others and are never dropped:
 * a line that does not fit lets everything out first.
 *
 * Portable C with no locking and no clock of its own: the caller (common/
 * log.c) serialises every call and gives the UART, the counter and the
 * time stamp through console_out_ops; the unit test gives its own. */
#ifndef XAM_CONSOLE_HOLD_H
#define XAM_CONSOLE_HOLD_H

#include <xam/log.h>
#include <xam/types.h>

#define CONSOLE_HOLD_IDLE_MS 100
#define CONSOLE_HOLD_MAX_MS 500
#define CONSOLE_HOLD_OWNER_MAX 8192
#define CONSOLE_HOLD_SIZE 4096

struct console_out_ops {
    void (*write)(const char *s, size_t n); /* to the UART ('\n' as it is) */
    uint64_t (*now)(void); /* the counter */
    /* "[ttttt.uuuuuu] " for counter value t into buf: its length */
    size_t (*stamp)(char *buf, size_t size, uint64_t t);
};

struct console_out {
    const struct console_out_ops *ops;
    uint64_t idle_ticks, max_ticks; /* CONSOLE_HOLD_IDLE_MS, _MAX_MS in counter ticks (0: no hold) */
    const void *open_line; /* the line open on the UART (its last piece OPEN) */
    const void *owner; /* the line part-way out: others wait for it */
    bool no_hold; /* crashing: nothing waits any more */
    uint64_t deadline; /* when what waits goes out anyway; UINT64_MAX: nothing waits (read unlocked) */
    uint64_t oldest; /* when the oldest waiting text came */
    uint64_t progress; /* the end of the owner's last piece, or oldest if later */
    uint64_t printing; /* ticks spent printing the owner's pieces while others wait */
    size_t owner_chars; /* the owner's characters printed while others wait */
    size_t used; /* bytes of held[] */
    unsigned long expiries; /* how often the bound let others through */
    char held[CONSOLE_HOLD_SIZE]; /* records: header, name, text */
};

#define CONSOLE_OUT_INIT(o)                                                                                            \
    {                                                                                                                  \
        .ops = (o), .deadline = UINT64_MAX                                                                             \
    }

/* A piece of a domain's line (xam/log.h, console_guest_piece). */
void console_out_piece(struct console_out *c, const void *line, const char *name, const char *text, size_t n,
                       enum console_piece_end end);
/* Whole lines of the hypervisor's own, stamped already. */
void console_out_text(struct console_out *c, const char *s, size_t n);
/* Let what waits out if its time has come. */
void console_out_poll(struct console_out *c);
/* Everything waiting out now; for_good: nothing waits any more (crash). */
void console_out_release(struct console_out *c, bool for_good);
/* When console_out_poll has something to do (counter value; UINT64_MAX:
 * nothing waits); may be read without the caller's lock. */
uint64_t console_out_deadline(const struct console_out *c);

#endif
