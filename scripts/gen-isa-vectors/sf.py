# Reference IEEE-754 binary32/binary64 arithmetic with RISC-V conventions:
# canonical NaN results, tininess after rounding, RMM, saturating fcvt.
from fractions import Fraction as Fr
import math

NV, DZ, OF, UF, NX = 16, 8, 4, 2, 1
RNE, RTZ, RDN, RUP, RMM = 0, 1, 2, 3, 4

class Fmt:
    def __init__(s, eb, mb):
        s.eb, s.mb = eb, mb
        s.bias = (1 << (eb - 1)) - 1
        s.emin = 1 - s.bias
        s.emax = s.bias
        s.width = 1 + eb + mb
        s.qnan = ((1 << eb) - 1) << mb | (1 << (mb - 1))
        s.inf = ((1 << eb) - 1) << mb
        s.maxf = (((1 << eb) - 2) << mb) | ((1 << mb) - 1)
F32 = Fmt(8, 23)
F64 = Fmt(11, 52)

def unbox(bits, f):
    """register bits -> format bits (f32 not NaN-boxed -> canonical NaN)"""
    if f is F32:
        if (bits >> 32) != 0xffffffff:
            return F32.qnan
        return bits & 0xffffffff
    return bits
def box(bits, f):
    return (0xffffffff << 32 | bits) if f is F32 else bits

def decode(b, f):
    sign = b >> (f.width - 1)
    e = (b >> f.mb) & ((1 << f.eb) - 1)
    m = b & ((1 << f.mb) - 1)
    if e == (1 << f.eb) - 1:
        if m == 0: return ('inf', sign, None)
        return ('qnan' if m >> (f.mb - 1) else 'snan', sign, None)
    if e == 0:
        if m == 0: return ('zero', sign, None)
        v = Fr(m) * Fr(2) ** (f.emin - f.mb)
    else:
        v = Fr(m | (1 << f.mb)) * Fr(2) ** (e - f.bias - f.mb)
    return ('num', sign, v)

def isnan(d): return d[0] in ('qnan', 'snan')
def zero(sign, f): return sign << (f.width - 1)
def inf(sign, f): return sign << (f.width - 1) | f.inf

def ilog2(v):  # floor(log2(v)) for Fraction v > 0
    e = v.numerator.bit_length() - v.denominator.bit_length()
    if Fr(2) ** e > v: e -= 1
    if Fr(2) ** (e + 1) <= v: e += 1
    return e

def round_int(q, sign, rm):
    """q = nonnegative Fraction magnitude; returns rounded integer magnitude, inexact"""
    m = q.numerator // q.denominator
    r = q - m
    if r == 0: return m, False
    half = Fr(1, 2)
    if rm == RNE: inc = r > half or (r == half and m & 1)
    elif rm == RTZ: inc = False
    elif rm == RDN: inc = sign == 1
    elif rm == RUP: inc = sign == 0
    elif rm == RMM: inc = r >= half
    return m + (1 if inc else 0), True

def round_fmt(v, sign, rm, f):
    """v = exact nonzero magnitude (Fraction). returns (bits, flags)"""
    e = ilog2(v)
    # tininess after rounding: round with unbounded exponent
    m_u, _ = round_int(v / Fr(2) ** (e - f.mb), sign, rm)
    tiny = (e < f.emin) and not (m_u == (1 << (f.mb + 1)) and e + 1 >= f.emin)
    if e < f.emin:
        q = v / Fr(2) ** (f.emin - f.mb)
        m, inexact = round_int(q, sign, rm)
        flags = (NX if inexact else 0) | (UF if (inexact and tiny) else 0)
        # m <= 2^mb; m == 2^mb carries into the smallest normal naturally
        return (sign << (f.width - 1)) | m, flags
    m, inexact = round_int(v / Fr(2) ** (e - f.mb), sign, rm)
    if m == 1 << (f.mb + 1):
        m >>= 1
        e += 1
    if e > f.emax:
        if rm in (RNE, RMM) or (rm == RUP and sign == 0) or (rm == RDN and sign == 1):
            return inf(sign, f), OF | NX
        return (sign << (f.width - 1)) | f.maxf, OF | NX
    bits = (sign << (f.width - 1)) | ((e + f.bias) << f.mb) | (m - (1 << f.mb))
    return bits, NX if inexact else 0

def from_exact(val, rm, f, zero_sign=None):
    """val = exact signed Fraction; zero_sign used when val == 0"""
    if val == 0:
        return zero(zero_sign, f), 0
    sign = 1 if val < 0 else 0
    return round_fmt(abs(val), sign, rm, f)

def sval(d):
    return -d[2] if d[1] else d[2]

def nan_flags(*ds):
    return NV if any(d[0] == 'snan' for d in ds) else 0

def add(a, b, rm, f, negb=False):
    da, db = decode(unbox(a, f), f), decode(unbox(b, f), f)
    if negb and not isnan(db):
        db = (db[0], db[1] ^ 1, db[2])
    if isnan(da) or isnan(db):
        return f.qnan, nan_flags(da, db)
    if da[0] == 'inf' and db[0] == 'inf':
        if da[1] != db[1]: return f.qnan, NV
        return inf(da[1], f), 0
    if da[0] == 'inf': return inf(da[1], f), 0
    if db[0] == 'inf': return inf(db[1], f), 0
    if da[0] == 'zero' and db[0] == 'zero':
        if da[1] == db[1]: return zero(da[1], f), 0
        return zero(1 if rm == RDN else 0, f), 0
    va = 0 if da[0] == 'zero' else sval(da)
    vb = 0 if db[0] == 'zero' else sval(db)
    return from_exact(va + vb, rm, f, 1 if rm == RDN else 0)

def mul(a, b, rm, f):
    da, db = decode(unbox(a, f), f), decode(unbox(b, f), f)
    if isnan(da) or isnan(db): return f.qnan, nan_flags(da, db)
    s = da[1] ^ db[1]
    if (da[0] == 'inf' and db[0] == 'zero') or (da[0] == 'zero' and db[0] == 'inf'):
        return f.qnan, NV
    if da[0] == 'inf' or db[0] == 'inf': return inf(s, f), 0
    if da[0] == 'zero' or db[0] == 'zero': return zero(s, f), 0
    return round_fmt(da[2] * db[2], s, rm, f)

def div(a, b, rm, f):
    da, db = decode(unbox(a, f), f), decode(unbox(b, f), f)
    if isnan(da) or isnan(db): return f.qnan, nan_flags(da, db)
    s = da[1] ^ db[1]
    if da[0] == 'inf' and db[0] == 'inf': return f.qnan, NV
    if da[0] == 'zero' and db[0] == 'zero': return f.qnan, NV
    if da[0] == 'inf': return inf(s, f), 0
    if db[0] == 'inf': return zero(s, f), 0
    if db[0] == 'zero': return inf(s, f), DZ
    if da[0] == 'zero': return zero(s, f), 0
    return round_fmt(da[2] / db[2], s, rm, f)

def sqrt(a, rm, f):
    da = decode(unbox(a, f), f)
    if isnan(da): return f.qnan, nan_flags(da)
    if da[0] == 'zero': return zero(da[1], f), 0
    if da[1] == 1: return f.qnan, NV
    if da[0] == 'inf': return inf(0, f), 0
    v = da[2]
    k = 600
    X = v * Fr(2) ** (2 * k)
    assert X.denominator == 1
    X = X.numerator
    s = math.isqrt(X)
    if s * s == X:
        return round_fmt(Fr(s, 2 ** k), 0, rm, f)
    return round_fmt((Fr(s) + Fr(1, 2)) / Fr(2) ** k, 0, rm, f)

def fma(a, b, c, rm, f, negprod=False, negc=False):
    da, db, dc = (decode(unbox(x, f), f) for x in (a, b, c))
    if (da[0] == 'inf' and db[0] == 'zero') or (da[0] == 'zero' and db[0] == 'inf'):
        return f.qnan, NV
    if isnan(da) or isnan(db) or isnan(dc): return f.qnan, nan_flags(da, db, dc)
    ps = da[1] ^ db[1] ^ (1 if negprod else 0)
    cs = dc[1] ^ (1 if negc else 0)
    pinf = da[0] == 'inf' or db[0] == 'inf'
    if pinf and dc[0] == 'inf' and ps != cs: return f.qnan, NV
    if pinf: return inf(ps, f), 0
    if dc[0] == 'inf': return inf(cs, f), 0
    pzero = da[0] == 'zero' or db[0] == 'zero'
    if pzero and dc[0] == 'zero':
        if ps == cs: return zero(ps, f), 0
        return zero(1 if rm == RDN else 0, f), 0
    pv = 0 if pzero else (da[2] * db[2] * (-1 if ps else 1))
    cv = 0 if dc[0] == 'zero' else (dc[2] * (-1 if cs else 1))
    return from_exact(pv + cv, rm, f, 1 if rm == RDN else 0)

def lt_val(da, db):
    va = 0 if da[0] == 'zero' else (sval(da) if da[0] == 'num' else None)
    vb = 0 if db[0] == 'zero' else (sval(db) if db[0] == 'num' else None)
    def key(d, v):
        if d[0] == 'inf': return (-1 if d[1] else 1, 0)
        return (0, v)
    return key(da, va) < key(db, vb), key(da, va) == key(db, vb)

def minmax(a, b, f, is_max):
    ua, ub = unbox(a, f), unbox(b, f)
    da, db = decode(ua, f), decode(ub, f)
    fl = nan_flags(da, db)
    if isnan(da) and isnan(db): return f.qnan, fl
    if isnan(da): return ub, fl
    if isnan(db): return ua, fl
    lt, eq = lt_val(da, db)
    if eq:
        # -0 < +0; equal values otherwise identical bits
        if da[0] == 'zero' and da[1] != db[1]:
            neg = ua if da[1] else ub
            pos = ub if da[1] else ua
            return (pos if is_max else neg), fl
        return ua, fl
    if is_max: return (ub if lt else ua), fl
    return (ua if lt else ub), fl

def cmp(a, b, f, kind):
    da, db = decode(unbox(a, f), f), decode(unbox(b, f), f)
    if isnan(da) or isnan(db):
        if kind == 'eq': return 0, nan_flags(da, db)
        return 0, NV
    lt, eq = lt_val(da, db)
    return int({'eq': eq, 'lt': lt, 'le': lt or eq}[kind]), 0

def fclass(a, f):
    d = decode(unbox(a, f), f)
    t, s = d[0], d[1]
    if t == 'inf': return 1 << (0 if s else 7)
    if t == 'snan': return 1 << 8
    if t == 'qnan': return 1 << 9
    if t == 'zero': return 1 << (3 if s else 4)
    sub = d[2] < Fr(2) ** f.emin
    if s: return 1 << (2 if sub else 1)
    return 1 << (5 if sub else 6)

M64 = (1 << 64) - 1
def sx32(x):
    x &= 0xffffffff
    return (x - (1 << 32) if x >> 31 else x) & M64

def to_int(a, rm, f, kind):
    """kind: w wu l lu; returns (int register value, flags)"""
    lo, hi = {'w': (-(1 << 31), (1 << 31) - 1), 'wu': (0, (1 << 32) - 1),
              'l': (-(1 << 63), (1 << 63) - 1), 'lu': (0, (1 << 64) - 1)}[kind]
    d = decode(unbox(a, f), f)
    def fin(v):
        return sx32(v) if kind in ('w', 'wu') else v & M64
    if isnan(d): return fin(hi), NV
    if d[0] == 'inf': return fin(lo if d[1] else hi), NV
    if d[0] == 'zero': return 0, 0
    m, inexact = round_int(d[2], d[1], rm)
    v = -m if d[1] else m
    if v < lo: return fin(lo), NV
    if v > hi: return fin(hi), NV
    return fin(v), NX if inexact else 0

def from_int(x, rm, f, kind):
    if kind == 'w': v = x & 0xffffffff; v = v - (1 << 32) if v >> 31 else v
    elif kind == 'wu': v = x & 0xffffffff
    elif kind == 'l': v = x & M64; v = v - (1 << 64) if v >> 63 else v
    else: v = x & M64
    if v == 0: return box(0, f), 0
    r, fl = from_exact(Fr(v), rm, f, 0)
    return box(r, f), fl

def cvt_fmt(a, rm, src, dst):
    d = decode(unbox(a, src), src)
    if isnan(d): return box(dst.qnan, dst), nan_flags(d)
    if d[0] == 'inf': return box(inf(d[1], dst), dst), 0
    if d[0] == 'zero': return box(zero(d[1], dst), dst), 0
    r, fl = round_fmt(d[2], d[1], rm, dst)
    return box(r, dst), fl

def sgnj(a, b, f, kind):
    ua, ub = unbox(a, f), unbox(b, f)
    sb = f.width - 1
    sa_, sb_ = ua >> sb, ub >> sb
    s = {'j': sb_, 'n': sb_ ^ 1, 'x': sa_ ^ sb_}[kind]
    return box((ua & ~(1 << sb)) | (s << sb), f), 0
