/* The console's output and its bounded hold: see xam/console_hold.h. */
#include <string.h>
#include <xam/console_hold.h>
#include <xam/fmt.h>

/* A waiting record in held[]: this header (copied in and out: held[] has
 * no alignment), then the name and the text. */
enum held_kind {
    HELD_PIECE, /* a domain's piece */
    HELD_TEXT, /* the hypervisor's whole lines */
    HELD_DONE, /* printed, removed when the release ends */
};

struct held_hdr {
    const void *line; /* only compared, never followed: the domain may be gone */
    uint64_t when;
    uint16_t name_len, text_len;
    uint8_t end, kind;
};

static const char continued[] = { CONSOLE_CONTINUED_MARK, '\n' };

static void set_deadline(struct console_out *c, uint64_t d) { __atomic_store_n(&c->deadline, d, __ATOMIC_RELAXED); }

/* What waits goes out when the owner has been quiet too long, or when it
 * has waited too long (less the UART's time on the owner's pieces). */
static void update_deadline(struct console_out *c)
{
    set_deadline(c, MIN(c->progress + c->idle_ticks, c->oldest + c->max_ticks + c->printing));
}

uint64_t console_out_deadline(const struct console_out *c) { return __atomic_load_n(&c->deadline, __ATOMIC_RELAXED); }

static void end_open_line(struct console_out *c)
{
    if (c->open_line)
        c->ops->write(continued, sizeof(continued));
    c->open_line = NULL;
}

static void print_piece(struct console_out *c, const void *line, const char *name, size_t name_len, const char *text,
                        size_t n, enum console_piece_end end, uint64_t when)
{
    if (c->open_line != line) {
        char prefix[80]; /* "[ttttt.uuuuuu] " and "(" a name of up to 31 ") " */
        end_open_line(c);
        size_t k = c->ops->stamp(prefix, sizeof(prefix), when);
        int m = fmt_snprintf(prefix + k, sizeof(prefix) - k, "(%.*s) ", (int)name_len, name);
        c->ops->write(prefix, k + (m < 0 ? 0 : MIN((size_t)m, sizeof(prefix) - k - 1)));
    }
    c->ops->write(text, n);
    c->open_line = NULL;
    if (end == CONSOLE_PIECE_LINE)
        c->ops->write("\n", 1);
    else if (end == CONSOLE_PIECE_CONTINUED)
        c->ops->write(continued, sizeof(continued));
    else
        c->open_line = line;
}

static void print_text(struct console_out *c, const char *s, size_t n)
{
    end_open_line(c);
    c->ops->write(s, n);
}

/* The record at off, checked against what is there (a crash may read
 * held[] while another CPU changes it: never past its end). */
static bool record_at(const struct console_out *c, size_t off, size_t used, struct held_hdr *h)
{
    if (off + sizeof(*h) > used)
        return false;
    memcpy(h, c->held + off, sizeof(*h));
    return (size_t)h->name_len + h->text_len <= used - off - sizeof(*h);
}

static size_t record_size(const struct held_hdr *h) { return sizeof(*h) + h->name_len + h->text_len; }

static void print_record(struct console_out *c, size_t off, const struct held_hdr *h)
{
    const char *name = c->held + off + sizeof(*h);
    if (h->kind == HELD_TEXT)
        print_text(c, name, h->text_len);
    else
        print_piece(c, h->line, name, h->name_len, name + h->name_len, h->text_len, (enum console_piece_end)h->end,
                    h->when);
}

/* Print what waits, in the order it came, but a line part-way out first:
 * once a record leaves a line part-way (its piece was cut or is open),
 * that line is the owner and its own waiting pieces come next. With all,
 * everything goes (a line whose end has not come yet is left part-way);
 * without, the records behind an owner whose end has not come stay. The
 * printed records are removed. */
static void drain(struct console_out *c, bool all)
{
    struct held_hdr h;
    size_t used = c->used;
    for (;;) {
        size_t off = 0;
        bool found = false;
        for (; record_at(c, off, used, &h); off += record_size(&h))
            if (h.kind != HELD_DONE && (!c->owner || h.line == c->owner)) {
                found = true;
                break;
            }
        if (!found && all && c->owner) {
            c->owner = NULL;
            continue;
        }
        if (!found)
            break;
        print_record(c, off, &h);
        c->held[off + offsetof(struct held_hdr, kind)] = HELD_DONE;
        if (h.kind == HELD_PIECE)
            c->owner = h.end == CONSOLE_PIECE_LINE ? NULL : h.line;
    }
    size_t to = 0;
    for (size_t off = 0; record_at(c, off, used, &h); off += record_size(&h))
        if (h.kind != HELD_DONE) {
            memmove(c->held + to, c->held + off, record_size(&h));
            to += record_size(&h);
        }
    c->used = to;
    c->printing = 0;
    c->owner_chars = 0;
}

/* The bound: everything waiting out; the owner loses the hold. */
static void expire(struct console_out *c)
{
    drain(c, true);
    c->used = 0;
    c->owner = NULL;
    c->expiries++;
    set_deadline(c, UINT64_MAX);
}

static void expire_if_due(struct console_out *c, uint64_t now)
{
    if (c->used && now >= c->deadline)
        expire(c);
}

/* The owner's line ended: what waited goes out (drain), and what is left
 * waits on for the new owner, from when it came. */
static void release(struct console_out *c)
{
    drain(c, false);
    if (!c->used) {
        set_deadline(c, UINT64_MAX);
        return;
    }
    struct held_hdr h;
    memcpy(&h, c->held, sizeof(h));
    c->oldest = h.when;
    c->progress = c->ops->now(); /* the new owner's piece just went out */
    update_deadline(c);
    expire_if_due(c, c->progress); /* it may have waited behind the old owner long enough */
}

/* Keep a record; false if it does not fit. */
static bool hold(struct console_out *c, uint64_t now, const void *line, const char *name, size_t name_len,
                 const char *text, size_t n, enum console_piece_end end, enum held_kind kind)
{
    struct held_hdr h = { .line = line,
                          .when = now,
                          .name_len = (uint16_t)name_len,
                          .text_len = (uint16_t)n,
                          .end = (uint8_t)end,
                          .kind = (uint8_t)kind };
    if (name_len > 0xffff || n > 0xffff || sizeof(h) + name_len + n > sizeof(c->held) - c->used)
        return false;
    if (!c->used) {
        c->oldest = c->progress = now;
        c->printing = 0;
        c->owner_chars = 0;
        update_deadline(c);
    }
    memcpy(c->held + c->used, &h, sizeof(h));
    memcpy(c->held + c->used + sizeof(h), name, name_len);
    memcpy(c->held + c->used + sizeof(h) + name_len, text, n);
    c->used += sizeof(h) + name_len + n;
    return true;
}

/* Whether what comes from line must wait (or, not fitting, first let
 * everything out). */
static bool must_wait(struct console_out *c, const void *line)
{
    return c->owner && line != c->owner && !c->no_hold && c->idle_ticks;
}

void console_out_piece(struct console_out *c, const void *line, const char *name, const char *text, size_t n,
                       enum console_piece_end end)
{
    uint64_t now = c->ops->now();
    size_t name_len = strlen(name);
    expire_if_due(c, now);
    if (must_wait(c, line)) {
        if (hold(c, now, line, name, name_len, text, n, end, HELD_PIECE))
            return;
        expire(c);
    }
    bool waiting = c->used != 0; /* line is the owner, others wait */
    print_piece(c, line, name, name_len, text, n, end, now);
    if (waiting) {
        /* the owner goes on; the UART's time printing it is not the
         * others' wait */
        c->progress = c->ops->now();
        c->printing += c->progress - now;
        c->owner_chars += n;
        update_deadline(c);
    }
    if (end != CONSOLE_PIECE_LINE) {
        if (!c->no_hold)
            c->owner = line;
        if (waiting && c->owner_chars > CONSOLE_HOLD_OWNER_MAX)
            expire(c);
        return;
    }
    if (line == c->owner) {
        c->owner = NULL;
        release(c);
    }
}

void console_out_text(struct console_out *c, const char *s, size_t n)
{
    uint64_t now = c->ops->now();
    expire_if_due(c, now);
    if (must_wait(c, NULL)) {
        if (hold(c, now, NULL, "", 0, s, n, CONSOLE_PIECE_LINE, HELD_TEXT))
            return;
        expire(c);
    }
    print_text(c, s, n);
}

void console_out_poll(struct console_out *c) { expire_if_due(c, c->ops->now()); }

void console_out_release(struct console_out *c, bool for_good)
{
    if (for_good)
        c->no_hold = true;
    if (c->used)
        expire(c);
    if (for_good)
        c->owner = NULL;
}
