/* mcubench's CoreMark port: see core_portme.h. ee_printf formats into `coremark_log`,
 * which the harness reads after main() returns (its CRC lines are the validation). */
#include <stdarg.h>

#include "coremark.h"

#if VALIDATION_RUN
volatile ee_s32 seed1_volatile = 0x3415;
volatile ee_s32 seed2_volatile = 0x3415;
volatile ee_s32 seed3_volatile = 0x66;
#endif
#if PERFORMANCE_RUN
volatile ee_s32 seed1_volatile = 0x0;
volatile ee_s32 seed2_volatile = 0x0;
volatile ee_s32 seed3_volatile = 0x66;
#endif
#if PROFILE_RUN
volatile ee_s32 seed1_volatile = 0x8;
volatile ee_s32 seed2_volatile = 0x8;
volatile ee_s32 seed3_volatile = 0x8;
#endif
volatile ee_s32 seed4_volatile = ITERATIONS;
volatile ee_s32 seed5_volatile = 0;

ee_u32 default_num_contexts = 1;

char coremark_log[1024];
static unsigned log_len;

static void put(char c)
{
    if (log_len < sizeof(coremark_log) - 1)
        coremark_log[log_len++] = c;
}

static void put_number(unsigned long v, unsigned base, int width, char pad, int negative)
{
    char digits[12];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v && n < (int)sizeof(digits));
    if (negative)
        put('-');
    for (int k = n + negative; k < width; k++)
        put(pad);
    while (n)
        put(digits[--n]);
}

/* The conversions CoreMark's report uses: %d %u %x %s %c, with l, 0 and a width. */
int ee_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(*p);
            continue;
        }
        p++;
        char pad = ' ';
        int width = 0;
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        if (*p == 'l')
            p++;
        switch (*p) {
        case 'd': {
            long v = va_arg(ap, int);
            put_number((unsigned long)(v < 0 ? -v : v), 10, width, pad, v < 0);
            break;
        }
        case 'u': put_number(va_arg(ap, unsigned), 10, width, pad, 0); break;
        case 'x': put_number(va_arg(ap, unsigned), 16, width, pad, 0); break;
        case 'c': put((char)va_arg(ap, int)); break;
        case 's':
            for (const char *s = va_arg(ap, const char *); *s; s++)
                put(*s);
            break;
        default: put(*p); break;
        }
    }
    va_end(ap);
    coremark_log[log_len] = 0;
    return 0;
}

static void mark(ee_u32 value)
{
    *(volatile ee_u32 *)MCUBENCH_COREMARK_MARK = value;
}

/* mcubench counts the cycles between the two marks; CoreMark's own tick count is not
 * used (it would be mcubench's count read back), so its "at least 10 secs" check fails
 * by design and the harness ignores that one line. */
void start_time(void) { mark(1); }
void stop_time(void) { mark(2); }
CORE_TICKS get_time(void) { return 0; }
secs_ret time_in_secs(CORE_TICKS ticks) { return (secs_ret)ticks; }

void portable_init(core_portable *p, int *argc, char *argv[])
{
    (void)argc;
    (void)argv;
    log_len = 0;
    if (sizeof(ee_ptr_int) != sizeof(ee_u8 *))
        ee_printf("ERROR! Please define ee_ptr_int to a type that holds a pointer!\n");
    if (sizeof(ee_u32) != 4)
        ee_printf("ERROR! Please define ee_u32 to a 32b unsigned type!\n");
    p->portable_id = 1;
}

void portable_fini(core_portable *p) { p->portable_id = 0; }
