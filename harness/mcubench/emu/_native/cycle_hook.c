/*
 * Cycle accounting for Unicorn, run natively: one call per basic block, no Python.
 *
 * The static cost of every instruction is precomputed per halfword (code_map.py);
 * this hook sums the records of the block about to run and adds what only the run
 * knows: whether the previous block's conditional branch was taken, flash wait
 * states and XIP cache misses on instruction fetch, and the lowest SP the block will
 * reach (stack peak and overflow, checked before the block runs). A data-access hook,
 * registered only over regions that need it, adds wait states, cache misses and the
 * single-cycle I/O discount. counter.py holds the Python twin; both must agree exactly.
 */
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t cycles, flow, size, err;
    int16_t sp_delta;
    uint8_t sp_dynamic, extra; /* extra: B<cond> condition (low 4 bits), 0x80 multi-register */
    uint32_t target;
} rec_t;

typedef struct {
    uint32_t base, count;
    const rec_t *recs;
} range_t;

typedef int (*reg_read_fn)(void *uc, int regid, void *value);
typedef int (*emu_stop_fn)(void *uc);

enum { FLOW_NONE, FLOW_COND, FLOW_CALL, FLOW_INDIRECT, FLOW_JUMP };
enum { STOP_NONE, STOP_NOT_CODE, STOP_NOT_V6M, STOP_TRAP, STOP_OUTSIDE_CODE,
       STOP_STACK_OVERFLOW, STOP_CYCLE_LIMIT };

#define MAX_RANGES 8
#define BLOCK_SLOTS 4096 /* direct-mapped by start address */

/* The static half of one block, summed once from its records and reused every time
 * the block runs again (same start and size: the records are fixed per image). */
typedef struct {
    uint32_t addr, size;
    int32_t cycles, n, min_off;
    uint32_t flow, cond, target, last_pc;
    uint8_t err, sp_changes, pad[2];
    uint32_t err_pc;
    uint64_t cache_epoch; /* c->cache_epoch when its fetch lines were last made MRU */
} block_t;
#define SHADOW 64

typedef struct {
    /* configuration, written once by the harness */
    reg_read_fn reg_read;
    emu_stop_fn emu_stop;
    int32_t sp_regid;
    uint32_t n_ranges;
    range_t ranges[MAX_RANGES];
    int64_t cycle_limit;
    uint32_t stack_limit;
    uint32_t ws_base, ws_end, ws_cycles;
    uint32_t io_base, io_end;
    int32_t io_delta;
    uint32_t cache_base, cache_end, cache_sets, cache_ways, cache_line_shift, cache_miss_cycles;
    uint32_t *cache_tags;
    uint32_t *cache_stamps;
    /* state */
    int64_t cycles;
    int64_t insns;
    int64_t cache_misses;
    uint32_t min_sp, min_sp_pc;
    uint32_t prev_flow, prev_target, prev_end, prev_last_pc;
    uint32_t depth, stamp;
    uint32_t stop_reason, stop_pc, stop_value, prev_cond;
    uint32_t ret_addr[SHADOW];
    uint32_t call_site[SHADOW];
    /* configuration added later, kept at the end */
    int32_t cpsr_regid, pc_regid;
    block_t *blocks; /* BLOCK_SLOTS summaries, zeroed by the harness */
    uint32_t sp_known; /* 0: read SP at the next block even if it pushes nothing */
    uint64_t cache_epoch; /* bumped whenever any set's LRU order changes (from 1) */
    /* the flash interface (a chip file's [flash_interface]); fi_on 0: a wait state per
     * 32-bit word a block fetches (the chips without one) */
    uint32_t fi_on, fi_line_shift, fi_prefetch;
    uint32_t fi_cur;               /* line last read + 1 (0: none); fi_cur is also the prefetched line */
    uint32_t fi_ic_sets, fi_ic_ways; /* sets 0: no instruction cache, or disabled */
    uint32_t *fi_ic_tags, *fi_ic_stamps;
    uint32_t fi_ic_stamp;
    uint32_t fi_skip_addr;         /* a block restarting here after a trapped access ... */
    uint32_t fi_skip_lo, fi_skip_hi; /* ... does not fetch these lines again (0: no skip) */
} ctx_t;

uint32_t mcubench_ctx_size(void) { return (uint32_t)sizeof(ctx_t); }

/* Every field's name and offset, so that counter.py checks its ctypes mirror field by
 * field (a size check alone misses two fields swapped). */
#define F(name) { #name, (uint32_t)offsetof(ctx_t, name) }
static const struct { const char *name; uint32_t offset; } FIELDS[] = {
    F(reg_read), F(emu_stop), F(sp_regid), F(n_ranges), F(ranges), F(cycle_limit),
    F(stack_limit), F(ws_base), F(ws_end), F(ws_cycles), F(io_base), F(io_end), F(io_delta),
    F(cache_base), F(cache_end), F(cache_sets), F(cache_ways), F(cache_line_shift),
    F(cache_miss_cycles), F(cache_tags), F(cache_stamps), F(cycles), F(insns), F(cache_misses),
    F(min_sp), F(min_sp_pc), F(prev_flow), F(prev_target), F(prev_end), F(prev_last_pc),
    F(depth), F(stamp), F(stop_reason), F(stop_pc), F(stop_value), F(prev_cond), F(ret_addr),
    F(call_site), F(cpsr_regid), F(pc_regid), F(blocks), F(sp_known), F(cache_epoch),
    F(fi_on), F(fi_line_shift), F(fi_prefetch), F(fi_cur), F(fi_ic_sets), F(fi_ic_ways),
    F(fi_ic_tags), F(fi_ic_stamps), F(fi_ic_stamp), F(fi_skip_addr), F(fi_skip_lo), F(fi_skip_hi),
};
#undef F
uint32_t mcubench_ctx_fields(void) { return (uint32_t)(sizeof(FIELDS) / sizeof(FIELDS[0])); }
const char *mcubench_ctx_field_name(uint32_t i) { return FIELDS[i].name; }
uint32_t mcubench_ctx_field_offset(uint32_t i) { return FIELDS[i].offset; }
uint32_t mcubench_blocks_bytes(void) { return (uint32_t)(BLOCK_SLOTS * sizeof(block_t)); }

static void stop(void *uc, ctx_t *c, uint32_t reason, uint32_t pc, uint32_t value)
{
    c->stop_reason = reason;
    c->stop_pc = pc;
    c->stop_value = value;
    c->emu_stop(uc);
}

/* One access to a set of `ways` lines kept in LRU order (stamps): 1 on a hit (that way
 * becomes the most recent), 0 on a miss (the least recent way takes the line);
 * *reordered says whether the order within the set changed. */
static int lru_access(uint32_t *tags, uint32_t *stamps, uint32_t ways, uint32_t line, uint32_t stamp,
                      int *reordered)
{
    uint32_t victim = 0, newest = 0;
    for (uint32_t w = 0; w < ways; w++) {
        if (stamps[w] > newest)
            newest = stamps[w];
    }
    for (uint32_t w = 0; w < ways; w++) {
        if (tags[w] == line + 1) {
            *reordered = stamps[w] != newest;
            stamps[w] = stamp;
            return 1;
        }
        if (stamps[w] < stamps[victim])
            victim = w;
    }
    tags[victim] = line + 1;
    stamps[victim] = stamp;
    *reordered = 1;
    return 0;
}

/* One access to the XIP cache: 0 on a hit, the miss cost on a miss. The epoch moves on
 * whenever the order within a set changes (a miss, or a hit on a way that was not the
 * most recent): while it stands still, every line last made most recent is still
 * resident and most recent, which lets a block skip its fetch lines. */
static uint32_t cache_access(ctx_t *c, uint32_t addr)
{
    uint32_t line = addr >> c->cache_line_shift;
    uint32_t set = line & (c->cache_sets - 1);
    int reordered;
    c->stamp++;
    int hit = lru_access(c->cache_tags + set * c->cache_ways, c->cache_stamps + set * c->cache_ways,
                         c->cache_ways, line, c->stamp, &reordered);
    if (reordered)
        c->cache_epoch++;
    if (hit)
        return 0;
    c->cache_misses++;
    return c->cache_miss_cycles;
}

/* The instruction cache of the flash interface: whether `line` was there, and it is the
 * most recent of its set afterwards (LRU). */
static int fi_icache(ctx_t *c, uint32_t line)
{
    uint32_t set = line & (c->fi_ic_sets - 1);
    int reordered;
    c->fi_ic_stamp++;
    return lru_access(c->fi_ic_tags + set * c->fi_ic_ways, c->fi_ic_stamps + set * c->fi_ic_ways,
                      c->fi_ic_ways, line, c->fi_ic_stamp, &reordered);
}

/* Wait states of fetching [addr, addr + size) through the flash interface: a line costs
 * them unless it is the line last read, the line the prefetch buffer read after it, or
 * in the instruction cache. Lines a restarted block already fetched are skipped. */
static uint32_t fi_fetch(ctx_t *c, uint32_t addr, uint32_t size, uint32_t skip_lo, uint32_t skip_hi)
{
    uint32_t cost = 0;
    uint32_t first = addr >> c->fi_line_shift, last = (addr + size - 1) >> c->fi_line_shift;
    for (uint32_t line = first; line <= last; line++) {
        if (skip_hi && line >= skip_lo && line <= skip_hi)
            continue;
        int hit = line + 1 == c->fi_cur || (c->fi_prefetch && c->fi_cur && line == c->fi_cur);
        if (c->fi_ic_sets && fi_icache(c, line))
            hit = 1;
        if (!hit)
            cost += c->ws_cycles;
        c->fi_cur = line + 1;
    }
    return cost;
}

/* Whether the condition of the previous block's B<cond> held (ARM ARM A7.3, NZCV in
 * xPSR[31:28]): needed only when its target is also its fall-through. */
static int cond_passed(void *uc, const ctx_t *c)
{
    uint32_t psr = 0;
    c->reg_read(uc, c->cpsr_regid, &psr);
    int n = (psr >> 31) & 1, z = (psr >> 30) & 1, cf = (psr >> 29) & 1, v = (psr >> 28) & 1;
    switch (c->prev_cond) {
    case 0: return z;
    case 1: return !z;
    case 2: return cf;
    case 3: return !cf;
    case 4: return n;
    case 5: return !n;
    case 6: return v;
    case 7: return !v;
    case 8: return cf && !z;
    case 9: return !cf || z;
    case 10: return n == v;
    case 11: return n != v;
    case 12: return !z && n == v;
    case 13: return z || n != v;
    default: return 1;
    }
}

static const range_t *find_range(const ctx_t *c, uint32_t addr)
{
    for (uint32_t i = 0; i < c->n_ranges; i++) {
        const range_t *r = &c->ranges[i];
        if (addr >= r->base && addr - r->base < 2 * r->count)
            return r;
    }
    return 0;
}

/* Sum the records of [addr, addr+size) into b; 0 when the block is not all code. */
static int summarise(const ctx_t *c, block_t *b, uint32_t addr, uint32_t size)
{
    const range_t *r = find_range(c, addr);
    uint32_t i = r ? (addr - r->base) >> 1 : 0;
    uint32_t end = i + (size >> 1);
    if (!r || end > r->count)
        return 0;
    int32_t cycles = 0, n = 0, off = 0, min_off = 0;
    int dynamic = 0;
    const rec_t *last = &r->recs[i];
    uint32_t last_pc = addr;
    b->err = 0;
    while (i < end) {
        const rec_t *rec = &r->recs[i];
        if (rec->err) {
            b->err = rec->err;
            b->err_pc = r->base + 2 * i;
            break;
        }
        cycles += rec->cycles;
        n++;
        if (rec->sp_dynamic)
            dynamic = 1;
        if (!dynamic) {
            off += rec->sp_delta;
            if (off < min_off)
                min_off = off;
        }
        last = rec;
        last_pc = r->base + 2 * i;
        i += rec->size >> 1;
    }
    b->addr = addr;
    b->size = size;
    b->cache_epoch = 0;
    b->cycles = cycles;
    b->n = n;
    b->min_off = min_off;
    /* 0: SP not lowered (a rise cannot make a new low); 1: lowered by known amounts;
     * 2: written from a register (Machine's code hook checks it; read again next block) */
    b->sp_changes = dynamic ? 2 : min_off < 0 ? 1 : 0;
    b->flow = last->flow;
    b->cond = last->extra & 0xF;
    b->target = last->target;
    b->last_pc = last_pc;
    return 1;
}

void mcubench_block_hook(void *uc, uint64_t address, uint32_t size, void *user)
{
    ctx_t *c = (ctx_t *)user;
    uint32_t addr = (uint32_t)address;
    if (c->stop_reason)
        return;

    switch (c->prev_flow) {
    case FLOW_COND:
        if (addr == c->prev_target && (addr != c->prev_end || cond_passed(uc, c)))
            c->cycles += 1;
        break;
    case FLOW_CALL:
        if (c->depth < SHADOW) {
            c->ret_addr[c->depth] = c->prev_end;
            c->call_site[c->depth] = c->prev_last_pc;
            c->depth++;
        }
        break;
    case FLOW_INDIRECT:
        for (uint32_t i = c->depth; i > 0; i--) {
            if (c->ret_addr[i - 1] == addr) {
                c->depth = i - 1;
                break;
            }
        }
        break;
    default:
        break;
    }

    uint32_t skip_lo = 0, skip_hi = 0;
    if (c->fi_skip_hi) {
        if (addr == c->fi_skip_addr) {
            skip_lo = c->fi_skip_lo;
            skip_hi = c->fi_skip_hi;
        }
        c->fi_skip_hi = 0;
    }

    block_t *b = &c->blocks[(addr >> 1) & (BLOCK_SLOTS - 1)];
    if (b->addr != addr || b->size != size || !b->size) {
        if (!summarise(c, b, addr, size)) {
            stop(uc, c, STOP_OUTSIDE_CODE, addr, 0);
            return;
        }
    }
    if (b->err) {
        stop(uc, c, b->err, b->err_pc, 0);
        return;
    }
    c->cycles += b->cycles;
    c->insns += b->n;

    if (c->ws_cycles && addr >= c->ws_base && addr < c->ws_end) {
        if (c->fi_on)
            c->cycles += fi_fetch(c, addr, size, skip_lo, skip_hi);
        else
            c->cycles += (int64_t)c->ws_cycles * (((addr + size + 3) >> 2) - (addr >> 2));
    }
    if (c->cache_sets && addr >= c->cache_base && addr < c->cache_end && b->cache_epoch != c->cache_epoch) {
        uint32_t first = addr >> c->cache_line_shift, lastl = (addr + size - 1) >> c->cache_line_shift;
        for (uint32_t line = first; line <= lastl; line++)
            c->cycles += cache_access(c, line << c->cache_line_shift);
        /* its lines are in distinct sets (a block is far shorter than a way), each now
         * the most recent of its set */
        b->cache_epoch = c->cache_epoch;
    }

    c->prev_flow = b->flow;
    c->prev_cond = b->cond;
    c->prev_target = b->target;
    c->prev_end = addr + size;
    c->prev_last_pc = b->last_pc;
    /* A block that lowers SP by nothing cannot set a new low unless SP was written
     * outside the blocks' records (a call's set-up, an exception, a dynamic write):
     * the harness clears sp_known then. */
    if (b->sp_changes || !c->sp_known) {
        uint32_t sp = 0;
        c->reg_read(uc, c->sp_regid, &sp);
        c->sp_known = b->sp_changes != 2; /* after a register write to SP, read it again */
        int64_t low = (int64_t)sp + b->min_off;
        if (low < (int64_t)c->min_sp) {
            c->min_sp = low < 0 ? 0 : (uint32_t)low;
            c->min_sp_pc = addr;
        }
        if (low < (int64_t)c->stack_limit) {
            stop(uc, c, STOP_STACK_OVERFLOW, addr, (uint32_t)((int64_t)c->stack_limit - low));
            return;
        }
    }
    if (c->cycles > c->cycle_limit)
        stop(uc, c, STOP_CYCLE_LIMIT, addr, 0);
}

void mcubench_mem_hook(void *uc, int type, uint64_t address, int size, int64_t value, void *user)
{
    ctx_t *c = (ctx_t *)user;
    uint32_t a = (uint32_t)address;
    (void)size; (void)value;
    if (a >= c->io_base && a < c->io_end) {
        /* the single-cycle I/O port speeds up single loads and stores, not LDM/STM */
        uint32_t pc = 0;
        c->reg_read(uc, c->pc_regid, &pc);
        const range_t *r = find_range(c, pc);
        if (!r || !(r->recs[(pc - r->base) >> 1].extra & 0x80))
            c->cycles += c->io_delta;
    }
    if (a >= c->ws_base && a < c->ws_end)
        c->cycles += c->ws_cycles;
    if (type == 16 /* UC_MEM_READ */ && c->cache_sets && a >= c->cache_base && a < c->cache_end)
        c->cycles += cache_access(c, a);
}
