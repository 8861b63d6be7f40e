/* libFuzzer target: cmdline_get(). Input: NAME '\n' CMDLINE. The output
 * buffer is exactly sized, so ASan sees any write past it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xam/cmdline.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl)
        return 0;
    size_t nlen = (size_t)(nl - data);
    char *name = strndup((const char *)data, nlen);
    char *cmd = strndup((const char *)nl + 1, size - nlen - 1);
    for (size_t len = 1; len <= 64; len *= 4) {
        char *val = malloc(len);
        if (cmdline_get(cmd, name, val, len) && strnlen(val, len) == len)
            abort(); /* not NUL-terminated within its buffer */
        free(val);
    }
    free(name);
    free(cmd);
    return 0;
}
