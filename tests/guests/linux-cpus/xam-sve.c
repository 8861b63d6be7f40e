/* SVE from Linux user space (boot case cpu-a64fx-sve-linux,
 * tests/boot/cases-cpus.sh): in a domain with Xen's sve, the kernel
 * gives its processes SVE (HWCAP_SVE) at the default vector length,
 * which a process may change (PR_SVE_SET_VL: the kernel writes ZCR_EL1,
 * untrapped) up to the domain's; an SVE computation gives the right
 * answer at each. In a domain without sve there is no HWCAP_SVE, and
 * nothing here runs an SVE instruction. Prints "XAM-SVE: ..." lines, a
 * FAIL in any that fails; exits 0 when all passed. */
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/prctl.h>

#ifndef HWCAP_SVE
#define HWCAP_SVE (1UL << 22)
#endif
#ifndef PR_SVE_SET_VL
#define PR_SVE_SET_VL 50
#define PR_SVE_GET_VL 51
#endif
#define PR_SVE_VL_LEN_MASK 0xffff

__asm__(".arch_extension sve");

static unsigned long rdvl(void)
{
    unsigned long v;
    __asm__ volatile("rdvl %0, #1" : "=r"(v));
    return v;
}

/* 1 + 2 + ... + n over the n 64-bit lanes of one vector */
static unsigned long lane_sum(void)
{
    unsigned long s;
    __asm__ volatile("ptrue p0.d\n"
                     "index z0.d, #1, #1\n"
                     "uaddv d1, p0, z0.d\n"
                     "fmov %0, d1"
                     : "=r"(s)
                     :
                     : "p0", "z0", "z1", "memory");
    return s;
}

static int failures;

static void at_length(unsigned long want)
{
    unsigned long vl = rdvl(), lanes = vl / 8, sum = lane_sum();
    int ok = vl == want && sum == lanes * (lanes + 1) / 2;
    failures += !ok;
    printf("XAM-SVE: %svector length %lu bytes (asked %lu), sum over its %lu lanes %lu\n", ok ? "" : "FAIL: ", vl, want,
           lanes, sum);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!(getauxval(AT_HWCAP) & HWCAP_SVE)) {
        printf("XAM-SVE: no HWCAP_SVE\n");
        return 0;
    }
    long vl = prctl(PR_SVE_GET_VL);
    printf("XAM-SVE: HWCAP_SVE, PR_SVE_GET_VL %ld\n", vl & PR_SVE_VL_LEN_MASK);
    at_length((unsigned long)(vl & PR_SVE_VL_LEN_MASK));
    /* shorter, then back */
    long r = prctl(PR_SVE_SET_VL, 16);
    failures += (r & PR_SVE_VL_LEN_MASK) != 16;
    at_length(16);
    r = prctl(PR_SVE_SET_VL, vl & PR_SVE_VL_LEN_MASK);
    at_length((unsigned long)(vl & PR_SVE_VL_LEN_MASK));
    /* longer than the domain's: the kernel gives the longest it has */
    r = prctl(PR_SVE_SET_VL, 256);
    printf("XAM-SVE: asked for 256 bytes, given %ld\n", r & PR_SVE_VL_LEN_MASK);
    at_length((unsigned long)(r & PR_SVE_VL_LEN_MASK));
    printf(failures ? "XAM-SVE: some checks FAILED\n" : "XAM-SVE: all checks passed\n");
    return failures != 0;
}
