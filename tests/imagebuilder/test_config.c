/* imagebuilder's config reader: every key, bash quoting, arrays, comments,
 * and errors that name the file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

static struct ib_raw raw;
static struct ib_config cfg;
static struct ib_error err;

static int load(const char *text)
{
    config_free(&cfg);
    config_raw_free(&raw);
    memset(&err, 0, sizeof(err));
    int rc = config_parse("t.cfg", text, strlen(text), &raw, &err);
    return rc ? rc : config_interpret("t.cfg", &raw, &cfg, &err);
}

static int teardown(void **state)
{
    (void)state;
    config_free(&cfg);
    config_raw_free(&raw);
    return 0;
}

#define BASE "MEMORY_START=0x40000000\nMEMORY_END=0xc0000000\nDEVICE_TREE=host.dtb\nXEN=xen.Image\n"
#define ONE BASE "NUM_DOMUS=1\nDOMU_KERNEL[0]=k0\n"

static void defaults(void **state)
{
    (void)state;
    assert_int_equal(load(ONE), 0);
    assert_int_equal(cfg.mem_start, 0x40000000);
    assert_int_equal(cfg.mem_end, 0xc0000000);
    assert_null(cfg.load_cmd);
    assert_int_equal(cfg.boot_cmd, BOOT_BOOTI);
    assert_int_equal(cfg.ndomus, 1);
    const struct ib_domain *d = &cfg.dom[0];
    assert_true(d->boot);
    assert_string_equal(d->kernel, "k0");
    assert_null(d->ramdisk);
    assert_int_equal(d->mem_kib, 512 * 1024); /* 512 MiB, written in KiB */
    assert_int_equal(d->vcpus, 1);
    assert_true(d->vpl011);
    assert_string_equal(d->cmd, "console=ttyAMA0");
    assert_int_equal(d->enhanced, 0);
    assert_int_equal(d->nr_static, 0);
    assert_false(d->direct_map);
    assert_int_equal(d->cpupool, -1);
    assert_int_equal(d->bridge, BRIDGE_NONE);
    assert_int_equal(d->device_model, -1);
    assert_false(d->hold);
}

static void every_key(void **state)
{
    (void)state;
    const char *text =
        BASE "LOAD_CMD=\"load mmc 0:1\"\nBOOT_CMD=bootm\nXEN_CMD=\"loglvl=all dtuart=serial0\"\n"
             "UBOOT_SOURCE=u.source\nUBOOT_SCRIPT=u.scr\nFDTEDIT=edited.dtb\nAPPEND_EXTRA_CMDS=extra.txt\n"
             "NUM_DOMUS=3\nNUM_CPUPOOLS=2\nCPUPOOL[0]=\"cpu@1,cpu@2 null\"\nCPUPOOL[1]=cpu@3\n"
             "DOMU_KERNEL[0]=dir/k0\nDOMU_RAMDISK[0]=r0.cpio.gz\nDOMU_PASSTHROUGH_DTB[0]=p0.dtb\n"
             "DOMU_MEM[0]=64\nDOMU_VCPUS[0]=2\nDOMU_CMD[0]=\"console=ttyAMA0 rdinit=/init\"\n"
             "DOMU_ENHANCED[0]=1\nDOMU_CPUPOOL[0]=1\nDOMU_PCI_BRIDGE[0]=default\nDOMU_DEVICE_MODEL[0]=1\n"
             "DOMU_DEVICE_MODEL_HOLD[0]=1\n"
             "DOMU_KERNEL[1]=k1\nDOMU_STATIC_MEM[1]=\"0x60000000 0x800000 0x61000000 0x800000\"\n"
             "DOMU_VPL011[1]=0\nDOMU_ENHANCED[1]=2\n"
             "DOMU_KERNEL[2]=k2\nDOMU_NOBOOT[2]=1\n";
    assert_int_equal(load(text), 0);
    assert_string_equal(cfg.load_cmd, "load mmc 0:1");
    assert_int_equal(cfg.boot_cmd, BOOT_BOOTM);
    assert_string_equal(cfg.xen_cmd, "loglvl=all dtuart=serial0");
    assert_string_equal(cfg.uboot_source, "u.source");
    assert_string_equal(cfg.uboot_script, "u.scr");
    assert_string_equal(cfg.fdtedit, "edited.dtb");
    assert_string_equal(cfg.append_extra_cmds, "extra.txt");
    assert_int_equal(cfg.ncpupools, 2);
    assert_int_equal(cfg.pool[0].ncpus, 2);
    assert_string_equal(cfg.pool[0].cpus[1], "cpu@2");
    assert_string_equal(cfg.pool[0].sched, "null");
    assert_null(cfg.pool[1].sched);
    const struct ib_domain *d = &cfg.dom[0];
    assert_string_equal(d->kernel, "dir/k0");
    assert_string_equal(d->ramdisk, "r0.cpio.gz");
    assert_string_equal(d->passthrough, "p0.dtb");
    assert_int_equal(d->mem_kib, 64 * 1024);
    assert_int_equal(d->vcpus, 2);
    assert_string_equal(d->cmd, "console=ttyAMA0 rdinit=/init");
    assert_int_equal(d->enhanced, 1);
    assert_int_equal(d->cpupool, 1);
    assert_int_equal(d->bridge, BRIDGE_DEFAULT);
    assert_int_equal(d->device_model, 1);
    assert_true(d->hold);
    d = &cfg.dom[1];
    assert_int_equal(d->nr_static, 2);
    assert_int_equal(d->static_mem[2], 0x61000000);
    assert_int_equal(d->mem_kib, 0x1000000 / 1024); /* the static regions' total */
    assert_true(d->direct_map); /* the default with static memory */
    assert_false(d->vpl011);
    assert_null(d->cmd); /* no console=ttyAMA0 without a vPL011 */
    assert_int_equal(d->enhanced, 2);
    assert_false(cfg.dom[2].boot);
}

static void quoting(void **state)
{
    (void)state;
    const char *text = "# a comment\n\n   # an indented one\n" BASE "NUM_DOMUS=1 DOMU_KERNEL[0]=k0   # trailing\n"
                       "DOMU_CMD[0]=a'b c'\"d \\\"e\\\\ \\$ \\` f#g\"h\\ i\n"
                       "XEN_CMD='multi\nline'\n"
                       "DOMU_MEM[0]=1\\\n6\n";
    /* parsed only: the value holds characters a U-Boot script refuses */
    config_raw_free(&raw);
    assert_int_equal(config_parse("t.cfg", text, strlen(text), &raw, &err), 0);
    assert_int_equal(config_interpret("t.cfg", &raw, &cfg, &err), -1);
    assert_string_equal(raw.domu[0].cmd.str, "ab cd \"e\\ $ ` f#gh i");
    assert_int_equal(raw.domu[0].cmd.line, 9);
    assert_string_equal(raw.xen_cmd.str, "multi\nline");
    assert_string_equal(raw.domu[0].mem.str, "16");
    assert_string_equal(raw.domu[0].kernel.str, "k0");
    assert_int_equal(raw.domu[0].kernel.line, 8);
    /* the last assignment wins, as in bash */
    assert_int_equal(load(ONE "DOMU_VCPUS[0]=2\nDOMU_VCPUS[0]=3\n"), 0);
    assert_int_equal(cfg.dom[0].vcpus, 3);
    /* bash arithmetic bases: 0x hex, leading 0 octal */
    assert_int_equal(load(ONE "DOMU_MEM[0]=010\nDOMU_VCPUS[0]=0x2\n"), 0);
    assert_int_equal(cfg.dom[0].mem_kib, 8 * 1024);
    assert_int_equal(cfg.dom[0].vcpus, 2);
    /* empty is unset (ImageBuilder's test -z) */
    assert_int_equal(load(ONE "DOMU_MEM[0]=\nDOMU_CMD[0]=\"\"\n"), 0);
    assert_int_equal(cfg.dom[0].mem_kib, 512 * 1024);
    assert_string_equal(cfg.dom[0].cmd, "console=ttyAMA0");
}

static void arrays(void **state)
{
    (void)state;
    char text[16384] = BASE "NUM_DOMUS=64\n";
    for (unsigned i = 0; i < 64; i++)
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "DOMU_KERNEL[%u]=k%u\nDOMU_MEM[%u]=%u\n", i, i, i,
                 i + 1);
    assert_int_equal(load(text), 0);
    assert_int_equal(cfg.ndomus, 64);
    assert_string_equal(cfg.dom[63].kernel, "k63");
    assert_int_equal(cfg.dom[40].mem_kib, 41 * 1024);
}

static void expect_error(const char *text, const char *msg)
{
    assert_int_not_equal(load(text), 0);
    if (!strstr(err.msg, msg))
        fail_msg("config:\n%s\nerror \"%s\"\ndoes not contain \"%s\"", text, err.msg, msg);
}

static void errors_name_the_line(void **state)
{
    (void)state;
    expect_error(ONE "FOO=1\n", "t.cfg:7: FOO: unknown key");
    expect_error(ONE "DOMU_COLORS[0]=\"0-3\"\n",
                 "t.cfg:7: DOMU_COLORS: an ImageBuilder key that this imagebuilder does not support");
    expect_error(ONE "DOMU_CMD[0]=$HOME\n", "t.cfg:7: '$': shell expansion is not supported");
    expect_error(ONE "DOMU_CMD[0]=\"x $(ls)\"\n", "t.cfg:7: '$'");
    expect_error(ONE "DOMU_CMD[0]=`ls`\n", "t.cfg:7: '`'");
    expect_error(ONE "DOMU_CMD[0]=a;b\n", "t.cfg:7: ';': only NAME=value");
    expect_error(ONE "DOMU_CMD[0]=a|b\n", "t.cfg:7: '|'");
    expect_error(ONE "export DOMU_CMD\n", "t.cfg:7: 'export': not supported");
    expect_error(ONE "echo hi\n", "t.cfg:7: 'echo' is not an assignment");
    expect_error(ONE "XEN_CMD+=x\n", "t.cfg:7: XEN_CMD+=: appending is not supported");
    expect_error(ONE "DOMU_KERNEL=(a b)\n", "t.cfg:7: DOMU_KERNEL=(...): array lists are not supported");
    expect_error(ONE "\nDOMU_CMD[0]=\"abc\n\n", "t.cfg:8: unterminated double quote");
    expect_error(ONE "DOMU_CMD[0]='abc\n", "t.cfg:7: unterminated single quote");
    expect_error(ONE "DOMU_MEM=5\n", "t.cfg:7: DOMU_MEM needs an index");
    expect_error(ONE "XEN[0]=x\n", "t.cfg:7: XEN is not an array");
    expect_error(ONE "DOMU_MEM[x]=5\n", "t.cfg:7: DOMU_MEM[...]: the index must be a plain number");
    expect_error(ONE "DOMU_MEM[64]=5\n", "t.cfg:7: DOMU_MEM[64]: the index must be below 64");
    expect_error(ONE "DOMU_MEM[0]=lots\n", "t.cfg:7: DOMU_MEM[0]: 'lots' is not a number");
    expect_error(ONE "DOMU_VCPUS[0]=0\n", "t.cfg:7: DOMU_VCPUS[0]: 0 vCPUs");
    expect_error(ONE "DOMU_VPL011[0]=2\n", "t.cfg:7: DOMU_VPL011[0]: '2' must be 0 or 1");
    expect_error(ONE "DOMU_ENHANCED[0]=3\n",
                 "t.cfg:7: DOMU_ENHANCED[0]: '3' must be 0, 1 (enabled) or 2 (no-xenstore)");
    expect_error(ONE "DOMU_DIRECT_MAP[0]=1\n", "t.cfg:7: DOMU_DIRECT_MAP[0]=1 needs DOMU_STATIC_MEM[0]");
    expect_error(ONE "DOMU_STATIC_MEM[0]=\"0x60000000\"\n", "t.cfg:7: DOMU_STATIC_MEM[0]: expected \"base size");
    expect_error(ONE "DOMU_STATIC_MEM[0]=\"0x60000000 0x800000\"\nDOMU_MEM[0]=16\n",
                 "t.cfg:8: DOMU_MEM[0] is 16 MiB but DOMU_STATIC_MEM[0] adds up to 0x800000 bytes");
    expect_error(ONE "DOMU_CPUPOOL[0]=0\n", "t.cfg:7: DOMU_CPUPOOL[0]=0: there is no such pool (NUM_CPUPOOLS is 0)");
    expect_error(ONE "NUM_CPUPOOLS=1\n", "t.cfg: CPUPOOL[0] is missing");
    expect_error(ONE "NUM_CPUPOOLS=2\nCPUPOOL[0]=cpu@1\nCPUPOOL[1]=\"cpu@2,cpu@1\"\n",
                 "t.cfg:9: CPUPOOL[1]: cpu@1 is already in CPUPOOL[0]");
    expect_error(ONE "NUM_CPUPOOLS=1\nCPUPOOL[0]=\"cpu@1 null extra\"\n", "t.cfg:8: CPUPOOL[0]: expected");
    expect_error(ONE "DOMU_PCI_BRIDGE[0]=\"1 2 3\"\n",
                 "t.cfg:7: DOMU_PCI_BRIDGE[0]: expected \"default\" or 9 numbers");
    expect_error(ONE "DOMU_PCI_BRIDGE[0]=\"1 2 3 4 5 6 0x100000000 1 0\"\n", "t.cfg:7: DOMU_PCI_BRIDGE[0]: irq_start");
    expect_error(ONE "DOMU_PCI_BRIDGE[0]=default\nDOMU_DEVICE_MODEL[0]=0\n",
                 "t.cfg:8: DOMU_DEVICE_MODEL[0]=0: a domain cannot be its own device model");
    expect_error(ONE "DOMU_DEVICE_MODEL[0]=1\n", "t.cfg:7: DOMU_DEVICE_MODEL[0]=1: there is no such domain");
    expect_error(BASE "NUM_DOMUS=2\nDOMU_KERNEL[0]=k0\nDOMU_KERNEL[1]=k1\nDOMU_DEVICE_MODEL[0]=1\n",
                 "t.cfg:8: DOMU_DEVICE_MODEL[0]: the device model serves a PCI bridge: set DOMU_PCI_BRIDGE[0] too");
    expect_error(BASE
                 "NUM_DOMUS=2\nDOMU_KERNEL[0]=k0\nDOMU_KERNEL[1]=k1\nDOMU_NOBOOT[1]=1\nDOMU_PCI_BRIDGE[0]=default\n"
                 "DOMU_DEVICE_MODEL[0]=1\n",
                 "t.cfg:10: DOMU_DEVICE_MODEL[0]=1: domain 1 is not booted");
    expect_error(ONE "DOMU_DEVICE_MODEL_HOLD[0]=1\n",
                 "t.cfg:7: DOMU_DEVICE_MODEL_HOLD[0]=1 needs DOMU_DEVICE_MODEL[0]");
    expect_error(ONE "DOMU_NOBOOT[0]=0\n", "t.cfg:7: DOMU_NOBOOT[0]=0: ImageBuilder takes any value as");
    expect_error(ONE "DOMU_NOBOOT[0]=1\n", "t.cfg:5: every domain has DOMU_NOBOOT");
    expect_error(ONE "DOMU_CMD[0]=\"say \\\"hi\\\"\"\n",
                 "t.cfg:7: DOMU_CMD[0]: the character '\"' cannot be passed through a U-Boot script");
    expect_error(ONE "DOMU_CMD[0]=\"it's\"\n", "t.cfg:7: DOMU_CMD[0]: the character \"'\"");
    expect_error(ONE "DOMU_RAMDISK[0]=\"my file\"\n",
                 "t.cfg:7: DOMU_RAMDISK[0]: 'my file': a path the U-Boot script loads may hold only");
    expect_error(ONE "BOOT_CMD=bootefi\n", "t.cfg:7: BOOT_CMD=bootefi: not supported");
    expect_error(ONE "BOOT_CMD=go\n", "t.cfg:7: BOOT_CMD: 'go' must be booti, bootm or none");
    expect_error(BASE "NUM_DOMUS=0\n", "t.cfg:5: NUM_DOMUS: 0: must be 1 to 64");
    expect_error(BASE "NUM_DOMUS=1\n", "t.cfg: DOMU_KERNEL[0] is missing");
    expect_error("XEN=x\n", "t.cfg: MEMORY_START and MEMORY_END must be set");
    expect_error(ONE "MEMORY_END=0x40000000\n", "t.cfg:7: MEMORY_END (0x40000000) must be above MEMORY_START");
    expect_error(ONE "1X=2\n", "t.cfg:7: expected NAME=value, found '1'");
}

static void dom0_refused(void **state)
{
    (void)state;
    expect_error(ONE "\nDOM0_KERNEL=Image\n",
                 "t.cfg:8: DOM0_KERNEL: this config describes a dom0; xen-arm-minimal boots dom0less only");
    expect_error("DOM0_MEM=1024\n" ONE, "t.cfg:1: DOM0_MEM: this config describes a dom0");
}

static void bridge_values(void **state)
{
    (void)state;
    assert_int_equal(load(ONE "DOMU_PCI_BRIDGE[0]=\"\"\n"), 0);
    assert_int_equal(cfg.dom[0].bridge, BRIDGE_DEFAULT); /* present but empty: the default layout */
    assert_int_equal(load(ONE "DOMU_PCI_BRIDGE[0]=\"0x1_0\"\n"), -1);
    assert_int_equal(
        load(ONE "DOMU_PCI_BRIDGE[0]=\"0x60000000 0x200000 0x70000000 0x1000000 0x100000000 0x4000000 40 2 1\"\n"), 0);
    assert_int_equal(cfg.dom[0].bridge, BRIDGE_EXPLICIT);
    assert_int_equal(cfg.dom[0].bridge_v[4], 0x100000000ULL);
    assert_int_equal(cfg.dom[0].bridge_v[6], 40);
    assert_int_equal(cfg.dom[0].bridge_v[8], 1);
}

static void load_cmd_shorthands(void **state)
{
    (void)state;
    assert_string_equal(config_load_cmd("tftp"), "tftpb");
    assert_string_equal(config_load_cmd("sd"), "load mmc 0:1");
    assert_string_equal(config_load_cmd("scsi"), "load scsi 0:1");
    assert_string_equal(config_load_cmd("usb"), "load usb 0:1");
    assert_string_equal(config_load_cmd("virtio"), "load virtio 0:1");
    assert_string_equal(config_load_cmd("load mmc 1:2"), "load mmc 1:2");
    assert_int_equal(load(ONE "LOAD_CMD=tftp\n"), 0);
    assert_string_equal(cfg.load_cmd, "tftpb");
}

/* Issue 10: a load command is copied into every load line; nothing in it
 * may change the script's structure. Refused with its line. */
static void load_cmd_cannot_change_the_script(void **state)
{
    (void)state;
    static const char *const evil[] = { "tftpb;reset", "tftpb # x",  "tftpb \\\"x\\\"", "tftpb && reset", "tftpb\\$x",
                                        "tftpb 'x'",   "tftpb\\\\x", "tftpb|x",         "tftpb\\`x\\`" };
    char text[256];
    for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
        snprintf(text, sizeof(text), ONE "\nLOAD_CMD=\"%s\"\n", evil[i]);
        if (!load(text))
            fail_msg("LOAD_CMD=\"%s\" accepted", evil[i]);
        /* the lexer refuses some of these first (';' outside quotes, $): either way with the line */
        if (!strstr(err.msg, "t.cfg:8: ") && !strstr(err.msg, "t.cfg:8:"))
            fail_msg("LOAD_CMD=\"%s\": \"%s\" does not name line 8", evil[i], err.msg);
    }
    expect_error(ONE "LOAD_CMD=\"tftpb;reset\"\n", "t.cfg:7: LOAD_CMD: ';' refused: a load command may hold only");
    expect_error(ONE "LOAD_CMD=\"tftpb #x\"\n", "t.cfg:7: LOAD_CMD: '#' refused");
    expect_error(ONE "LOAD_CMD=\"tftpb\nreset\"\n", "t.cfg:7: LOAD_CMD: the control character 0x0a refused");
    expect_error(ONE "LOAD_CMD='tftpb \"x'\n", "t.cfg:7: LOAD_CMD: '\"' refused");
    expect_error(ONE "LOAD_CMD=' '\n", "t.cfg:7: LOAD_CMD: the load command is empty");
    char ch;
    assert_null(config_bad_load_cmd("load mmc 0:1", &ch));
    assert_null(config_bad_load_cmd("ext4load usb 1:2", &ch));
    assert_non_null(config_bad_load_cmd("tftpb;reset", &ch));
    assert_int_equal(ch, ';');
    assert_non_null(config_bad_load_cmd("tftpb\rx", &ch));
    assert_int_equal(ch, '\r');
    assert_non_null(config_bad_load_cmd("", &ch));
}

/* Issue 10: every path stays inside -d, and nothing long is cut short. */
static void paths_stay_inside(void **state)
{
    (void)state;
    expect_error(ONE "DOMU_KERNEL[0]=../k0\n", "t.cfg:7: DOMU_KERNEL[0]: '../k0': a \"..\" component");
    expect_error(ONE "DOMU_RAMDISK[0]=a/../../rd\n", "t.cfg:7: DOMU_RAMDISK[0]: 'a/../../rd': a \"..\" component");
    expect_error(ONE "UBOOT_SCRIPT=../boot.scr\n", "t.cfg:7: UBOOT_SCRIPT: '../boot.scr': a \"..\" component");
    expect_error(ONE "UBOOT_SOURCE=x/..\n", "t.cfg:7: UBOOT_SOURCE: 'x/..': a \"..\" component");
    expect_error(ONE "FDTEDIT=../edited.dtb\n", "t.cfg:7: FDTEDIT: '../edited.dtb': a \"..\" component");
    expect_error(ONE "APPEND_EXTRA_CMDS=../x\n", "t.cfg:7: APPEND_EXTRA_CMDS: '../x': a \"..\" component");
    /* names that only look like it are fine */
    assert_int_equal(load(ONE "DOMU_RAMDISK[0]=a..b/..c/d..\n"), 0);
    static char text[4096];
    char name[1500];
    memset(name, 'a', 1450);
    name[1450] = 0;
    snprintf(text, sizeof(text), ONE "\nDOMU_KERNEL[0]=%s\n", name);
    expect_error(text, "t.cfg:8: DOMU_KERNEL[0]: a path of 1450 characters: at most 1024");
    assert_true(config_has_dotdot(".."));
    assert_true(config_has_dotdot("/a/../b"));
    assert_false(config_has_dotdot("a..b"));
    assert_false(config_has_dotdot("..."));
}

/* Virtio devices (ours): disks by [n,k] (a file loaded as a disk module,
 * or a path in the device model's domain), rng, console; each needs the
 * domain's bridge and device model. */
#define SERVED                                                                                                         \
    BASE "NUM_DOMUS=2\nDOMU_KERNEL[0]=k0\nDOMU_KERNEL[1]=k1\nDOMU_PCI_BRIDGE[0]=default\nDOMU_DEVICE_MODEL[0]=1\n"
static void virtio_keys(void **state)
{
    (void)state;
    assert_int_equal(load(SERVED
                          "DOMU_VIRTIO_DISK[0,3]=disk.img\nDOMU_VIRTIO_DISK_RO[0,3]=1\n"
                          "DOMU_VIRTIO_DISK_PATH[0,1]=/dev/sda\nDOMU_VIRTIO_RNG[0]=1\nDOMU_VIRTIO_CONSOLE[0]=1\n"),
                     0);
    const struct ib_domain *d = &cfg.dom[0];
    assert_int_equal(d->ndisks, 2);
    assert_int_equal(d->disk[0].k, 1);
    assert_string_equal(d->disk[0].path, "/dev/sda");
    assert_null(d->disk[0].file);
    assert_false(d->disk[0].ro);
    assert_int_equal(d->disk[1].k, 3);
    assert_string_equal(d->disk[1].file, "disk.img");
    assert_int_equal(d->disk[1].line, 10);
    assert_true(d->disk[1].ro);
    assert_true(d->virtio_rng && d->virtio_console);
    assert_int_equal(cfg.dom[1].ndisks, 0);
    assert_false(cfg.dom[1].virtio_rng || cfg.dom[1].virtio_console);

    expect_error(SERVED "DOMU_VIRTIO_DISK[0,0]=a.img\nDOMU_VIRTIO_DISK_PATH[0,0]=/dev/sda\n",
                 "t.cfg:11: DOMU_VIRTIO_DISK[0,0] and DOMU_VIRTIO_DISK_PATH[0,0] both given: a disk is a file loaded "
                 "as a module or a path in the device model's domain, not both");
    expect_error(SERVED "DOMU_VIRTIO_DISK_RO[0,2]=1\n",
                 "t.cfg:10: DOMU_VIRTIO_DISK_RO[0,2] needs DOMU_VIRTIO_DISK[0,2] or DOMU_VIRTIO_DISK_PATH[0,2]");
    expect_error(SERVED "DOMU_VIRTIO_DISK_RO[0,0]=yes\nDOMU_VIRTIO_DISK[0,0]=a.img\n",
                 "t.cfg:10: DOMU_VIRTIO_DISK_RO[0,0]: 'yes' must be 0 or 1");
    expect_error(SERVED "DOMU_VIRTIO_DISK[1,0]=a.img\n",
                 "t.cfg:10: domain 1's virtio devices are served by a device model: set DOMU_PCI_BRIDGE[1] and "
                 "DOMU_DEVICE_MODEL[1] too");
    expect_error(SERVED "DOMU_VIRTIO_RNG[1]=1\n", "t.cfg:10: domain 1's virtio devices are served by a device model");
    expect_error(SERVED "DOMU_VIRTIO_DISK[0]=a.img\n",
                 "t.cfg:10: DOMU_VIRTIO_DISK needs two indexes: write DOMU_VIRTIO_DISK[n,k]=value (domain n, disk k)");
    expect_error(SERVED "DOMU_VIRTIO_RNG[0,1]=1\n",
                 "t.cfg:10: DOMU_VIRTIO_RNG takes one index: write DOMU_VIRTIO_RNG[n]=value");
    expect_error(SERVED "DOMU_VIRTIO_DISK[0,8]=a.img\n",
                 "t.cfg:10: DOMU_VIRTIO_DISK[0,8]: the disk index must be below 8");
    expect_error(SERVED "DOMU_VIRTIO_DISK[0,]=a.img\n", "t.cfg:10: DOMU_VIRTIO_DISK[...]: the index must be a plain");
    expect_error(SERVED "DOMU_VIRTIO_DISK[0,0]=../a.img\n",
                 "t.cfg:10: DOMU_VIRTIO_DISK[0,0]: '../a.img': a \"..\" component");
    expect_error(SERVED "DOMU_VIRTIO_DISK_PATH[0,0]='/dev/$x'\n",
                 "t.cfg:10: DOMU_VIRTIO_DISK_PATH[0,0]: the character '$' cannot be passed through a U-Boot script");
}

/* Xen's CI configs set domains past NUM_DOMUS: skipped as ImageBuilder
 * skips them, each named in a warning. */
static void beyond_num_domus_warned(void **state)
{
    (void)state;
    assert_int_equal(load(ONE "DOMU_MEM[3]=5\nDOMU_KERNEL[1]=k1\nCPUPOOL[0]=cpu@1\nDOMU_VIRTIO_DISK[2,0]=a.img\n"), 0);
    assert_int_equal(cfg.ndomus, 1);
    assert_int_equal(cfg.nwarnings, 4);
    static const char *const want[] = {
        "t.cfg:8: DOMU_KERNEL[1] ignored: NUM_DOMUS is 1",
        "t.cfg:7: DOMU_MEM[3] ignored: NUM_DOMUS is 1",
        "t.cfg:10: DOMU_VIRTIO_DISK[2,0] ignored: NUM_DOMUS is 1",
        "t.cfg:9: CPUPOOL[0] ignored: NUM_CPUPOOLS is 0",
    };
    for (unsigned i = 0; i < 4; i++) {
        bool found = false;
        for (unsigned j = 0; j < cfg.nwarnings; j++)
            found |= !strcmp(cfg.warning[j], want[i]);
        if (!found)
            fail_msg("no warning '%s' (first: '%s')", want[i], cfg.warning[0]);
    }
}

/* ImageBuilder's one-number keys and vCPU affinities, as it writes them;
 * the values are the builder's to judge (the dry run). */
static void xen_keys(void **state)
{
    (void)state;
    assert_int_equal(load(ONE "DOMU_VCPUS[0]=2\nDOMU_NR_SPIS[0]=64\nDOMU_GRANT_VER[0]=1\nDOMU_GRANT_FRAMES[0]=32\n"
                              "DOMU_MAPTRACK_FRAMES[0]=0x10\nDOMU_TRAP_UNMAP[0]=1\nDOMU_P2M_MEM_MB[0]=2\n"
                              "DOMU_VCPU_HARD_AFFINITY[0,1]=\"0-1,3\"\n"),
                     0);
    const struct ib_domain *d = &cfg.dom[0];
    static const uint32_t want[IB_XEN_U32] = { 64, 1, 32, 16, 1, 2 };
    for (unsigned i = 0; i < IB_XEN_U32; i++) {
        assert_true(d->has_xen_u32[i]);
        assert_int_equal(d->xen_u32[i], want[i]);
    }
    assert_string_equal(ib_xen_u32[0].prop, "nr_spis");
    assert_null(d->affinity[0]);
    assert_string_equal(d->affinity[1], "0-1,3");
    expect_error(ONE "DOMU_NR_SPIS[0]=0x100000000\n", "t.cfg:7: DOMU_NR_SPIS[0]: 0x100000000: a 32-bit value");
    /* Xen's CI's static heap and shared memory */
    assert_int_equal(load(ONE "XEN_STATIC_HEAP=\"0x50000000 0x30000000\"\n"
                              "DOMU_SHARED_MEM[0]=\"my-shared-mem-0 0x50000000 0x4000000 0x10000000\"\n"),
                     0);
    assert_int_equal(cfg.nr_heap, 1);
    assert_int_equal(cfg.heap[0], 0x50000000);
    assert_int_equal(cfg.heap[1], 0x30000000);
    assert_string_equal(cfg.dom[0].shm_id, "my-shared-mem-0");
    assert_int_equal(cfg.dom[0].shm[0], 0x50000000);
    assert_int_equal(cfg.dom[0].shm[1], 0x4000000);
    assert_int_equal(cfg.dom[0].shm[2], 0x10000000);
    expect_error(ONE "XEN_STATIC_HEAP=0x50000000\n", "t.cfg:7: XEN_STATIC_HEAP: expected \"base size [base size]...\"");
    expect_error(ONE "DOMU_SHARED_MEM[0]=\"id 0x50000000 0x4000000\"\n",
                 "t.cfg:7: DOMU_SHARED_MEM[0]: expected \"ID HOST-ADDRESS GUEST-ADDRESS SIZE\"");
    expect_error(ONE "DOMU_VCPU_HARD_AFFINITY[0,1]=0\n",
                 "t.cfg:7: DOMU_VCPU_HARD_AFFINITY[0,1]: the domain has 1 vCPU(s) (DOMU_VCPUS[0])");
    expect_error(ONE "DOMU_VCPU_HARD_AFFINITY[0,0]=\"0;reset\"\n",
                 "t.cfg:7: DOMU_VCPU_HARD_AFFINITY[0,0]: '0;reset': expected CPU numbers and ranges");
    expect_error(ONE "DOMU_VCPU_HARD_AFFINITY[0]=0\n",
                 "t.cfg:7: DOMU_VCPU_HARD_AFFINITY needs two indexes: write DOMU_VCPU_HARD_AFFINITY[n,v]=value");
    expect_error(ONE "DOMU_VCPU_HARD_AFFINITY[0,128]=0\n",
                 "t.cfg:7: DOMU_VCPU_HARD_AFFINITY[0,128]: the vCPU index must be below 128");
}

/* DOMU_CAPS as ImageBuilder's parse_domain_caps reads it; the values are
 * the builder's to judge (0 only: the dry run says so in its words) */
static void caps(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        uint32_t caps;
    } ok[] = {
        { "none", 0 },
        { "0", 0 },
        { "control", 1 },
        { "\"hardware|xenstore\"", 6 },
        { "'Control|XENSTORE'", 5 },
        { "dom0", 7 },
        { "domain0", 7 },
        { "\"none|0x10\"", 16 },
        { "\"control | hardware\"", 3 },
    };
    for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), ONE "DOMU_CAPS[0]=%s\n", ok[i].value);
        if (load(text))
            fail_msg("DOMU_CAPS[0]=%s: %s", ok[i].value, err.msg);
        assert_true(cfg.dom[0].has_caps);
        assert_int_equal(cfg.dom[0].caps, ok[i].caps);
    }
    assert_int_equal(load(ONE), 0);
    assert_false(cfg.dom[0].has_caps);
    expect_error(ONE "DOMU_CAPS[0]=\"control|root\"\n",
                 "t.cfg:7: DOMU_CAPS[0]: 'root': expected control, hardware, xenstore, dom0, none or a number (bit 0 "
                 "control, 1 hardware, 2 xenstore), joined by '|'");
    expect_error(ONE "DOMU_CAPS[0]=0x100000000\n", "t.cfg:7: DOMU_CAPS[0]: 0x100000000: a 32-bit value");
    expect_error(ONE "DOMU_CAPS[0]=control|hardware\n", "t.cfg:7: '|': only NAME=value"); /* unquoted, as in bash */
}

#define TWO BASE "NUM_DOMUS=2\nDOMU_KERNEL[0]=k0\nDOMU_KERNEL[1]=k1\n"

/* DOMU_STATIC_EVTCHNS as ImageBuilder (2025) reads it: "local_port
 * remote_dom_idx remote_port; ...", each end given by its own domain */
static void static_evtchns(void **state)
{
    (void)state;
    assert_int_equal(load(TWO "DOMU_STATIC_EVTCHNS[0]=\"10 1 11; 12 1 13\"\n"
                              "DOMU_STATIC_EVTCHNS[1]=\" 11 0 10;13 0 014 ;\"\n"),
                     0);
    const struct ib_domain *d0 = &cfg.dom[0], *d1 = &cfg.dom[1];
    assert_int_equal(d0->nevtchn, 2);
    assert_int_equal(d1->nevtchn, 2);
    assert_int_equal(d0->evtchn[1].port, 12);
    assert_int_equal(d0->evtchn[1].rdom, 1);
    assert_int_equal(d0->evtchn[1].rport, 13);
    assert_int_equal(d0->evtchn[1].peer, 1); /* "13 0 014": octal, as bash */
    assert_int_equal(d1->evtchn[0].peer, 0);
    assert_int_equal(d1->evtchn[1].rport, 12);
    /* a channel inside one domain, the ends in either order */
    assert_int_equal(load(ONE "DOMU_STATIC_EVTCHNS[0]=\"5 0 6; 6 0 5\"\n"), 0);
    assert_int_equal(cfg.dom[0].evtchn[0].peer, 1);
    assert_int_equal(cfg.dom[0].evtchn[1].peer, 0);
    /* the definitions past NUM_DOMUS ignored, as every other key */
    assert_int_equal(load(ONE "DOMU_STATIC_EVTCHNS[1]=\"11 0 10\"\n"), 0);
    assert_int_equal(cfg.nwarnings, 1);
    assert_string_equal(cfg.warning[0], "t.cfg:7: DOMU_STATIC_EVTCHNS[1] ignored: NUM_DOMUS is 1");

    /* malformed definitions */
    expect_error(TWO "DOMU_STATIC_EVTCHNS[0]=\"10 1\"\n",
                 "t.cfg:8: DOMU_STATIC_EVTCHNS[0]: definition 1, '10 1': expected \"local_port remote_dom_idx "
                 "remote_port\" (three numbers; definitions are separated by ';')");
    expect_error(TWO "DOMU_STATIC_EVTCHNS[0]=\"10 1 11 12\"\n",
                 "t.cfg:8: DOMU_STATIC_EVTCHNS[0]: definition 1, '10 1 11 12': expected \"local_port");
    expect_error(TWO "DOMU_STATIC_EVTCHNS[0]=\"10 1 11;;12 1 13\"\n",
                 "t.cfg:8: DOMU_STATIC_EVTCHNS[0]: definition 2, '': expected \"local_port");
    expect_error(TWO "DOMU_STATIC_EVTCHNS[0]=\" \"\n", "t.cfg:8: DOMU_STATIC_EVTCHNS[0]: definition 1, '': expected");
    expect_error(TWO "DOMU_STATIC_EVTCHNS[0]=\"10 1 11; 12 one 13\"\n",
                 "t.cfg:8: DOMU_STATIC_EVTCHNS[0]: definition 2, '12 one 13': 'one' is not a number");
    expect_error(TWO "DOMU_STATIC_EVTCHNS[0]=\"0x100000000 1 11\"\n",
                 "t.cfg:8: DOMU_STATIC_EVTCHNS[0]: definition 1, '0x100000000 1 11': port 0x100000000: a 32-bit value");
    expect_error(TWO "DOMU_STATIC_EVTCHNS[0]=10 1 11\n", "t.cfg:8: expected NAME=value, found '1'"); /* unquoted */
    /* a port twice in one domain */
    expect_error(TWO "DOMU_STATIC_EVTCHNS[0]=\"10 1 11; 0xa 1 12\"\n",
                 "t.cfg:8: DOMU_STATIC_EVTCHNS[0]: definition 2, '0xa 1 12': local port 10 is already definition 1's: "
                 "a port is one channel's");
    /* an end linked to itself */
    expect_error(TWO "DOMU_STATIC_EVTCHNS[1]=\"7 1 7\"\n",
                 "t.cfg:8: DOMU_STATIC_EVTCHNS[1]: definition 1, '7 1 7': the endpoint links to itself (domain 1, "
                 "port 7): name the other end");
    /* a remote domain that is not booted */
    expect_error(TWO "DOMU_STATIC_EVTCHNS[0]=\"10 2 11\"\n",
                 "t.cfg:8: DOMU_STATIC_EVTCHNS[0]: definition 1, '10 2 11': there is no domain 2 (NUM_DOMUS is 2)");
    expect_error(TWO "DOMU_NOBOOT[1]=1\nDOMU_STATIC_EVTCHNS[1]=\"11 0 10\"\nDOMU_STATIC_EVTCHNS[0]=\"10 1 11\"\n",
                 "t.cfg:10: DOMU_STATIC_EVTCHNS[0]: definition 1, '10 1 11': domain 1 is not booted (DOMU_NOBOOT): a "
                 "static event channel needs both ends");
    /* an end whose peer does not name it back */
    expect_error(TWO "DOMU_STATIC_EVTCHNS[0]=\"10 1 11\"\n",
                 "t.cfg:8: DOMU_STATIC_EVTCHNS[0]: definition 1, '10 1 11': the other end, domain 1's port 11, is not "
                 "given: DOMU_STATIC_EVTCHNS[1] is not set (each domain lists its own end: add \"11 0 10\" there)");
    expect_error(TWO "DOMU_STATIC_EVTCHNS[1]=\"13 0 12\"\nDOMU_STATIC_EVTCHNS[0]=\"10 1 11; 12 1 13\"\n",
                 "t.cfg:9: DOMU_STATIC_EVTCHNS[0]: definition 1, '10 1 11': the other end, domain 1's port 11, is not "
                 "given in DOMU_STATIC_EVTCHNS[1] (line 8) (each domain lists its own end: add \"11 0 10\" there)");
    expect_error(TWO "DOMU_STATIC_EVTCHNS[0]=\"10 1 11; 12 1 13\"\nDOMU_STATIC_EVTCHNS[1]=\"11 0 12; 13 0 10\"\n",
                 "t.cfg:8: DOMU_STATIC_EVTCHNS[0]: definition 1, '10 1 11': the other end, domain 1's port 11 "
                 "(DOMU_STATIC_EVTCHNS[1] line 9, definition 1, '11 0 12'), links to domain 0's port 12, not back to "
                 "this one: the two ends must name each other");
    expect_error(ONE "DOMU_STATIC_EVTCHNS[0]=\"5 0 6; 6 0 7; 7 0 6\"\n",
                 "t.cfg:7: DOMU_STATIC_EVTCHNS[0]: definition 1, '5 0 6': the other end, domain 0's port 6 "
                 "(DOMU_STATIC_EVTCHNS[0] line 7, definition 2, '6 0 7'), links to domain 0's port 7, not back");
    /* more definitions than any domain needs */
    char text[2048] = ONE "DOMU_STATIC_EVTCHNS[0]=\"";
    for (unsigned i = 0; i <= IB_MAX_EVTCHN; i++)
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "%u 0 %u;", 2 * i + 1, 2 * i + 2);
    strcat(text, "\"\n");
    expect_error(text, "t.cfg:7: DOMU_STATIC_EVTCHNS[0]: more than 64 definitions");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(defaults, teardown),
        cmocka_unit_test_teardown(every_key, teardown),
        cmocka_unit_test_teardown(quoting, teardown),
        cmocka_unit_test_teardown(arrays, teardown),
        cmocka_unit_test_teardown(errors_name_the_line, teardown),
        cmocka_unit_test_teardown(dom0_refused, teardown),
        cmocka_unit_test_teardown(bridge_values, teardown),
        cmocka_unit_test_teardown(virtio_keys, teardown),
        cmocka_unit_test_teardown(load_cmd_shorthands, teardown),
        cmocka_unit_test_teardown(load_cmd_cannot_change_the_script, teardown),
        cmocka_unit_test_teardown(paths_stay_inside, teardown),
        cmocka_unit_test_teardown(beyond_num_domus_warned, teardown),
        cmocka_unit_test_teardown(xen_keys, teardown),
        cmocka_unit_test_teardown(caps, teardown),
        cmocka_unit_test_teardown(static_evtchns, teardown),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
