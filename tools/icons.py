#!/usr/bin/env python3
"""Writes the app icons (www/icons/*.png) for the web app manifest. Standard library only.

    python3 tools/icons.py            # rewrites www/icons/icon-192.png, icon-512.png, icon-maskable-512.png

The picture: three log lines over the logo's downward triangle ("a log, dropped"), white on the
page's accent blue. `icon-*` has rounded corners and a transparent outside (purpose "any");
`icon-maskable-512` fills the square and keeps the picture inside the central 80% safe zone.
The PNGs are committed; rerun this only when the picture changes.
"""

import os
import struct
import zlib

ACCENT = (11, 99, 197)  # --accent in www/style.css
WHITE = (255, 255, 255)
SAMPLES = 4  # per axis: 16 samples per pixel for smooth edges


def rounded_rect(x, y, x0, y0, x1, y1, r):
    """Inside test for a rectangle with corner radius r (unit coordinates)."""
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def triangle(x, y, ax, ay, bx, by, cx, cy):
    def side(px, py, qx, qy):
        return (x - qx) * (py - qy) - (px - qx) * (y - qy)

    d1, d2, d3 = side(ax, ay, bx, by), side(bx, by, cx, cy), side(cx, cy, ax, ay)
    neg = d1 < 0 or d2 < 0 or d3 < 0
    pos = d1 > 0 or d2 > 0 or d3 > 0
    return not (neg and pos)


def picture(x, y, scale):
    """True where the white picture is, in unit coordinates around the centre 0.5, 0.5."""
    # Map into the picture's own box, shrunk by `scale` around the centre.
    u = (x - 0.5) / scale + 0.5
    v = (y - 0.5) / scale + 0.5
    h, r = 0.075, 0.0375
    for top, right in ((0.17, 0.80), (0.30, 0.62), (0.43, 0.72)):
        if rounded_rect(u, v, 0.20, top, right, top + h, r):
            return True
    return triangle(u, v, 0.26, 0.58, 0.74, 0.58, 0.50, 0.84)


def render(size, maskable):
    rows = []
    step = 1.0 / (size * SAMPLES)
    for py in range(size):
        row = bytearray([0])  # filter type: none
        for px in range(size):
            bg = fg = 0
            for sy in range(SAMPLES):
                y = (py * SAMPLES + sy + 0.5) * step
                for sx in range(SAMPLES):
                    x = (px * SAMPLES + sx + 0.5) * step
                    inside = True if maskable else rounded_rect(x, y, 0, 0, 1, 1, 0.18)
                    if inside:
                        bg += 1
                        if picture(x, y, 0.78 if maskable else 0.92):
                            fg += 1
            n = SAMPLES * SAMPLES
            if bg == 0:
                row += bytes((0, 0, 0, 0))
                continue
            t = fg / bg
            rgb = [round(a + (b - a) * t) for a, b in zip(ACCENT, WHITE)]
            row += bytes((*rgb, round(255 * bg / n)))
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(width, height, raw):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "www", "icons")
    os.makedirs(out, exist_ok=True)
    for name, size, maskable in (("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("icon-maskable-512.png", 512, True)):
        path = os.path.join(out, name)
        with open(path, "wb") as f:
            f.write(render(size, maskable))
        print(f"{os.path.relpath(path)}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
