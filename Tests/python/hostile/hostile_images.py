"""Hostile image files, made here from first principles: a PNG whose header claims a huge image
(a decompression bomb in a few hundred bytes), a JPEG cut short, a progressive JPEG whose first scan
repeats thousands of times (the scan bomb of Tests/VisionTests/Fixtures/JPEGScans.swift), and a
text file wearing a .jpg name."""
import io
import struct
import zlib

from PIL import Image


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))


def png_dimension_bomb(width: int = 60000, height: int = 60000) -> bytes:
    """RGB 8-bit, `width` x `height`, with the first rows of zeros compressed (a full IDAT would
    inflate to gigabytes; a decoder that allocates from the header alone is already lost)."""
    header = struct.pack("!IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\0" * (1 + 3 * width) * 16, 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", rows) + png_chunk(b"IEND", b"")


def truncated_jpeg(jpeg: bytes, fraction: float = 0.6) -> bytes:
    return jpeg[:int(len(jpeg) * fraction)]


def jpeg_scans(jpeg: bytes) -> tuple[bytes, list[bytes]]:
    """The bytes before the first start-of-scan, and each scan with the table segments before it."""
    offset, head, scans, pending = 2, None, [], b""
    while offset + 4 <= len(jpeg) and jpeg[offset] == 0xFF and jpeg[offset + 1] != 0xD9:
        length = jpeg[offset + 2] << 8 | jpeg[offset + 3]
        end = offset + 2 + length
        if jpeg[offset + 1] == 0xDA:
            # Entropy-coded data runs to the next marker other than a stuffed zero or a restart.
            while end + 1 < len(jpeg) and not (jpeg[end] == 0xFF and jpeg[end + 1] != 0
                                               and not 0xD0 <= jpeg[end + 1] <= 0xD7):
                end += 1
            if head is None:
                head = jpeg[:offset]
            scans.append(pending + jpeg[offset:end])
            pending = b""
        elif head is not None:
            pending += jpeg[offset:end]
        offset = end
    if head is None:
        raise ValueError("no start of scan")
    return head, scans


def progressive_scan_bomb(repeats: int = 5000) -> bytes:
    """A small progressive JPEG whose first (DC) scan, made self-consistent (no successive
    approximation: Ah = Al = 0), is repeated `repeats` times: each scan is a pass over every
    coefficient, so the decoding work grows with the count while the file stays small."""
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (120, 80, 40)).save(buffer, "JPEG", progressive=True, quality=90)
    head, scans = jpeg_scans(buffer.getvalue())
    scan = bytearray(scans[0])
    header_length = scan[2] << 8 | scan[3]
    scan[1 + header_length] = 0  # the scan header's last byte: Ah = 0, Al = 0
    return head + bytes(scan) * repeats + b"\xff\xd9"


NOT_AN_IMAGE = b"this is a text file wearing a .jpg name\n" * 20
