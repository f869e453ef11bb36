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

def around(v, n=3):
    """v and its n neighbours on each side."""
    out = [v]
    a = b = v
    for _ in range(n):
        a = math.nextafter(a, -math.inf)
        b = math.nextafter(b, math.inf)
        out += [a, b]
    return out


def both_signs(vs):
    return [w for v in vs for w in (v, -v)]


def near_half_pi_multiples():
    # The doubles nearest k*pi/2: the reduced argument is smallest there (cancellation).
    ks = list(range(1, 120)) + [rng.randint(120, 2_000_000) for _ in range(150)]
    return [float(mp.mpf(k) * mp.pi / 2) for k in ks]


LN2 = math.log(2)
EDGES = {
    "exp": around(709.78) + around(-708.3) + both_signs([(k + 0.5) * LN2 for k in range(6)]) + [2.0 ** -k for k in range(1, 60, 3)],
    "expm1": both_signs(around(0.34657359027997264, 6) + around(0.7, 6) + around(1.0397207708399179, 6) + [0.5, 0.7, 1.0, 2.0, 37.9] + [2.0 ** -k for k in range(1, 60, 3)]),
    "log": [1 + k * 2.0 ** -52 for k in range(1, 40)] + [1 - k * 2.0 ** -53 for k in range(1, 40)] + around(math.sqrt(2)) + around(math.sqrt(0.5)) + [5e-324, 1e-310, 1.7976931348623157e308],
    "log1p": [-1 + 2.0 ** -k for k in range(1, 53, 2)] + around(math.sqrt(0.5) - 1) + around(math.sqrt(2) - 1) + both_signs([2.0 ** -k for k in range(1, 60, 3)]),
    "sin": both_signs(near_half_pi_multiples() + around(math.pi / 4)),
    "cos": both_signs(near_half_pi_multiples() + around(math.pi / 4)),
    "tan": both_signs(near_half_pi_multiples() + around(math.pi / 4)),
    "atan": both_signs(around(7 / 16) + around(11 / 16) + around(19 / 16) + around(39 / 16) + around(1.0)),
    "asin": both_signs(around(0.5) + [1 - 2.0 ** -k for k in range(1, 53, 2)]),
    "acos": both_signs(around(0.5) + [1 - 2.0 ** -k for k in range(1, 53, 2)]),
    "sinh": both_signs(around(1.0) + around(22.0) + [709.5, 710.0, 710.4, 710.47]),
    "cosh": both_signs(around(1.0) + around(22.0) + [709.5, 710.0, 710.4, 710.47]),
    "tanh": both_signs(around(0.55) + around(22.0) + [0.3, 0.6, 1.0, 5.0]),
    "asinh": both_signs(around(0.5) + around(2.0) + around(2.0 ** 28) + around(2.0 ** 52) + around(2.0 ** 1022) + [1.7e308]),
    "acosh": [1 + k * 2.0 ** -52 for k in range(1, 40)] + around(2.0) + around(2.0 ** 28) + around(2.0 ** 52) + around(2.0 ** 1022) + [1.7e308],
    "atanh": both_signs(around(0.5) + [1 - k * 2.0 ** -53 for k in range(1, 40)]),
    "cbrt": both_signs([w for n in (2, 3, 7, 10, 1000, 123456) for w in around(float(n) ** 3)] + [5e-324, 1e-310, 2.0, 4.0]),
}
for key in ("log2", "log10"):
    EDGES[key] = EDGES["log"] + [2.0 ** k for k in range(-1074, 1024, 37)] + [10.0 ** k for k in range(-300, 300, 23)]

os.makedirs(OUT, exist_ok=True)
for name, (gen, f) in FUNCS.items():
    lines = []
    edges = [(v,) for v in EDGES.get(name, [])]
    if name == "atan2":
        edges = [(y * s, x * t) for y, x in [(7.0, 16.0), (11.0, 16.0), (19.0, 16.0), (39.0, 16.0), (1.0, 1.0), (1e-300, 1e300)]
                 for s in (1, -1) for t in (1, -1)]
    if name == "pow":
        edges = [(1 + 2.0 ** -30, 2.0 ** 35), (2.0, 1023.5), (2.0, -1074.0), (-3.0, 5.0), (-0.5, 7.0), (10.0, 308.0), (0.5, 0.5),
                 (1 - 2.0 ** -40, 3e13), (7.0, 1.0 / 3.0)]
    while len(lines) < N:
        args = edges.pop() if edges else gen()
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
