"""Near-minimax polynomial coefficients for Dsl.PortableMath (mpmath 1.3.0, 50 digits).

Each kernel is f(x) = x + x*z*Q(z) with z = x*x on [0, zmax]; Q is fitted by Chebyshev
interpolation (mpmath.chebyfit), which is within a small factor of the minimax error.
Prints Q's coefficients, lowest degree first, and the fit's relative error bound.
Run: python3 Tests/Dsl.Math.Tests/tools/fit_coeffs.py
"""
import mpmath as mp

mp.mp.dps = 50

def q_of(f, leading):
    # Q(z) = (f(sqrt z)/sqrt z - 1)/z, with its limit `leading` at z = 0.
    def q(z):
        if z == 0:
            return mp.mpf(leading)
        s = mp.sqrt(z)
        return (f(s) / s - 1) / z
    return q

KERNELS = [
    # name, f, Q(0), zmax, degree count
    ("atan |t|<=7/16", mp.atan, mp.mpf(-1) / 3, (mp.mpf(7) / 16) ** 2, 12),
    ("asin |x|<=1/2", mp.asin, mp.mpf(1) / 6, mp.mpf(1) / 4, 13),
    ("tanh |x|<=0.55", mp.tanh, mp.mpf(-1) / 3, mp.mpf("0.55") ** 2, 13),
    ("asinh |x|<=0.5", mp.asinh, mp.mpf(-1) / 6, mp.mpf(1) / 4, 18),
]

for name, f, lead, zmax, n in KERNELS:
    q = q_of(f, lead)
    coeffs, err = mp.chebyfit(q, [0, zmax], n, error=True)
    coeffs = list(reversed(coeffs))
    # The kernel's relative error from Q's error is about zmax*err (the x*z*Q term).
    print(f"// {name}: {n} coefficients, |Q error| <= {mp.nstr(err, 3)}, relative kernel error <= {mp.nstr(err * zmax, 3)}")
    for c in coeffs:
        print(f"    {float(c)!r},")
