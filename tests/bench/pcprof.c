/* PROFILE=1 tests/bench/ioreq.sh: a QEMU TCG plugin that counts the
 * instructions each vCPU executes at each PC and writes "pc n0 n1 n2 n3"
 * lines at exit (to the file its out= argument names). Debian's QEMU 7.2
 * loads plugins but ships no qemu-plugin.h: the few calls used are
 * declared here, as version 1 of the plugin API defines them. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct {
    const char *target_name;
    struct {
        int min, cur;
    } version;
    bool system_emulation;
    union {
        struct {
            int smp_vcpus, max_vcpus;
        } system;
    };
} qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

#define NCPU 4
#define HSIZE (1u << 22)
struct slot {
    uint64_t pc;
    uint64_t n[NCPU];
};
static struct slot *tab;
static const char *outpath = "pcprof.out";

static struct slot *lookup(uint64_t pc)
{
    uint64_t h = (pc >> 2) * 0x9E3779B97F4A7C15ULL;
    for (uint32_t i = (uint32_t)(h >> 40) & (HSIZE - 1);; i = (i + 1) & (HSIZE - 1)) {
        if (tab[i].pc == pc + 1)
            return &tab[i];
        if (!tab[i].pc) {
            tab[i].pc = pc + 1;
            return &tab[i];
        }
    }
}

static void exec_cb(unsigned int vcpu, void *ud) { ((struct slot *)ud)->n[vcpu < NCPU ? vcpu : NCPU - 1]++; }

static void trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        qemu_plugin_register_vcpu_insn_exec_cb(insn, exec_cb, QEMU_PLUGIN_CB_NO_REGS,
                                               lookup(qemu_plugin_insn_vaddr(insn)));
    }
}

static void at_exit(qemu_plugin_id_t id, void *ud)
{
    (void)id, (void)ud;
    FILE *f = fopen(outpath, "w");
    for (uint32_t i = 0; i < HSIZE; i++)
        if (tab[i].pc) {
            fprintf(f, "%llx", (unsigned long long)(tab[i].pc - 1));
            for (int c = 0; c < NCPU; c++)
                fprintf(f, " %llu", (unsigned long long)tab[i].n[c]);
            fprintf(f, "\n");
        }
    fclose(f);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                                               char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++)
        if (!strncmp(argv[i], "out=", 4))
            outpath = strdup(argv[i] + 4);
    tab = calloc(HSIZE, sizeof(*tab));
    qemu_plugin_register_vcpu_tb_trans_cb(id, trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
