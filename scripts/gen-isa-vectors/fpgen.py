import struct, sys
from sf import *

def d(x): return struct.unpack('<Q', struct.pack('<d', x))[0]
def s(x): return struct.unpack('<I', struct.pack('<f', x))[0]
def bx(x): return (0xffffffff << 32) | x

RMS = [('rne', RNE), ('rtz', RTZ), ('rdn', RDN), ('rup', RUP), ('rmm', RMM)]

V64 = [0, 1 << 63, d(1.0), d(-1.0), d(3.0), d(0.1), d(-2.5), 0x3ff0000000000001,
       0x7fefffffffffffff, 0xffefffffffffffff, 0x0010000000000000, 1,
       0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000123, 0x7ff0000000000001]
FMA64 = [1 << 63, d(1.0), d(0.1), 0x3ff0000000000001, 0x3ff0000000000002,
         0x7fefffffffffffff, 0x7ff0000000000000, 0x7ff0000000000001]
V32 = [bx(x) for x in [0, 1 << 31, s(1.0), s(-1.0), s(3.0), s(0.1), s(-2.5), 0x3f800001,
       0x7f7fffff, 0xff7fffff, 0x00800000, 1, 0x7f800000, 0xff800000, 0x7fc00123, 0x7f800001]] + [0x3f800000]
FMA32 = [bx(x) for x in [1 << 31, s(1.0), s(0.1), 0x3f800001, 0x3f800002, 0x7f7fffff,
         0x7f800000, 0x7f800001]] + [0x3f800000]
TOI64 = [0, 1 << 63, d(0.5), d(-0.5), d(1.5), d(2.5), d(-1.5), d(-2.5), d(0.1), d(-0.9),
         d(2147483647.0), d(2147483647.5), d(2147483648.0), d(-2147483648.0), d(-2147483649.0),
         d(-2147483648.5), d(4294967295.0), d(4294967295.5), d(4294967296.0), d(2.0**63),
         d(-2.0**63), 0x43dfffffffffffff, d(2.0**64), 0x43efffffffffffff, d(1e300), d(-1e300),
         0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff0000000000001, 1, (1 << 63) | 1]
TOI32 = [bx(x) for x in [0, 1 << 31, s(0.5), s(-0.5), s(1.5), s(2.5), s(-1.5), s(-2.5), s(0.1), s(-0.9),
         0x4f000000, 0x4effffff, 0xcf000000, 0xcf000001, 0x4f800000, 0x4f7fffff, 0x5f000000, 0x5effffff,
         0xdf000000, 0xdf000001, 0x5f800000, 0x5f7fffff, s(1e30), s(-1e30), 0x7f800000, 0xff800000,
         0x7fc00000, 0x7f800001, 1, 0x80000001]] + [0x000000004f000000]
INTS = [0, 1, (1 << 64) - 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x20000000000001, 0x7fffffffffffffff,
        0x8000000000000000, 0xfffffffffffffffe, 0x123456789abcdef0, 0xfffffffd, 0x1000001, 0x1fffffffffffff,
        0xffffffff7fffffff, 0x80000001, 0x7fffffc0, 0xffffff7f]
D2S = V64 + [d(1e39), d(-1e39), d(1e-46), 0x3ff0000010000000, 0x3ff0000030000000, 0x47efffffe0000000,
             0x47efffffe8000000, 0x47efffffefffffff, 0x36a0000000000000, 0x3690000000000000,
             0x3698000000000000, 0x3810000000000000, 0x380fffffffffffff, 0xfff8000000000000]
S2D = V32

def h(v): return '0x%016xULL' % v

class Gen:
    def __init__(self, fmt, sfx):
        self.f, self.sfx = fmt, sfx
        self.funcs, self.tables, self.entries, self.arrays = [], [], [], {}
        self.n = 0
        self.seen = set()
    def arr(self, name, vals):
        if name not in self.arrays:
            self.arrays[name] = vals
        return name
    def table(self, vals, flags):
        self.n += 1
        nm = 't%d' % self.n
        self.tables.append('static const uint64_t %s_r[%d] = {\n%s\n};' % (nm, len(vals),
            ',\n'.join('\t' + ', '.join(h(v) for v in vals[k:k + 4]) for k in range(0, len(vals), 4))))
        self.tables.append('static const uint8_t %s_f[%d] = {\n%s\n};' % (nm, len(flags),
            ',\n'.join('\t' + ', '.join('0x%02x' % v for v in flags[k:k + 16]) for k in range(0, len(flags), 16))))
        return nm
    def fn(self, macro, insn, rm):
        nm = 'f_%s_%s' % (insn.replace('.', '_'), rm or 'none')
        if nm in self.seen: return nm
        self.seen.add(nm)
        rms = (', ' + rm) if (rm and macro in ('F1R', 'I2F')) else rm
        self.funcs.append('%s(%s, "%s", "%s")' % (macro, nm, insn, rms))
        return nm
    def add_entry(self, label, macro, insn, rm, arrs, res):
        """res: list of (value, flags); arrs: tuple of array names (a, b, c)"""
        static = self.fn(macro, insn, rm[0]) if rm else self.fn(macro, insn, '')
        dyn = self.fn(macro, insn, 'dyn') if rm else None
        t = self.table([r[0] for r in res], [r[1] for r in res])
        a = arrs + ('0',) * (3 - len(arrs))
        self.entries.append('\t{ "%s", %s, %s, %d, %d, %s, %s, %s, %s_r, %s_f },' % (
            label, static, dyn or '0', rm[1] if rm else -1, len(res), a[0], a[1], a[2], t, t))

    def pairs(self, vals):
        A = [a for a in vals for b in vals]
        B = [b for a in vals for b in vals]
        return A, B

def build(fmt, sfx):
    g = Gen(fmt, sfx)
    F = fmt
    V = V64 if F is F64 else V32
    FM = FMA64 if F is F64 else FMA32
    TOI = TOI64 if F is F64 else TOI32
    A, B = g.pairs(V)
    g.arr('pa', A); g.arr('pb', B); g.arr('vals', V)
    A3 = [a for a in FM for b in FM for c in FM]
    B3 = [b for a in FM for b in FM for c in FM]
    C3 = [c for a in FM for b in FM for c in FM]
    g.arr('ta', A3); g.arr('tb', B3); g.arr('tc', C3)
    g.arr('toi', TOI); g.arr('ints', INTS)
    if F is F64:
        SQ = V + [d(2.0), d(5.0), d(7.0), d(10.0), d(0.5), 3, d(1e300), d(-0.1), (1 << 63) | 1]
    else:
        SQ = V + [bx(s(v)) for v in (2.0, 5.0, 7.0, 10.0, 0.5)] + [bx(3), bx(s(1e30)), bx(s(-0.1)), bx(0x80000001)]
    g.arr('sq', SQ)
    x = sfx
    for op, fnc in [('fadd', lambda a, b, r: add(a, b, r, F)), ('fsub', lambda a, b, r: add(a, b, r, F, True)),
                    ('fmul', lambda a, b, r: mul(a, b, r, F)), ('fdiv', lambda a, b, r: div(a, b, r, F))]:
        for rn, r in RMS:
            res = [fnc(a, b, r) for a, b in zip(A, B)]
            res = [(box(v, F), fl) for v, fl in res]
            g.add_entry('%s.%s %s' % (op, x, rn), 'F2R', '%s.%s' % (op, x), (rn, r), ('pa', 'pb'), res)
    for rn, r in RMS:
        res = [(box(v, F), fl) for v, fl in (sqrt(a, r, F) for a in SQ)]
        g.add_entry('fsqrt.%s %s' % (x, rn), 'F1R', 'fsqrt.%s' % x, (rn, r), ('sq',), res)
    for op, np, nc in [('fmadd', False, False), ('fmsub', False, True), ('fnmsub', True, False), ('fnmadd', True, True)]:
        for rn, r in RMS:
            res = [(box(v, F), fl) for v, fl in (fma(a, b, c, r, F, np, nc) for a, b, c in zip(A3, B3, C3))]
            g.add_entry('%s.%s %s' % (op, x, rn), 'F3R', '%s.%s' % (op, x), (rn, r), ('ta', 'tb', 'tc'), res)
    for op, fnc in [('fmin', lambda a, b: minmax(a, b, F, False)), ('fmax', lambda a, b: minmax(a, b, F, True)),
                    ('fsgnj', lambda a, b: sgnj(a, b, F, 'j')), ('fsgnjn', lambda a, b: sgnj(a, b, F, 'n')),
                    ('fsgnjx', lambda a, b: sgnj(a, b, F, 'x'))]:
        res = [fnc(a, b) for a, b in zip(A, B)]
        res = [(v if op.startswith('fsgn') else box(v, F), fl) for v, fl in res]
        g.add_entry('%s.%s' % (op, x), 'F2', '%s.%s' % (op, x), None, ('pa', 'pb'), res)
    for op in ['eq', 'lt', 'le']:
        res = [cmp(a, b, F, op) for a, b in zip(A, B)]
        g.add_entry('f%s.%s' % (op, x), 'FCMP', 'f%s.%s' % (op, x), None, ('pa', 'pb'), res)
    g.add_entry('fclass.%s' % x, 'FCLASS', 'fclass.%s' % x, None, ('vals',), [(fclass(a, F), 0) for a in V])
    for k in ['w', 'wu', 'l', 'lu']:
        for rn, r in RMS:
            res = [to_int(a, r, F, k) for a in TOI]
            g.add_entry('fcvt.%s.%s %s' % (k, x, rn), 'F2I', 'fcvt.%s.%s' % (k, x), (rn, r), ('toi',), res)
    for k in ['w', 'wu', 'l', 'lu']:
        if F is F64 and k in ('w', 'wu'):
            # exact: the assembler takes no rounding mode
            res = [from_int(a, RNE, F, k) for a in INTS]
            g.add_entry('fcvt.%s.%s' % (x, k), 'I2F', 'fcvt.%s.%s' % (x, k), None, ('ints',), res)
            continue
        for rn, r in RMS:
            res = [from_int(a, r, F, k) for a in INTS]
            g.add_entry('fcvt.%s.%s %s' % (x, k, rn), 'I2F', 'fcvt.%s.%s' % (x, k), (rn, r), ('ints',), res)
    if F is F64:
        g.arr('d2s', D2S); g.arr('s2d', S2D)
        for rn, r in RMS:
            res = [cvt_fmt(a, r, F64, F32) for a in D2S]
            g.add_entry('fcvt.s.d %s' % rn, 'F1R', 'fcvt.s.d', (rn, r), ('d2s',), res)
        res = [cvt_fmt(a, RNE, F32, F64) for a in S2D]
        g.add_entry('fcvt.d.s', 'F1R', 'fcvt.d.s', None, ('s2d',), res)
    return g

HEAD = r'''/*
 * %(name)s: %(what)s
 *
 * Generated by a script from a reference model of IEEE 754-2008 with the
 * RISC-V rules: canonical NaN results (%(qnan)s), no payload propagation,
 * tininess detected after rounding, RMM, fmin/fmax = minimumNumber/
 * maximumNumber with -0 < +0 and NV for sNaN, fused multiply-add with one
 * rounding and NV for inf*0 even with a quiet-NaN addend, saturating
 * fcvt to integer (NaN -> max, out of range -> min/max with NV, no NX),
 * fcvt.wu/w results sign-extended. %(boxing)s
 *
 * Every entry runs twice: with the static rounding mode in the instruction
 * and with rm = dyn after writing that mode to frm; both must give the
 * expected result bits (read back as 64 bits, so f32 results must be
 * NaN-boxed) and exactly the expected fflags (cleared before each op).
 * Output: one line per entry with a hash of results and flags; details
 * only for failures.
 */
#include "runtime.h"

#define F1R(name, insn, rm) static uint64_t name(uint64_t a, uint64_t b, uint64_t c) { uint64_t r; (void)b; (void)c; \
	__asm__ volatile("fmv.d.x ft0, %%1\n\t" insn " ft2, ft0" rm "\n\tfmv.x.d %%0, ft2" : "=r"(r) : "r"(a) : "ft0", "ft2"); return r; }
#define F2R(name, insn, rm) static uint64_t name(uint64_t a, uint64_t b, uint64_t c) { uint64_t r; (void)c; \
	__asm__ volatile("fmv.d.x ft0, %%1\n\tfmv.d.x ft1, %%2\n\t" insn " ft2, ft0, ft1, " rm "\n\tfmv.x.d %%0, ft2" : "=r"(r) : "r"(a), "r"(b) : "ft0", "ft1", "ft2"); return r; }
#define F3R(name, insn, rm) static uint64_t name(uint64_t a, uint64_t b, uint64_t c) { uint64_t r; \
	__asm__ volatile("fmv.d.x ft0, %%1\n\tfmv.d.x ft1, %%2\n\tfmv.d.x ft2, %%3\n\t" insn " ft3, ft0, ft1, ft2, " rm "\n\tfmv.x.d %%0, ft3" : "=r"(r) : "r"(a), "r"(b), "r"(c) : "ft0", "ft1", "ft2", "ft3"); return r; }
#define F2(name, insn, rm) static uint64_t name(uint64_t a, uint64_t b, uint64_t c) { uint64_t r; (void)c; \
	__asm__ volatile("fmv.d.x ft0, %%1\n\tfmv.d.x ft1, %%2\n\t" insn " ft2, ft0, ft1\n\tfmv.x.d %%0, ft2" : "=r"(r) : "r"(a), "r"(b) : "ft0", "ft1", "ft2"); return r; }
#define FCMP(name, insn, rm) static uint64_t name(uint64_t a, uint64_t b, uint64_t c) { uint64_t r; (void)c; \
	__asm__ volatile("fmv.d.x ft0, %%1\n\tfmv.d.x ft1, %%2\n\t" insn " %%0, ft0, ft1" : "=r"(r) : "r"(a), "r"(b) : "ft0", "ft1"); return r; }
#define FCLASS(name, insn, rm) static uint64_t name(uint64_t a, uint64_t b, uint64_t c) { uint64_t r; (void)b; (void)c; \
	__asm__ volatile("fmv.d.x ft0, %%1\n\t" insn " %%0, ft0" : "=r"(r) : "r"(a) : "ft0"); return r; }
#define F2I(name, insn, rm) static uint64_t name(uint64_t a, uint64_t b, uint64_t c) { uint64_t r; (void)b; (void)c; \
	__asm__ volatile("fmv.d.x ft0, %%1\n\t" insn " %%0, ft0, " rm : "=r"(r) : "r"(a) : "ft0"); return r; }
#define I2F(name, insn, rm) static uint64_t name(uint64_t a, uint64_t b, uint64_t c) { uint64_t r; (void)b; (void)c; \
	__asm__ volatile(insn " ft2, %%1" rm "\n\tfmv.x.d %%0, ft2" : "=r"(r) : "r"(a) : "ft2"); return r; }

typedef uint64_t (*fpfn)(uint64_t, uint64_t, uint64_t);
struct fp_entry {
	const char *name;
	fpfn fn, dyn;
	int rm, n;
	const uint64_t *a, *b, *c;
	const uint64_t *res;
	const uint8_t *flags;
};
'''

DRIVER = r'''
static const char *const rm_names[] = { "rne", "rtz", "rdn", "rup", "rmm" };

static int run(const struct fp_entry *e)
{
	uint64_t hash = 0xcbf29ce484222325ULL;
	int bad = 0;
	for (int pass = 0; pass < (e->dyn ? 2 : 1); pass++) {
		fpfn fn = pass ? e->dyn : e->fn;
		if (pass)
			csr_write(CSR_FRM, e->rm);
		else
			csr_write(CSR_FRM, 0);
		for (int i = 0; i < e->n; i++) {
			uint64_t a = e->a[i], b = e->b ? e->b[i] : 0, c = e->c ? e->c[i] : 0;
			csr_write(CSR_FFLAGS, 0);
			uint64_t r = fn(a, b, c);
			uint64_t fl = csr_read(CSR_FFLAGS);
			if (!pass) {
				hash = (hash ^ r) * 0x100000001b3ULL;
				hash = (hash ^ fl) * 0x100000001b3ULL;
			}
			if (r != e->res[i] || fl != e->flags[i]) {
				if (bad++ < 8)
					printf("FAIL %s%s [%d] a=%016lx b=%016lx c=%016lx -> %016lx flags %02lx, expected %016lx flags %02x\n",
					       e->name, pass ? " (dyn)" : "", i, a, b, c, r, fl, e->res[i], e->flags[i]);
			}
		}
	}
	csr_write(CSR_FRM, 0);
	printf("%-18s %4d vectors%s, hash %016lx%s\n", e->name, e->n, e->dyn ? " x2 (static, dyn)" : "", hash,
	       bad ? " FAIL" : "");
	if (bad > 8)
		printf("  ... %d failures in all\n", bad);
	rt_checks_total++;
	if (bad)
		rt_checks_failed++;
	return bad;
}

int main(void)
{
	(void)rm_names;
	printf("%s\n", TITLE);
	for (unsigned i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		run(&entries[i]);
	return rt_summary();
}
'''

def emit(g, path, name, what, qnan, boxing):
    out = [HEAD % dict(name=name, what=what, qnan=qnan, boxing=boxing)]
    out.append('#define TITLE "%s: %s"\n' % (name, what))
    for nm, vals in g.arrays.items():
        out.append('static const uint64_t %s[%d] = {\n%s\n};' % (nm, len(vals),
            ',\n'.join('\t' + ', '.join(h(v) for v in vals[k:k + 4]) for k in range(0, len(vals), 4))))
    out.append('')
    out += g.funcs
    out.append('')
    out += g.tables
    out.append('\nstatic const struct fp_entry entries[] = {')
    out += g.entries
    out.append('};')
    out.append(DRIVER)
    open(path, 'w').write('\n'.join(out) + '\n')

gd = build(F64, 'd')
emit(gd, sys.argv[1] + '/fp_d.c', 'fp_d', 'D extension arithmetic, fused multiply-add, sqrt, min/max, sign injection, compares, fclass, conversions to/from integers and to/from single, in all rounding modes, with exact fflags',
     '0x7ff8000000000000', '')
gs = build(F32, 's')
emit(gs, sys.argv[1] + '/fp_s.c', 'fp_s', 'F extension arithmetic, fused multiply-add, sqrt, min/max, sign injection, compares, fclass, conversions to/from integers, in all rounding modes, with exact fflags',
     '0x7fc00000 boxed', 'Operands are passed as 64-bit register values: one\n * operand value (0x000000003f800000, 1.0 not NaN-boxed) must be read as the\n * canonical NaN by every op (sign injection included).')
