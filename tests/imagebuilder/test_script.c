/* imagebuilder end to end on files in a scratch directory: the plan, the
 * edited tree, and the script text (fdt resize sizing, escaping, guards). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "fixture.h"
#include "script.h"

static char dir[] = "/tmp/ib-test-XXXXXX";
static struct ib_raw raw;
static struct ib_config cfg;
static struct ib_result r;
static struct ib_error err;
static struct ib_buf text, text_buf_dummy;

static void write_at(const char *name, const void *data, size_t len)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static int make_files(void **state)
{
    (void)state;
    static char small[8192], dtb[65536];
    uint8_t image[4096] = { 0 };
    if (!mkdtemp(dir))
        return -1;
    make_host_fdt(small, sizeof(small), 0, 0, 0);
    if (fdt_open_into(small, dtb, sizeof(dtb))) /* padded, as QEMU's is */
        return -1;
    write_at("host.dtb", dtb, sizeof(dtb));
    make_image_header(image, 0, 0x300000);
    write_at("xen.Image", image, sizeof(image));
    for (int i = 0; i < 16; i++) {
        char name[16];
        make_image_header(image, 0, 0x10000 + 0x1000 * (uint64_t)i);
        snprintf(name, sizeof(name), "k%d", i);
        write_at(name, image, 100 + (size_t)i);
    }
    write_at("rd.cpio", "070701", 6);
    static char disk[8192];
    write_at("disk.img", disk, sizeof(disk));
    write_at("odd.img", disk, 5000);
    write_at("extra.txt", "echo extra one\necho extra two", 29);
    return 0;
}

static int remove_files(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

static int cleanup(void **state)
{
    (void)state;
    plan_free(&r);
    config_free(&cfg);
    config_raw_free(&raw);
    buf_free(&text);
    return 0;
}

#define BASE "MEMORY_START=0x40000000\nMEMORY_END=0xc0000000\nDEVICE_TREE=host.dtb\nXEN=xen.Image\n"

/* Build from config text; the script lands in `text`. */
static void build(const char *config, const char *load_cmd)
{
    cleanup(NULL);
    assert_int_equal(config_parse("t.cfg", config, strlen(config), &raw, &err), 0);
    assert_int_equal(config_interpret("t.cfg", &raw, &cfg, &err), 0);
    if (plan_build(&r, &cfg, dir, load_cmd, &err))
        fail_msg("plan_build: %s", err.msg);
    script_text(&text, &r.plan, &r.edits);
}

static char *domains(unsigned n)
{
    static char cfgtext[8192];
    snprintf(cfgtext, sizeof(cfgtext), BASE "NUM_DOMUS=%u\n", n);
    for (unsigned i = 0; i < n; i++)
        snprintf(
            cfgtext + strlen(cfgtext), sizeof(cfgtext) - strlen(cfgtext),
            "DOMU_KERNEL[%u]=k%u\nDOMU_RAMDISK[%u]=rd.cpio\nDOMU_MEM[%u]=16\nDOMU_CMD[%u]=\"console=ttyAMA0 quiet\"\n",
            i, i, i, i, i);
    return cfgtext;
}

/* What the edits really add: packed trees before and after. */
static size_t real_growth(void)
{
    size_t a = r.host_len, b = r.edited_len;
    char *x = malloc(a), *y = malloc(b);
    memcpy(x, r.host_fdt, a);
    memcpy(y, r.edited, b);
    assert_int_equal(fdt_pack(x), 0);
    assert_int_equal(fdt_pack(y), 0);
    size_t g = fdt_totalsize(y) - fdt_totalsize(x);
    free(x);
    free(y);
    return g;
}

static void resize_sized(unsigned n)
{
    build(domains(n), "tftpb");
    size_t growth = real_growth();
    char line[64];
    snprintf(line, sizeof(line), "fdt resize %u ||", r.plan.resize);
    assert_non_null(strstr(text.s, line));
    /* enough (plan_build applied the edits in exactly that much room) and
     * not wasteful */
    assert_true(r.plan.resize >= growth);
    assert_true(r.plan.resize <= 2 * growth + 1024);
}

static void resize_one_domain(void **state)
{
    (void)state;
    resize_sized(1);
}

static void resize_sixteen_domains(void **state)
{
    (void)state;
    resize_sized(16);
    /* Xen ImageBuilder's fixed 1024 bytes is not enough for this */
    assert_true(r.plan.resize > 1024);
    void *out;
    size_t len;
    assert_int_not_equal(edits_apply(r.host_fdt, &r.edits, 1024, true, r.plan.dtb.addr, &out, &len, &err), 0);
    assert_non_null(strstr(err.msg, "FDT_ERR_NOSPACE"));
}

static bool has_line(const char *s) { return strstr(text.s, s) != NULL; }

static void escaping_and_guards(void **state)
{
    (void)state;
    build(BASE "NUM_DOMUS=1\nDOMU_KERNEL[0]=k0\nDOMU_CMD[0]=\"console=ttyAMA0 root=/dev/ram0 #x;y\"\n"
               "XEN_CMD=\"loglvl=all\"\n",
          "load mmc 0:1");
    assert_true(has_line("fdt set /chosen \\#address-cells <0x2> ||"));
    assert_true(has_line("fdt set /chosen/domU0 \\#size-cells <0x2> ||"));
    assert_true(has_line("fdt set /chosen xen,xen-bootargs \"loglvl=all\" ||"));
    assert_true(has_line("fdt set /chosen/domU0 compatible \"xen,domain\" ||"));
    assert_true(
        has_line("fdt set /chosen/domU0/module@40400000 compatible \"multiboot,kernel\" \"multiboot,module\" ||"));
    assert_true(has_line("fdt set /chosen/domU0/module@40400000 reg <0x0 0x40400000 0x0 0x64> ||"));
    assert_true(has_line("fdt set /chosen/domU0/module@40400000 bootargs \"console=ttyAMA0 root=/dev/ram0 #x;y\" ||"));
    assert_true(has_line("fdt set /chosen/domU0 memory <0x0 0x80000> ||")); /* 512 MiB in KiB */
    assert_true(has_line("fdt set /chosen/domU0 vpl011 ||"));
    assert_true(has_line("load mmc 0:1 0x40400000 k0 ||"));
    assert_true(has_line("itest ${filesize} == 0x64 ||"));
    assert_true(has_line("test -n \"${ib_err}\" || setenv fdt_high 0xffffffffffffffff ||"));
    assert_true(has_line("test -n \"${ib_err}\" || booti 0x40600000 - 0x40a00000 ||"));
    /* a ' anywhere makes U-Boot 2023.01's shell drop the whole script */
    assert_null(strchr(text.s, '\''));
    /* every command but echo/if/the first setenv runs only while all is well */
    char *copy = strdup(text.s), *save = NULL;
    const char *guard = "test -n \"${ib_err}\" || ";
    unsigned guarded = 0, unguarded = 0;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (l[0] == '#' || !strncmp(l, "echo ", 5) || !strncmp(l, "if test -n", 10) || !strcmp(l, "setenv ib_err"))
            continue;
        if (strncmp(l, guard, strlen(guard))) {
            print_error("unguarded line: %s\n", l);
            unguarded++;
        }
        guarded++;
    }
    free(copy);
    assert_int_equal(unguarded, 0);
    assert_int_equal(guarded,
                     2 * 3 /* three loads */ + 2 /* addr, resize */ + r.edits.n + 3 /* fdt_high, echo, booti */);
    /* the tree as the script leaves it */
    int dom = fdt_path_offset(r.edited, "/chosen/domU0/module@40400000");
    assert_true(dom >= 0);
    assert_string_equal(fdt_getprop(r.edited, dom, "bootargs", NULL), "console=ttyAMA0 root=/dev/ram0 #x;y");
}

static void phandles_and_links(void **state)
{
    (void)state;
    build(BASE "NUM_DOMUS=3\nNUM_CPUPOOLS=1\nCPUPOOL[0]=\"cpu@1,cpu@2 null\"\n"
               "DOMU_KERNEL[0]=k0\nDOMU_PCI_BRIDGE[0]=\"0x60000000 0x200000 0x70000000 0x1000000 0 0 40 2 1\"\n"
               "DOMU_DEVICE_MODEL[0]=2\nDOMU_DEVICE_MODEL_HOLD[0]=1\nDOMU_CPUPOOL[0]=0\n"
               "DOMU_KERNEL[1]=k1\nDOMU_PCI_BRIDGE[1]=default\nDOMU_DEVICE_MODEL[1]=2\nDOMU_ENHANCED[1]=1\n"
               "DOMU_KERNEL[2]=k2\nDOMU_STATIC_MEM[2]=\"0x60000000 0x1000000\"\nDOMU_DIRECT_MAP[2]=0\n",
          "tftpb");
    const void *t = r.edited;
    int d0 = fdt_path_offset(t, "/chosen/domU0"), d1 = fdt_path_offset(t, "/chosen/domU1"),
        d2 = fdt_path_offset(t, "/chosen/domU2"), pool = fdt_path_offset(t, "/chosen/cpupool_0");
    assert_true(d0 >= 0 && d1 >= 0 && d2 >= 0 && pool >= 0);
    /* tree order follows the config: domU0 first */
    assert_int_equal(fdt_first_subnode(t, fdt_path_offset(t, "/chosen")), d0);
    /* the device model gets a phandle above every existing one (0x11) */
    uint32_t dm = fdt_get_phandle(t, d2);
    assert_true(dm > 0x11);
    const fdt32_t *p = fdt_getprop(t, d0, "device-model", NULL);
    assert_non_null(p);
    assert_int_equal(fdt32_to_cpu(*p), dm);
    p = fdt_getprop(t, d1, "device-model", NULL);
    assert_int_equal(fdt32_to_cpu(*p), dm);
    int len;
    assert_non_null(fdt_getprop(t, d0, "hold-until-device-model", &len));
    assert_int_equal(len, 0);
    assert_null(fdt_getprop(t, d1, "hold-until-device-model", NULL));
    p = fdt_getprop(t, d0, "secondary-emulated-pci-host-bridge", &len);
    assert_int_equal(len, 15 * 4);
    assert_int_equal(fdt32_to_cpu(p[1]), 0x60000000);
    assert_int_equal(fdt32_to_cpu(p[12]), 40);
    assert_int_equal(fdt32_to_cpu(p[14]), 1);
    fdt_getprop(t, d1, "secondary-emulated-pci-host-bridge", &len);
    assert_int_equal(len, 0);
    assert_string_equal(fdt_getprop(t, d1, "xen,enhanced", NULL), "enabled");
    /* static memory without direct-map, memory from its total */
    assert_null(fdt_getprop(t, d2, "direct-map", NULL));
    p = fdt_getprop(t, d2, "memory", NULL);
    assert_int_equal(fdt32_to_cpu(p[1]), 0x4000);
    /* the pool: cpu@1 keeps its phandle, cpu@2 gets a new one */
    uint32_t cpu2 = fdt_get_phandle(t, fdt_path_offset(t, "/cpus/cpu@2"));
    assert_true(cpu2 > 0x11 && cpu2 != dm);
    p = fdt_getprop(t, pool, "cpupool-cpus", &len);
    assert_int_equal(len, 8);
    assert_int_equal(fdt32_to_cpu(p[0]), 0x11);
    assert_int_equal(fdt32_to_cpu(p[1]), cpu2);
    assert_string_equal(fdt_getprop(t, pool, "cpupool-sched", NULL), "null");
    p = fdt_getprop(t, d0, "domain-cpupool", NULL);
    assert_int_equal(fdt32_to_cpu(*p), fdt_get_phandle(t, pool));
    /* the layout kept the static memory free: nothing placed at 0x60000000 */
    for (unsigned i = 0; i < r.layout.nblocked; i++)
        if (strstr(r.layout.blocked[i].what, "DOMU_KERNEL"))
            assert_true(r.layout.blocked[i].end <= 0x60000000 || r.layout.blocked[i].base >= 0x61000000);
}

/* Virtio devices: each domain's disks, rng and console become its child
 * nodes after its modules (disks by k, then rng, console: the PCI slots'
 * order); a disk file is loaded and placed like a module, page-sized. */
static void virtio_devices(void **state)
{
    (void)state;
    build(BASE "NUM_DOMUS=2\nDOMU_KERNEL[0]=k0\nDOMU_PCI_BRIDGE[0]=default\nDOMU_DEVICE_MODEL[0]=1\n"
               "DOMU_VIRTIO_DISK[0,0]=disk.img\nDOMU_VIRTIO_DISK_RO[0,0]=1\nDOMU_VIRTIO_DISK_PATH[0,2]=/dev/vdb\n"
               "DOMU_VIRTIO_CONSOLE[0]=1\nDOMU_VIRTIO_RNG[0]=1\nDOMU_KERNEL[1]=k1\nDOMU_ENHANCED[1]=1\n",
          "tftpb");
    const void *t = r.edited;
    int d0 = fdt_path_offset(t, "/chosen/domU0");
    static const char *const order[] = { "disk0", "disk2", "rng", "console" };
    int node = fdt_first_subnode(t, d0);
    assert_true(node >= 0 && !strncmp(fdt_get_name(t, node, NULL), "module@", 7)); /* the kernel first */
    for (unsigned i = 0; i < 4; i++) {
        node = fdt_next_subnode(t, node);
        assert_true(node >= 0);
        assert_string_equal(fdt_get_name(t, node, NULL), order[i]);
    }
    int disk = fdt_path_offset(t, "/chosen/domU0/disk0");
    assert_string_equal(fdt_getprop(t, disk, "compatible", NULL), "xen-arm-minimal,virtio-blk");
    const fdt32_t *reg = fdt_getprop(t, disk, "reg", NULL);
    assert_non_null(reg);
    uint64_t at = (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1]);
    assert_int_equal(at, r.plan.disk[0][0].addr);
    assert_int_equal(fdt32_to_cpu(reg[3]), 8192);
    assert_non_null(fdt_getprop(t, disk, "read-only", NULL));
    disk = fdt_path_offset(t, "/chosen/domU0/disk2");
    assert_string_equal(fdt_getprop(t, disk, "backend-path", NULL), "/dev/vdb");
    assert_null(fdt_getprop(t, disk, "reg", NULL));
    assert_null(fdt_getprop(t, disk, "read-only", NULL));
    assert_string_equal(fdt_getprop(t, fdt_path_offset(t, "/chosen/domU0/rng"), "compatible", NULL),
                        "xen-arm-minimal,virtio-rng");
    assert_string_equal(fdt_getprop(t, fdt_path_offset(t, "/chosen/domU0/console"), "compatible", NULL),
                        "xen-arm-minimal,virtio-console");
    /* the script loads the image where the tree says, size-checked */
    char line[160];
    snprintf(line, sizeof(line), "tftpb 0x%" PRIx64 " disk.img", r.plan.disk[0][0].addr);
    assert_non_null(strstr(text.s, line));
    assert_non_null(strstr(text.s, "imagebuilder: domU0 disk 0 disk.img"));
    assert_non_null(strstr(text.s, "itest ${filesize} == 0x2000"));

    cleanup(NULL);
    const char *odd = BASE "NUM_DOMUS=2\nDOMU_KERNEL[0]=k0\nDOMU_PCI_BRIDGE[0]=default\nDOMU_DEVICE_MODEL[0]=1\n"
                           "DOMU_VIRTIO_DISK[0,1]=odd.img\nDOMU_KERNEL[1]=k1\n";
    assert_int_equal(config_parse("t.cfg", odd, strlen(odd), &raw, &err), 0);
    assert_int_equal(config_interpret("t.cfg", &raw, &cfg, &err), 0);
    assert_int_not_equal(plan_build(&r, &cfg, dir, "tftpb", &err), 0);
    if (!strstr(err.msg,
                "t.cfg:9: DOMU_VIRTIO_DISK[0,1]: odd.img is 5000 bytes: a disk image must be a whole number of "
                "4 KiB pages"))
        fail_msg("%s", err.msg);
}

/* Xen's one-number keys and vCPU affinities land as ImageBuilder writes
 * them, and the script sets them with the same words. */
static void xen_keys_in_the_tree(void **state)
{
    (void)state;
    build(BASE "NUM_DOMUS=1\nDOMU_KERNEL[0]=k0\nDOMU_VCPUS[0]=2\nDOMU_NR_SPIS[0]=64\nDOMU_GRANT_FRAMES[0]=32\n"
               "DOMU_VCPU_HARD_AFFINITY[0,0]=1\nDOMU_VCPU_HARD_AFFINITY[0,1]=\"0-1\"\n",
          "tftpb");
    const void *t = r.edited;
    int d0 = fdt_path_offset(t, "/chosen/domU0");
    const fdt32_t *v = fdt_getprop(t, d0, "nr_spis", NULL);
    assert_non_null(v);
    assert_int_equal(fdt32_to_cpu(*v), 64);
    v = fdt_getprop(t, d0, "max_grant_frames", NULL);
    assert_non_null(v);
    assert_int_equal(fdt32_to_cpu(*v), 32);
    assert_null(fdt_getprop(t, d0, "max_maptrack_frames", NULL));
    for (unsigned i = 0; i < 2; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/chosen/domU0/vcpu%u", i);
        int n = fdt_path_offset(t, path);
        assert_true(n >= 0);
        assert_string_equal(fdt_getprop(t, n, "compatible", NULL), "xen,vcpu");
        assert_int_equal(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(t, n, "id", NULL)), i);
        assert_string_equal(fdt_getprop(t, n, "hard-affinity", NULL), i ? "0-1" : "1");
    }
    /* the kernel module still first */
    assert_int_equal(strncmp(fdt_get_name(t, fdt_first_subnode(t, d0), NULL), "module@", 7), 0);
    assert_non_null(strstr(text.s, "fdt set /chosen/domU0 nr_spis <0x40>"));
    assert_non_null(strstr(text.s, "fdt set /chosen/domU0/vcpu1 hard-affinity \"0-1\""));
}

/* Static event channels and capabilities as ImageBuilder (2025) writes
 * them: evtchn@PORT { phandle; compatible "xen,evtchn-v1"; xen,evtchn =
 * <PORT &peer> } under each domain, a phandle per end above the host
 * tree's (0x11 here), in the config's order; capabilities a u32. */
static void static_evtchns_in_the_tree(void **state)
{
    (void)state;
    build(BASE "NUM_DOMUS=3\nDOMU_KERNEL[0]=k0\nDOMU_KERNEL[1]=k1\nDOMU_KERNEL[2]=k2\nDOMU_NOBOOT[1]=1\n"
               "DOMU_ENHANCED[0]=2\nDOMU_ENHANCED[2]=2\nDOMU_CAPS[0]=none\nDOMU_VCPU_HARD_AFFINITY[0,0]=1\n"
               "DOMU_STATIC_EVTCHNS[0]=\"10 2 11; 12 2 13\"\nDOMU_STATIC_EVTCHNS[2]=\"11 0 10; 13 0 12\"\n",
          "tftpb");
    const void *t = r.edited;
    static const struct {
        const char *path;
        uint32_t phandle, port, peer;
    } want[] = {
        { "/chosen/domU0/evtchn@10", 0x12, 10, 0x14 },
        { "/chosen/domU0/evtchn@12", 0x13, 12, 0x15 },
        { "/chosen/domU2/evtchn@11", 0x14, 11, 0x12 },
        { "/chosen/domU2/evtchn@13", 0x15, 13, 0x13 },
    };
    for (unsigned i = 0; i < 4; i++) {
        int node = fdt_path_offset(t, want[i].path), len;
        if (node < 0)
            fail_msg("no %s", want[i].path);
        assert_int_equal(fdt_get_phandle(t, node), want[i].phandle);
        assert_int_equal(fdt_node_offset_by_phandle(t, want[i].phandle), node);
        const char *compat = fdt_getprop(t, node, "compatible", &len);
        assert_int_equal(len, sizeof("xen,evtchn-v1"));
        assert_memory_equal(compat, "xen,evtchn-v1", len);
        const fdt32_t *v = fdt_getprop(t, node, "xen,evtchn", &len);
        assert_int_equal(len, 8);
        assert_int_equal(fdt32_to_cpu(v[0]), want[i].port);
        assert_int_equal(fdt32_to_cpu(v[1]), want[i].peer);
        char line[160];
        snprintf(line, sizeof(line), "fdt set %s xen,evtchn <0x%x 0x%x> ||", want[i].path, want[i].port, want[i].peer);
        if (!has_line(line))
            fail_msg("no '%s' in the script", line);
    }
    assert_true(has_line("fdt mknode /chosen/domU0 evtchn@10 ||"));
    assert_true(has_line("fdt set /chosen/domU0/evtchn@10 phandle <0x12> ||"));
    assert_true(has_line("fdt set /chosen/domU0/evtchn@10 compatible \"xen,evtchn-v1\" ||"));
    /* domain 0: the kernel module, the vCPU, then the channels in the config's order */
    int d0 = fdt_path_offset(t, "/chosen/domU0");
    static const char *const order[] = { "vcpu0", "evtchn@10", "evtchn@12" };
    int node = fdt_first_subnode(t, d0);
    assert_int_equal(strncmp(fdt_get_name(t, node, NULL), "module@", 7), 0);
    for (unsigned i = 0; i < 3; i++) {
        node = fdt_next_subnode(t, node);
        assert_true(node >= 0);
        assert_string_equal(fdt_get_name(t, node, NULL), order[i]);
    }
    assert_int_equal(fdt_next_subnode(t, node), -FDT_ERR_NOTFOUND);
    /* capabilities: a u32, written only where given */
    const fdt32_t *caps = fdt_getprop(t, d0, "capabilities", &node);
    assert_int_equal(node, 4);
    assert_int_equal(fdt32_to_cpu(*caps), 0);
    assert_true(has_line("fdt set /chosen/domU0 capabilities <0x0> ||"));
    assert_null(fdt_getprop(t, fdt_path_offset(t, "/chosen/domU2"), "capabilities", NULL));
    assert_null(strstr(text.s, "domU1"));

    /* a channel inside one domain; capabilities as a number */
    build(BASE "NUM_DOMUS=1\nDOMU_KERNEL[0]=k0\nDOMU_STATIC_EVTCHNS[0]=\"5 0 6; 6 0 5\"\nDOMU_CAPS[0]=\"control|4\"\n",
          "tftpb");
    assert_true(has_line("fdt set /chosen/domU0/evtchn@5 xen,evtchn <0x5 0x13> ||"));
    assert_true(has_line("fdt set /chosen/domU0/evtchn@6 xen,evtchn <0x6 0x12> ||"));
    assert_true(has_line("fdt set /chosen/domU0 capabilities <0x5> ||"));
}

static void fdtedit_and_extra(void **state)
{
    (void)state;
    build(BASE "NUM_DOMUS=1\nDOMU_KERNEL[0]=k0\nFDTEDIT=edited.dtb\nAPPEND_EXTRA_CMDS=extra.txt\nBOOT_CMD=bootm\n",
          "tftpb");
    assert_null(strstr(text.s, "fdt set"));
    assert_null(strstr(text.s, "fdt resize"));
    assert_true(has_line("tftpb 0x40a00000 edited.dtb ||")); /* after k0 and the 3 MiB hypervisor */
    char size[64];
    snprintf(size, sizeof(size), "itest ${filesize} == 0x%zx ||", r.edited_len);
    assert_true(has_line(size));
    char *extra = strstr(text.s, "echo extra one\necho extra two\n"), *boot = strstr(text.s, "bootm 0x");
    assert_non_null(extra);
    assert_non_null(boot);
    assert_true(extra < boot);
    /* no /memreserve/ entry: no fdt resize runs */
    assert_int_equal(fdt_num_mem_rsv(r.edited), 0);
}

static void missing_file_named(void **state)
{
    (void)state;
    const char *c = BASE "NUM_DOMUS=1\n\nDOMU_KERNEL[0]=nope\n";
    cleanup(NULL);
    assert_int_equal(config_parse("t.cfg", c, strlen(c), &raw, &err), 0);
    assert_int_equal(config_interpret("t.cfg", &raw, &cfg, &err), 0);
    assert_int_not_equal(plan_build(&r, &cfg, dir, "tftpb", &err), 0);
    assert_non_null(strstr(err.msg, "t.cfg:7: DOMU_KERNEL[0]: "));
    assert_non_null(strstr(err.msg, "/nope: No such file or directory"));
    /* the hypervisor must be an arm64 Image for booti */
    c = BASE "NUM_DOMUS=1\nDOMU_KERNEL[0]=k0\nXEN=rd.cpio\n";
    cleanup(NULL);
    assert_int_equal(config_parse("t.cfg", c, strlen(c), &raw, &err), 0);
    assert_int_equal(config_interpret("t.cfg", &raw, &cfg, &err), 0);
    assert_int_not_equal(plan_build(&r, &cfg, dir, "tftpb", &err), 0);
    assert_non_null(strstr(err.msg, "t.cfg:7: XEN: rd.cpio is not an arm64 Image"));
}

/* ---- issue 10: inputs inside -d, outputs inside -d and never an input ---- */

static int try_build(const char *config)
{
    cleanup(NULL);
    assert_int_equal(config_parse("t.cfg", config, strlen(config), &raw, &err), 0);
    assert_int_equal(config_interpret("t.cfg", &raw, &cfg, &err), 0);
    return plan_build(&r, &cfg, dir, "tftpb", &err);
}

static void expect_build_error(const char *config, const char *msg)
{
    assert_int_not_equal(try_build(config), 0);
    if (!strstr(err.msg, msg))
        fail_msg("config:\n%s\nerror \"%s\"\ndoes not contain \"%s\"", config, err.msg, msg);
}

static bool exists(const char *path) { return access(path, F_OK) == 0; }

static void inputs_inside_dir(void **state)
{
    (void)state;
    char outside[300], ctext[1024], link[300];
    uint8_t image[4096] = { 0 };
    make_image_header(image, 0, 0x10000);
    snprintf(outside, sizeof(outside), "%s.outside.Image", dir);
    FILE *f = fopen(outside, "wb");
    assert_non_null(f);
    fwrite(image, 1, sizeof(image), f);
    fclose(f);
    /* an absolute path outside -d */
    snprintf(ctext, sizeof(ctext), BASE "NUM_DOMUS=1\nDOMU_KERNEL[0]=%s\n", outside);
    expect_build_error(ctext, "t.cfg:6: DOMU_KERNEL[0]: ");
    assert_non_null(strstr(err.msg, "outside -d"));
    /* a symbolic link inside -d to a file outside it */
    snprintf(link, sizeof(link), "%s/escape.Image", dir);
    assert_int_equal(symlink(outside, link), 0);
    expect_build_error(BASE "NUM_DOMUS=1\nDOMU_KERNEL[0]=escape.Image\n",
                       "t.cfg:6: DOMU_KERNEL[0]: escape.Image resolves to ");
    assert_non_null(strstr(err.msg, "outside -d"));
    unlink(link);
    unlink(outside);
    /* an absolute path inside -d is loaded by its name relative to -d */
    snprintf(ctext, sizeof(ctext), BASE "NUM_DOMUS=1\nDOMU_KERNEL[0]=%s/k0\n", dir);
    if (try_build(ctext))
        fail_msg("%s", err.msg);
    assert_string_equal(r.plan.kernel[0].name, "k0");
    /* APPEND_EXTRA_CMDS too */
    snprintf(ctext, sizeof(ctext), BASE "NUM_DOMUS=1\nDOMU_KERNEL[0]=k0\nAPPEND_EXTRA_CMDS=/etc/hostname\n");
    expect_build_error(ctext, "t.cfg:7: APPEND_EXTRA_CMDS: ");
}

/* A name the script loads is never cut short: up to 127 characters it is
 * written whole, beyond that it is refused with its line. */
static void long_names_refused_not_cut(void **state)
{
    (void)state;
    char name[256], ctext[1024], line[768];
    uint8_t image[4096] = { 0 };
    make_image_header(image, 0, 0x10000);
    memset(name, 'k', 127);
    name[127] = 0;
    write_at(name, image, sizeof(image));
    snprintf(ctext, sizeof(ctext), BASE "NUM_DOMUS=1\nDOMU_KERNEL[0]=%s\n", name);
    if (try_build(ctext))
        fail_msg("%s", err.msg);
    script_text(&text_buf_dummy, &r.plan, &r.edits);
    snprintf(line, sizeof(line), "tftpb 0x40400000 %s || setenv ib_err \"loading %s at 0x40400000 failed\"\n", name,
             name);
    assert_non_null(strstr(text_buf_dummy.s, line));
    buf_free(&text_buf_dummy);
    memset(name, 'k', 200);
    name[200] = 0;
    write_at(name, image, sizeof(image));
    snprintf(ctext, sizeof(ctext), BASE "NUM_DOMUS=1\n\nDOMU_KERNEL[0]=%s\n", name);
    expect_build_error(ctext, "t.cfg:7: DOMU_KERNEL[0]: ");
    assert_non_null(strstr(err.msg, "a name of 200 characters; the script's loads take at most 127"));
}

static struct ib_outputs outs;

static int try_outputs(const char *config, const char *name, const char *dtb_out, bool qemu)
{
    outputs_free(&outs);
    if (try_build(config))
        return -1;
    return plan_outputs(&outs, &r, dir, name, dtb_out, qemu, &err);
}

static void expect_outputs_error(const char *config, const char *name, const char *dtb_out, bool qemu, const char *msg)
{
    assert_int_not_equal(try_outputs(config, name, dtb_out, qemu), 0);
    if (!strstr(err.msg, msg))
        fail_msg("config:\n%s\n-o %s -D %s: error \"%s\"\ndoes not contain \"%s\"", config, name ? name : "-",
                 dtb_out ? dtb_out : "-", err.msg, msg);
}

#define K0 BASE "NUM_DOMUS=1\nDOMU_KERNEL[0]=k0\n"

static void outputs_inside_dir(void **state)
{
    (void)state;
    char ctext[1024], path[300], link[300];
    /* the defaults, -o, and absolute names inside -d */
    assert_int_equal(try_outputs(K0, NULL, NULL, false), 0);
    assert_string_equal(outs.script_name, "boot.scr");
    snprintf(path, sizeof(path), "%s/boot.source", dir);
    assert_string_equal(outs.source, path);
    assert_int_equal(try_outputs(K0, "sub", NULL, true), 0);
    assert_string_equal(outs.script_name, "sub.scr");
    snprintf(path, sizeof(path), "%s/sub-shim.bin", dir);
    assert_string_equal(outs.shim, path);
    snprintf(path, sizeof(path), "%s/abs", dir);
    assert_int_equal(try_outputs(K0, path, NULL, false), 0);
    assert_string_equal(outs.script_name, "abs.scr");
    /* an absolute UBOOT_SOURCE outside -d */
    snprintf(path, sizeof(path), "%s.outside.source", dir);
    snprintf(ctext, sizeof(ctext), K0 "UBOOT_SOURCE=%s\n", path);
    expect_outputs_error(ctext, NULL, NULL, false, "t.cfg:7: UBOOT_SOURCE: ");
    assert_non_null(strstr(err.msg, "outputs are written only inside -d"));
    /* -o ../x, -o /elsewhere */
    expect_outputs_error(K0, "../x", NULL, false, "-o ../x: a \"..\" component");
    expect_outputs_error(K0, "/tmp/x", NULL, false, "-o NAME: /tmp/x.source is outside -d");
    /* through a symbolic link to a directory outside */
    snprintf(link, sizeof(link), "%s/out-link", dir);
    assert_int_equal(symlink("/tmp", link), 0);
    expect_outputs_error(K0, "out-link/x", NULL, false, "-o NAME: out-link/x.source is outside -d");
    unlink(link);
    /* an output that is a symbolic link is not written through */
    snprintf(link, sizeof(link), "%s/boot.scr", dir);
    assert_int_equal(symlink("/tmp/ib-nowhere", link), 0);
    expect_outputs_error(K0, NULL, NULL, false, "UBOOT_SCRIPT: boot.scr is a symbolic link");
    unlink(link);
    /* -D outside */
    expect_outputs_error(K0, NULL, "/tmp/ib-edited.dtb", false, "-D FILE: /tmp/ib-edited.dtb is outside -d");
    /* nothing of the above was written */
    assert_false(exists("/tmp/x.source"));
    snprintf(path, sizeof(path), "%s.outside.source", dir);
    assert_false(exists(path));
}

static void outputs_never_inputs(void **state)
{
    (void)state;
    char path[300];
    /* FDTEDIT = DEVICE_TREE */
    expect_build_error(K0 "FDTEDIT=host.dtb\n",
                       "t.cfg:7: FDTEDIT: host.dtb is the input DEVICE_TREE (line 3): an input is never overwritten");
    snprintf(path, sizeof(path), "FDTEDIT=%s/host.dtb\n", dir);
    char ctext[1024];
    snprintf(ctext, sizeof(ctext), K0 "%s", path);
    expect_build_error(ctext, "is the input DEVICE_TREE (line 3)");
    /* a script or source over a kernel, the hypervisor, a ramdisk */
    expect_outputs_error(K0 "UBOOT_SCRIPT=k0\n", NULL, NULL, false,
                         "t.cfg:7: UBOOT_SCRIPT: k0 is the input DOMU_KERNEL[0] (line 6)");
    expect_outputs_error(K0 "UBOOT_SOURCE=xen.Image\n", NULL, NULL, false,
                         "t.cfg:7: UBOOT_SOURCE: xen.Image is the input XEN (line 4)");
    write_at("x.source", "old", 3);
    write_at("x-shim.bin", "old", 3);
    expect_outputs_error(K0 "DOMU_RAMDISK[0]=x.source\n", "x", NULL, false,
                         "-o NAME: x.source is the input DOMU_RAMDISK[0] (line 7)");
    expect_outputs_error(K0 "DOMU_RAMDISK[0]=x-shim.bin\n", "x", NULL, true, "-Q: ");
    assert_non_null(strstr(err.msg, "is the input DOMU_RAMDISK[0] (line 7)"));
    snprintf(path, sizeof(path), "%s/host.dtb", dir);
    expect_outputs_error(K0, NULL, path, false, "-D FILE: ");
    assert_non_null(strstr(err.msg, "is the input DEVICE_TREE (line 3)"));
    /* two outputs on one file */
    expect_outputs_error(K0 "UBOOT_SOURCE=b\nUBOOT_SCRIPT=b\n", NULL, NULL, false,
                         "UBOOT_SOURCE and UBOOT_SCRIPT both name");
    snprintf(path, sizeof(path), "%s/e.dtb", dir); /* -D is relative to the current directory */
    expect_outputs_error(K0 "FDTEDIT=e.dtb\n", NULL, path, false, "FDTEDIT and -D FILE both name");
}

static int cleanup_outputs(void **state)
{
    outputs_free(&outs);
    return cleanup(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(resize_one_domain, cleanup),
        cmocka_unit_test_teardown(resize_sixteen_domains, cleanup),
        cmocka_unit_test_teardown(escaping_and_guards, cleanup),
        cmocka_unit_test_teardown(phandles_and_links, cleanup),
        cmocka_unit_test_teardown(virtio_devices, cleanup),
        cmocka_unit_test_teardown(xen_keys_in_the_tree, cleanup),
        cmocka_unit_test_teardown(static_evtchns_in_the_tree, cleanup),
        cmocka_unit_test_teardown(fdtedit_and_extra, cleanup),
        cmocka_unit_test_teardown(missing_file_named, cleanup),
        cmocka_unit_test_teardown(inputs_inside_dir, cleanup),
        cmocka_unit_test_teardown(long_names_refused_not_cut, cleanup),
        cmocka_unit_test_teardown(outputs_inside_dir, cleanup_outputs),
        cmocka_unit_test_teardown(outputs_never_inputs, cleanup_outputs),
    };
    return cmocka_run_group_tests_name("script", tests, make_files, remove_files);
}
