"""Reading the grader's HTML back in tests: well-formedness, the numbers in data- attributes, the
URLs a page could fetch, and a PNG decoder (standard library only) for screenshots."""

import re
import struct
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser

VOID = {"meta", "link", "br", "hr", "img", "input", "col", "area", "base", "source", "wbr", "line", "rect"}


class Elements(HTMLParser):
    """Every element as (tag, attributes, text inside it); checks that tags nest and close."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.stack, self.errors = [], [], []

    def handle_starttag(self, tag, attrs):
        element = [tag, dict(attrs), ""]
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append([tag, dict(attrs), ""])

    def handle_endtag(self, tag):
        if tag in VOID and (not self.stack or self.stack[-1][0] != tag):
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        for element in self.stack:
            element[2] += data


def parse(text):
    """(elements, [tag, attrs, text]) after checking the page is well-formed: as HTML (every tag
    closed in order) and as XML."""
    reader = Elements()
    reader.feed(text)
    reader.close()
    assert reader.errors == [] and [e[0] for e in reader.stack] == [], (reader.errors, reader.stack)
    ET.fromstring(re.sub(r"^<!DOCTYPE html>\n", "", text))  # well-formed XML too
    return reader.elements


def having(elements, tag, **attributes):
    return [e for e in elements if e[0] == tag and all(e[1].get(k.replace("_", "-")) == v if v is not None
                                                       else k.replace("_", "-") in e[1]
                                                       for k, v in attributes.items())]


def fetchable_urls(text):
    """Everything in a page that a browser could fetch from elsewhere: URLs with a scheme or
    protocol-relative ones in src/href/url(), and @import."""
    found = re.findall(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*((?:[a-z][a-z0-9+.-]*:|//)[^"' >]*)""",
                       text, re.IGNORECASE)
    found += re.findall(r"url\(([^)]*)\)", text) + re.findall(r"@import", text)
    found += re.findall(r"https?://", text)
    return found


# -- PNG, as Chromium writes it: 8 bits per channel, RGB or RGBA, not interlaced -----------------

def read_png(data):
    """(width, height, rows): each row a bytes object of RGB or RGBA pixels, channels per pixel."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack("!I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack("!IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows, channels


def pixels_like(png, colour, tolerance=12, region=None):
    """How many pixels are within ``tolerance`` of ``colour`` ("#rrggbb"), in ``region``
    (x0, y0, x1, y1) or everywhere."""
    width, height, rows, channels = png
    target = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    x0, y0, x1, y1 = region or (0, 0, width, height)
    count = 0
    for y in range(y0, min(y1, height)):
        row = rows[y]
        for x in range(x0, min(x1, width)):
            pixel = row[x * channels:x * channels + 3]
            if all(abs(pixel[c] - target[c]) <= tolerance for c in range(3)):
                count += 1
    return count
