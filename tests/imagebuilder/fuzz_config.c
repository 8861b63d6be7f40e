/* libFuzzer over imagebuilder's config reader: any bytes, parsed and then
 * interpreted; neither may crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ib_raw raw;
    static struct ib_config cfg;
    struct ib_error err;
    if (!config_parse("fuzz.cfg", (const char *)data, size, &raw, &err)) {
        config_interpret("fuzz.cfg", &raw, &cfg, &err);
        config_free(&cfg);
    }
    config_raw_free(&raw);
    return 0;
}
