#include <string.h>
#include <xam/cmdline.h>

bool cmdline_get(const char *cmdline, const char *name, char *val, size_t len)
{
    size_t nlen = strlen(name);
    bool found = false;
    const char *p = cmdline ? cmdline : "";

    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        const char *word = p;
        bool quoted = false;
        while (*p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n'))) {
            if (*p == '"')
                quoted = !quoted;
            p++;
        }
        size_t wlen = (size_t)(p - word);
        if (wlen < nlen || strncmp(word, name, nlen) != 0)
            continue;
        if (wlen != nlen && word[nlen] != '=')
            continue;

        found = true;
        size_t o = 0;
        for (const char *v = word + nlen + (wlen > nlen ? 1 : 0); v < p; v++) {
            if (*v == '"')
                continue;
            if (o + 1 < len)
                val[o++] = *v;
        }
        if (len)
            val[o] = '\0';
    }
    return found;
}
