#!/usr/bin/env python3
"""Writes the image fixtures the Swift Vision tests decode, and what Pillow makes of each.

Usage: make_image_fixtures.py OUT_DIR. Writes image files plus manifest.json:
{name: {"file", "width", "height", "rgb"}} where "rgb" names a raw dump of Pillow's decode
(EXIF orientation applied, then convert("RGB")) for the files Pillow reads; hostile files have no
"rgb". Generated at test time so that no binary fixture is committed.
"""
import json
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
manifest = {}


def pattern(width, height):
    """An asymmetric colour image: gradients plus a block in one corner, so flips are visible."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([(x * 255 // max(width - 1, 1)), (y * 255 // max(height - 1, 1)), ((x + 2 * y) * 3) % 256], -1)
    rgb[: height // 4, : width // 3] = [250, 30, 40]
    return rgb.astype(np.uint8)


def record(name, path, reference=True):
    entry = {"file": path.name}
    if reference:
        with Image.open(path) as image:
            rgb = ImageOps.exif_transpose(image).convert("RGB")
        raw = out / f"{name}.rgb"
        raw.write_bytes(np.asarray(rgb, dtype=np.uint8).tobytes())
        entry.update(width=rgb.size[0], height=rgb.size[1], rgb=raw.name)
    manifest[name] = entry


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png16(path, rgb16):
    height, width, _ = rgb16.shape
    rows = b"".join(b"\x00" + rgb16[row].astype(">u2").tobytes() for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
                     + png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))


base = Image.fromarray(pattern(96, 64))

# Grey, CMYK (Pillow writes Adobe-inverted CMYK), progressive JPEGs.
path = out / "grey.jpg"; base.convert("L").save(path, quality=90); record("grey", path)
path = out / "cmyk.jpg"; base.convert("CMYK").save(path, quality=95); record("cmyk", path)
path = out / "progressive.jpg"; base.save(path, quality=90, progressive=True); record("progressive", path)
path = out / "baseline.jpg"; base.save(path, quality=90); record("baseline", path)
path = out / "sub422.jpg"; base.save(path, quality=90, subsampling=1); record("sub422", path)
path = out / "sub444.jpg"; base.save(path, quality=90, subsampling=0); record("sub444", path)
path = out / "one.jpg"; Image.new("RGB", (1, 1), (200, 100, 50)).save(path); record("one_jpeg", path)
path = out / "one.png"; Image.new("RGB", (1, 1), (10, 220, 130)).save(path); record("one_png", path)

# 16-bit RGB PNG (Pillow keeps the high byte), palette PNG with a transparent entry, RGBA, LA.
rng = np.random.default_rng(7)
write_png16(out / "rgb16.png", rng.integers(0, 65536, size=(40, 50, 3)).astype(np.uint16)); record("rgb16", out / "rgb16.png")
palette = base.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
path = out / "palette_transparent.png"; palette.save(path, transparency=3); record("palette_transparent", path)
palette256 = base.convert("P", palette=Image.Palette.ADAPTIVE, colors=200)
path = out / "palette256.png"; palette256.save(path, transparency=7); record("palette256", path)
rgba = base.convert("RGBA"); rgba.putalpha(Image.fromarray((pattern(96, 64)[:, :, 0] // 2).astype(np.uint8)))
path = out / "rgba.png"; rgba.save(path); record("rgba", path)
path = out / "grey_alpha.png"; rgba.convert("LA").save(path); record("grey_alpha", path)
path = out / "grey.png"; base.convert("L").save(path); record("grey_png", path)

# EXIF orientations: stored so that exif_transpose gives `base` back.
inverse = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
           5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
           8: Image.Transpose.ROTATE_270}
upright = out / "upright.rgb"; upright.write_bytes(np.asarray(base).tobytes())
for orientation in range(1, 9):
    stored = base if orientation == 1 else base.transpose(inverse[orientation])
    exif = Image.Exif(); exif[0x0112] = orientation
    path = out / f"exif_{orientation}.jpg"
    stored.save(path, quality=95, subsampling=0, exif=exif.tobytes())
    record(f"exif_{orientation}", path)
    path = out / f"exif_{orientation}.png"  # an eXIf chunk: Pillow writes it before IDAT
    stored.save(path, exif=exif.tobytes())
    record(f"exif_png_{orientation}", path)

# Hostile inputs.
(out / "empty.jpg").write_bytes(b""); record("empty", out / "empty.jpg", reference=False)
(out / "text.jpg").write_bytes(b"this is a text file, not a JPEG\n"); record("text", out / "text.jpg", reference=False)
full = (out / "baseline.jpg").read_bytes()
(out / "truncated.jpg").write_bytes(full[: len(full) * 6 // 10]); record("truncated", out / "truncated.jpg", reference=False)
(out / "gif.jpg").write_bytes(b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(20)); record("gif", out / "gif.jpg", reference=False)
(out / "webp.png").write_bytes(b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(24)); record("webp", out / "webp.png", reference=False)

# A 20000x20000 frame header on real JPEG data: refused from the header, before decoding.
sof = full.index(b"\xff\xc0")
bomb = bytearray(full); bomb[sof + 5:sof + 9] = struct.pack(">HH", 20000, 20000)
(out / "bomb.jpg").write_bytes(bytes(bomb)); record("bomb", out / "bomb.jpg", reference=False)

# A tables-only ("abbreviated") JPEG: SOI, the DQT/DHT segments, EOI; no frame.
segments, at = [], 2
while at < len(full):
    marker, length = full[at + 1], struct.unpack(">H", full[at + 2:at + 4])[0]
    if marker in (0xDB, 0xC4):
        segments.append(full[at:at + 2 + length])
    if marker == 0xDA:
        break
    at += 2 + length
(out / "tables_only.jpg").write_bytes(b"\xff\xd8" + b"".join(segments) + b"\xff\xd9")
record("tables_only", out / "tables_only.jpg", reference=False)

# A corrupt PNG: valid signature and header, garbage image data.
good = (out / "grey.png").read_bytes()
idat = good.index(b"IDAT")
(out / "corrupt.png").write_bytes(good[: idat + 4] + bytes(range(256)) * 4); record("corrupt_png", out / "corrupt.png", reference=False)

(out / "manifest.json").write_text(json.dumps(manifest, indent=1))
