/* Pure tables: also built on the host and tested there. */
#include <asm/traps.h>
#include <xam/fmt.h>

const char *esr_class_name(unsigned ec)
{
    switch (ec) {
    case 0x00:
        return "unknown reason (undefined instruction)";
    case 0x01:
        return "WFI or WFE";
    case 0x07:
        return "FP/SIMD access trapped";
    case 0x0e:
        return "illegal execution state";
    case 0x11:
        return "SVC from AArch32";
    case 0x12:
        return "HVC from AArch32";
    case 0x13:
        return "SMC from AArch32";
    case 0x15:
        return "SVC from AArch64";
    case 0x16:
        return "HVC from AArch64";
    case 0x17:
        return "SMC from AArch64";
    case 0x18:
        return "system register or instruction access";
    case 0x19:
        return "SVE access trapped";
    case 0x20:
        return "instruction abort from a lower exception level";
    case 0x21:
        return "instruction abort taken without a change in exception level";
    case 0x22:
        return "PC alignment fault";
    case 0x24:
        return "data abort from a lower exception level";
    case 0x25:
        return "data abort taken without a change in exception level";
    case 0x26:
        return "SP alignment fault";
    case 0x2c:
        return "floating-point exception";
    case 0x2f:
        return "SError interrupt";
    case 0x30:
        return "breakpoint from a lower exception level";
    case 0x31:
        return "breakpoint";
    case 0x32:
        return "software step from a lower exception level";
    case 0x33:
        return "software step";
    case 0x34:
        return "watchpoint from a lower exception level";
    case 0x35:
        return "watchpoint";
    case 0x3c:
        return "BRK instruction";
    default:
        return "reserved or unhandled exception class";
    }
}

void esr_describe_abort(uint64_t esr, char *buf, size_t len)
{
    unsigned ec = ESR_EC(esr);
    unsigned fsc = esr & 0x3f;
    const char *kind;
    int level = -1;

    if (ec != 0x20 && ec != 0x21 && ec != 0x24 && ec != 0x25) {
        buf[0] = '\0';
        return;
    }
    switch (fsc & 0x3c) {
    case 0x00:
        kind = "address size fault";
        level = (int)(fsc & 3);
        break;
    case 0x04:
        kind = "translation fault";
        level = (int)(fsc & 3);
        break;
    case 0x08:
        kind = "access flag fault";
        level = (int)(fsc & 3);
        break;
    case 0x0c:
        kind = "permission fault";
        level = (int)(fsc & 3);
        break;
    default:
        kind = fsc == 0x10 ? "synchronous external abort"
            : fsc == 0x21  ? "alignment fault"
            : fsc == 0x30  ? "TLB conflict abort"
                           : "other fault";
        break;
    }
    bool data = ec == 0x24 || ec == 0x25;
    const char *access = !data ? "on instruction fetch" : (esr & (1u << 6)) ? "on write" : "on read";
    if (level >= 0)
        fmt_snprintf(buf, len, "%s, level %d, %s (FSC 0x%02x)", kind, level, access, fsc);
    else
        fmt_snprintf(buf, len, "%s, %s (FSC 0x%02x)", kind, access, fsc);
}
