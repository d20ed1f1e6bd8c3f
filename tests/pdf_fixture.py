"""Small PDFs written by hand for the document-upload tests: a text PDF whose Chinese lines a
PDF reader extracts (a Type0 font, Identity-H codes that are the characters' own code points,
and a ToUnicode map that says so), and a "scanned" PDF: one image, no text at all."""

from __future__ import annotations

import zlib

PAGE_W, PAGE_H = 595, 842  # A4 in points
FONT_SIZE = 12
LINE_GAP = 18

TO_UNICODE = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfrange
<0000> <FFFF> <0000>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end"""


def _stream(body: bytes, extra: bytes = b"") -> bytes:
    data = zlib.compress(body)
    return (
        b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(data), extra)
        + data
        + b"\nendstream"
    )


def _write(objects: list[bytes]) -> bytes:
    """Objects 1..n (1 is the catalog) with a cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _hex(line: str) -> bytes:
    return b"<" + "".join(f"{ord(ch):04X}" for ch in line).encode() + b">"


def text_pdf(pages: list[list[str]]) -> bytes:
    """A PDF of these pages of lines (a blank string is an empty line)."""
    n_pages = len(pages)
    # 1 catalog, 2 pages, 3 font, 4 descendant font, 5 ToUnicode, then a page and its content
    kids = " ".join(f"{6 + 2 * i} 0 R" for i in range(n_pages)).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n_pages,
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/DW 1000 >>",
        _stream(TO_UNICODE),
    ]
    for i, lines in enumerate(pages):
        ops = [b"BT", b"/F1 %d Tf" % FONT_SIZE, b"%d TL" % LINE_GAP, b"50 %d Td" % (PAGE_H - 60)]
        for line in lines:
            ops.append(_hex(line) + b" Tj T*" if line else b"T*")
        ops.append(b"ET")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] " % (PAGE_W, PAGE_H)
            + b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (7 + 2 * i)
        )
        objects.append(_stream(b"\n".join(ops)))
    return _write(objects)


def scanned_pdf(pages: int = 1) -> bytes:
    """A PDF whose pages are only a picture (a grey square), as a scanner makes them."""
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages)).encode()
    side = 8
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        _stream(
            bytes([128]) * (side * side),
            b"/Type /XObject /Subtype /Image /Width %d /Height %d " % (side, side)
            + b"/ColorSpace /DeviceGray /BitsPerComponent 8 ",
        ),
    ]
    for i in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] " % (PAGE_W, PAGE_H)
            + b"/Resources << /XObject << /Im1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(_stream(b"q 500 0 0 700 40 70 cm /Im1 Do Q"))
    return _write(objects)
