M64 = (1 << 64) - 1
def s64(x): x &= M64; return x - (1 << 64) if x >> 63 else x
def s32(x): x &= 0xffffffff; return x - (1 << 32) if x >> 31 else x
OPS = {
 'amoswap': lambda m, v, s: v,
 'amoadd': lambda m, v, s: m + v,
 'amoxor': lambda m, v, s: m ^ v,
 'amoand': lambda m, v, s: m & v,
 'amoor': lambda m, v, s: m | v,
 'amomin': lambda m, v, s: m if s(m) < s(v) else v,
 'amomax': lambda m, v, s: m if s(m) > s(v) else v,
 'amominu': lambda m, v, s: m if m < v else v,
 'amomaxu': lambda m, v, s: m if m > v else v,
}
PAIRS = [(0x0000000000000005, 0x0000000000000003),
         (0xfffffffffffffffe, 0x0000000000000001),
         (0x8000000000000000, 0x7fffffffffffffff),
         (0x00000000ffffffff, 0x0000000080000000),
         (0x123456789abcdef0, 0xfedcba9876543210)]
out = []
for op in OPS:
    for sfx in ('w', 'd'):
        for m, v in PAIRS:
            if sfx == 'd':
                old = m & M64
                new = OPS[op](m, v, s64) & M64
                rd = old
                memafter = new
                hi = 0
            else:
                mw, vw = m & 0xffffffff, v & 0xffffffff
                rd = s32(mw) & M64
                new = OPS[op](mw, vw, s32) & 0xffffffff
                # the word is in the low half of a doubleword whose high half is 0xdeadbeef
                memafter = (0xdeadbeef << 32) | new
            out.append('\t{ "%s.%s", op_%s_%s, 0x%016xULL, 0x%016xULL, 0x%016xULL, 0x%016xULL },' % (op, sfx, op, sfx, m, v, rd, memafter))
print('\n'.join(out))
