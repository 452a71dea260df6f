"""Bodies in every media type a response may document: JSON, XML, text, CSV and binary files.

Pure: values in, text or bytes out. `negotiate` picks among documented media types as `Accept` asks.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import struct
import zlib
from random import Random
from typing import Any
from xml.sax.saxutils import escape, quoteattr

_XML_NAME = re.compile(r"[^A-Za-z0-9_.-]")


def kind(media_type: str) -> str:
    """json, ndjson, sse, xml, text, csv, form or binary: how a body of `media_type` is written."""
    media = media_type.split(";", 1)[0].strip().lower()
    if media in ("application/json", "text/json", "*/*", "application/*") or media.endswith("+json"):
        return "json"
    if media.endswith(("jsonl", "ndjson", "json-seq", "jsonlines")):
        return "ndjson"
    if media == "text/event-stream":
        return "sse"
    if media in ("application/xml", "text/xml") or media.endswith("+xml"):
        return "xml"
    if media == "text/csv":
        return "csv"
    if media == "application/x-www-form-urlencoded":
        return "form"
    if media.startswith("text/") or media in ("application/javascript", "application/yaml", "application/x-yaml"):
        return "text"
    return "binary"


def negotiate(accept: str | None, available: list[str], default: str | None = None) -> str | None:
    """The documented media type the client prefers (RFC 9110 `Accept`), or None when it takes none of them.

    Each type takes the quality of the most specific range that matches it (`text/csv;q=0` refuses CSV even
    beside `*/*`); the highest quality wins, and among equals `default`, else the first documented."""
    if not available:
        return None
    default = default if default in available else available[0]
    if not accept or not accept.strip():
        return default
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media.lower(), quality))
    best: tuple[float, str] | None = None
    for media in [default, *available]:
        plain = media.split(";", 1)[0].strip().lower()
        matching = [(_specificity(r), q) for r, q in ranges if _matches(r, plain)]
        quality = max(matching)[1] if matching else 0.0
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, media)
    return best[1] if best else None


def _specificity(media_range: str) -> int:
    return 0 if media_range == "*/*" else 1 if media_range.endswith("/*") else 2


def _matches(media_range: str, media: str) -> bool:
    if media_range in ("*/*", media) or media in ("*/*",):
        return True
    kind_, _, sub = media_range.partition("/")
    return sub == "*" and media.startswith(kind_ + "/")


def to_xml(value: Any, schema: Any, name: str = "root") -> str:
    """`value` as XML, following the schema's `xml` keyword (name, attribute, wrapped, prefix, namespace)."""
    xml = _mapping(schema.get("xml")) if isinstance(schema, dict) else {}
    root = _xml_name(str(xml.get("name") or name))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _element(value, schema, root, xml)


def _element(value: Any, schema: Any, name: str, xml: dict[str, Any]) -> str:
    tag = f"{xml['prefix']}:{name}" if xml.get("prefix") else name
    namespace = ""
    if xml.get("namespace"):
        attribute = f"xmlns:{xml['prefix']}" if xml.get("prefix") else "xmlns"
        namespace = f" {attribute}={quoteattr(str(xml['namespace']))}"
    schema = schema if isinstance(schema, dict) else {}
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        attributes, children = [], []
        for key, item in value.items():
            sub = _mapping(props.get(key))
            sub_xml = _mapping(sub.get("xml"))
            child_name = _xml_name(str(sub_xml.get("name") or key))
            if sub_xml.get("attribute") and not isinstance(item, (dict, list)):
                attributes.append(f" {child_name}={quoteattr(_text(item))}")
            else:
                children.append(_element(item, sub, child_name, sub_xml))
        return f"<{tag}{namespace}{''.join(attributes)}>{''.join(children)}</{tag}>"
    if isinstance(value, list):
        items = _mapping(schema.get("items"))
        item_xml = _mapping(items.get("xml"))
        item_name = _xml_name(str(item_xml.get("name") or name))
        inner = "".join(_element(v, items, item_name, item_xml) for v in value)
        # Unwrapped (the default) arrays repeat the item element in place; wrapped ones get an outer element.
        return f"<{tag}{namespace}>{inner}</{tag}>" if xml.get("wrapped") else inner
    if value is None:
        return f"<{tag}{namespace}/>"
    return f"<{tag}{namespace}>{escape(_text(value))}</{tag}>"


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_name(name: str) -> str:
    cleaned = _XML_NAME.sub("_", name) or "item"
    return cleaned if cleaned[0].isalpha() or cleaned[0] == "_" else f"_{cleaned}"


def to_lines(value: Any, *, sse: bool = False) -> str:
    """JSON lines (one item of a list per line), or server-sent events (`data: …` per item)."""
    items = value if isinstance(value, list) else [value]
    lines = [json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in items]
    return "".join(f"data: {line}\n\n" for line in lines) if sse else "".join(f"{line}\n" for line in lines)


def to_text(value: Any) -> str:
    """A text body: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def to_csv(value: Any) -> str:
    """A list of objects as CSV with a header row; anything else as one cell."""
    rows = value if isinstance(value, list) else [value]
    if isinstance(value, str):
        return value
    out = io.StringIO()
    if rows and all(isinstance(r, dict) for r in rows):
        columns = list(dict.fromkeys(k for r in rows for k in r))
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _cell(r.get(k)) for k in columns} for r in rows)
    else:
        writer_ = csv.writer(out, lineterminator="\n")
        writer_.writerows([_cell(r)] for r in rows)
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def binary(media_type: str, rng: Random) -> bytes:
    """A small, valid file of `media_type` (PNG, GIF, JPEG, PDF, ZIP, …), else random bytes."""
    media = media_type.split(";", 1)[0].strip().lower()
    maker = _FILES.get(media)
    if maker is not None:
        return maker(rng)
    if media.startswith("image/"):
        return _png(rng)
    return bytes(rng.getrandbits(8) for _ in range(64 + int(rng.random() * 192)))


def _png(rng: Random) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    pixel = bytes([0, rng.getrandbits(8), rng.getrandbits(8), rng.getrandbits(8)])  # filter byte, then RGB
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixel)) + chunk(b"IEND", b"")


def _gif(rng: Random) -> bytes:
    return base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")  # 1×1, transparent


def _jpeg(rng: Random) -> bytes:
    # A 1×1 grey baseline JPEG: one 8×8 block whose DC difference and AC run both code as a 1-bit "0".
    segments = [
        b"\xff\xd8",  # SOI
        b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x01\x00\x48\x00\x48\x00\x00",
        b"\xff\xdb\x00\x43\x00" + b"\x01" * 64,  # one quantisation table
        b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00",  # 8-bit, 1×1, one component
        b"\xff\xc4\x00\x14\x00\x01" + b"\x00" * 15 + b"\x00",  # DC table: one 1-bit code for category 0
        b"\xff\xc4\x00\x14\x10\x01" + b"\x00" * 15 + b"\x00",  # AC table: one 1-bit code for end-of-block
        b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00",  # start of scan
        b"\x3f",  # "0" (DC), "0" (EOB), padded with ones
        b"\xff\xd9",  # EOI
    ]
    return b"".join(segments)


def _pdf(rng: Random) -> bytes:
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ]
    body, offsets = "%PDF-1.4\n", []
    for number, text in enumerate(objects, 1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n{text}\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    body += "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return body.encode("ascii")


def _zip(rng: Random) -> bytes:
    return b"PK\x05\x06" + b"\x00" * 18  # an empty archive


_FILES = {
    "image/png": _png,
    "image/gif": _gif,
    "image/jpeg": _jpeg,
    "image/jpg": _jpeg,
    "application/pdf": _pdf,
    "application/zip": _zip,
}
