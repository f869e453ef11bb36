"""Reference values for Dsl.PortableMath's double tests, from mpmath 1.3.0 at 60 digits.

Writes Tests/Dsl.Math.Tests/refs/<function>.txt: one point a line, the inputs then the correctly
rounded double result, each as 16 hex digits of the IEEE bits. Deterministic (seed 9).
Outputs that would be subnormal are skipped (mpmath's float conversion may round them twice).
Run: python3 Tests/Dsl.Math.Tests/tools/make_refs.py
"""
import math
import os
import random
import struct

import mpmath as mp

mp.mp.dps = 60
N = 2000
rng = random.Random(9)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "refs")


def bits(v):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]


def logu(lo, hi):
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def signed(lo, hi):
    v = logu(lo, hi)
    return v if rng.random() < 0.5 else -v


def near_one(lo=1e-16, hi=0.5):
    return 1.0 + signed(lo, hi)


def acosh_x():
    return 1.0 + (logu(1e-16, 1e300) if rng.random() < 0.7 else logu(1e-16, 1.0))


def atanh_x():
    if rng.random() < 0.2:
        v = 1.0 - logu(1.2e-16, 0.5)
    else:
        v = logu(1e-300, 1.0)
    return v if rng.random() < 0.5 else -v


def pow_xy():
    x = logu(1e-300, 1e300)
    lx = abs(math.log(x)) or 1.0
    if rng.random() < 0.3:
        y = float(rng.randint(-60, 60))
        if rng.random() < 0.5:
            x = -x
        if abs(y * math.log(abs(x))) > 700:
            x = math.copysign(logu(0.01, 100.0), x)
        return x, y
    y = signed(1e-10, 700.0 / lx)
    return x, y


FUNCS = {
    "exp": (lambda: (signed(1e-300, 708.0),), mp.exp),
    "expm1": (lambda: (signed(1e-300, 709.0),), mp.expm1),
    "log": (lambda: (logu(1e-320, 1e308) if rng.random() < 0.7 else near_one(),), mp.log),
    "log2": (lambda: (logu(1e-320, 1e308) if rng.random() < 0.7 else near_one(),), lambda v: mp.log(v, 2)),
    "log10": (lambda: (logu(1e-320, 1e308) if rng.random() < 0.7 else near_one(),), mp.log10),
    "log1p": (lambda: (signed(1e-300, 1.0) if rng.random() < 0.6 else logu(1e-300, 1e300),), mp.log1p),
    "sin": (lambda: (signed(1e-300, 3.2e6),), mp.sin),
    "cos": (lambda: (signed(1e-300, 3.2e6),), mp.cos),
    "tan": (lambda: (signed(1e-300, 3.2e6),), mp.tan),
    "atan": (lambda: (signed(1e-300, 1e300),), mp.atan),
    "atan2": (lambda: (signed(1e-300, 1e300), signed(1e-300, 1e300)), mp.atan2),
    "asin": (lambda: (signed(1e-300, 1.0),), mp.asin),
    "acos": (lambda: (signed(1e-300, 1.0),), mp.acos),
    "sinh": (lambda: (signed(1e-300, 710.0),), mp.sinh),
    "cosh": (lambda: (signed(1e-300, 710.0),), mp.cosh),
    "tanh": (lambda: (signed(1e-300, 30.0),), mp.tanh),
    "asinh": (lambda: (signed(1e-300, 1e300),), mp.asinh),
    "acosh": (lambda: (acosh_x(),), mp.acosh),
    "atanh": (lambda: (atanh_x(),), mp.atanh),
    "pow": (pow_xy, mp.power),
    "cbrt": (lambda: (signed(1e-320, 1e308),), lambda v: mp.sign(v) * mp.cbrt(abs(v))),
}

os.makedirs(OUT, exist_ok=True)
for name, (gen, f) in FUNCS.items():
    lines = []
    while len(lines) < N:
        args = gen()
        v = f(*[mp.mpf(a) for a in args])
        r = float(v)
        if r != 0.0 and abs(r) < 2.2250738585072014e-308:
            continue
        if math.isinf(r) or math.isnan(r):
            continue
        lines.append(" ".join(bits(a) for a in args) + " " + bits(r))
    with open(os.path.join(OUT, name + ".txt"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print(name, len(lines))
