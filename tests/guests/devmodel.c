/* A device model as the builder describes it: it finds the guests it
 * serves in its own tree (/device-model/client@<domid>) and registers an
 * ioreq server for each bridge with dm_op. Its bootargs' "delay" makes it
 * wait first, so a polling guest is seen to poll. */
#include "fdt.h"
#include "lib.h"

#define EPERM 1
#define ESRCH 3

struct dm_op {
    uint32_t op, pad;
    uint8_t u[24];
};

static int64_t dm_op(uint64_t domid, struct dm_op *op)
{
    struct {
        uint64_t addr, size;
    } buf = { (uint64_t)op, sizeof(*op) };
    return xen_hypercall(41, domid, 1, (uint64_t)&buf);
}

static int serve(uint32_t domid, uint64_t ecam, uint64_t ecam_size)
{
    struct dm_op op = { .op = 1 }; /* create_ioreq_server */
    if (dm_op(domid, &op))
        return 0;
    uint16_t id = (uint16_t)(op.u[4] | op.u[5] << 8);
    struct dm_op map = { .op = 3 }; /* map_io_range_to_ioreq_server */
    map.u[0] = (uint8_t)id;
    map.u[4] = 1; /* memory */
    for (int i = 0; i < 8; i++) {
        map.u[8 + i] = (uint8_t)(ecam >> (8 * i));
        map.u[16 + i] = (uint8_t)((ecam + ecam_size - 1) >> (8 * i));
    }
    if (dm_op(domid, &map))
        return 0;
    struct dm_op on = { .op = 5 }; /* set_ioreq_server_state */
    on.u[0] = (uint8_t)id;
    on.u[2] = 1;
    return dm_op(domid, &on) == 0;
}

void guest_main(uint64_t dtb);

void guest_main(uint64_t dtb)
{
    const void *fdt = (const void *)dtb;
    int chosen = fdt_node(fdt, "/chosen"), len;
    const char *args = chosen >= 0 ? fdt_prop(fdt, chosen, "bootargs", &len) : 0;
    int dm = fdt_node(fdt, "/device-model");
    check(dm >= 0 && fdt_has_string(fdt, dm, "compatible", "xen-arm-minimal,device-model"),
          "the tree has a /device-model node");
    if (contains(args, "delay")) /* guests get to wait for it */
        delay_ms(300);
    uint32_t served[8];
    unsigned n = 0;
    for (int c = -1; dm >= 0 && (c = fdt_child(fdt, dm, c)) >= 0 && n < 8;) {
        const uint8_t *reg = fdt_prop(fdt, c, "reg", &len);
        const char *name = fdt_prop(fdt, c, "domain-name", &len);
        const uint8_t *bridge = fdt_prop(fdt, c, "bridge", &len);
        if (!reg || !name || !bridge || len != 15 * 4) {
            check(0, "a client node has reg, domain-name and a 15-cell bridge");
            continue;
        }
        served[n] = be32(reg);
        puts_("devmodel: serving ");
        puts_(name);
        puts_(", ECAM ");
        put_hex(be64(bridge));
        puts_("\n");
        check(serve(served[n], be64(bridge), be64(bridge + 8)), "ioreq server created, ECAM mapped, enabled");
        n++;
    }
    check(n > 0, "serves at least one guest");
    /* nobody else's bridge: a domain it does not serve (itself among
     * them) is refused, one that does not exist is unknown */
    int eperm = 0, ok = 1;
    for (uint32_t id = 1; id <= 16; id++) {
        int mine = 0;
        for (unsigned i = 0; i < n; i++)
            mine |= served[i] == id;
        if (mine)
            continue;
        struct dm_op op = { .op = 1 };
        int64_t rc = dm_op(id, &op);
        eperm += rc == -EPERM;
        ok &= rc == -EPERM || rc == -ESRCH;
    }
    check(ok && eperm > 0, "dm_op for a guest it does not serve is refused (-EPERM / -ESRCH)");
    puts_(failures ? "devmodel: some checks FAILED\n" : "devmodel: all checks passed\n");
    /* stay up while the guests look at their bridges */
    delay_ms(500);
    psci_system_off();
}
