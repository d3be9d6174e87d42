"""A minimal TensorBoard event file writer for tests, independent of trail's reader: TFRecord framing
with masked CRC32C (computed bit by bit) and hand-encoded Event protos."""
import struct


def _crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def _masked(data):
    crc = _crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number, wire, payload):
    key = _varint((number << 3) | wire)
    if wire == 2:
        return key + _varint(len(payload)) + payload
    return key + payload


def record(data):
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", _masked(header)) + data + struct.pack("<I", _masked(data))


def event(wall_time, step, values=None, file_version=None):
    """values: list of (tag, float) written as simple_value, or (tag, float, 'tensor') as a TF2 scalar tensor."""
    msg = _field(1, 1, struct.pack("<d", wall_time)) + _field(2, 0, _varint(step))
    if file_version:
        msg += _field(3, 2, file_version.encode())
    if values:
        summary = b""
        for v in values:
            tag, x = v[0], v[1]
            if len(v) > 2 and v[2] == "tensor":
                tensor = _field(1, 0, _varint(1)) + _field(2, 2, b"") + _field(4, 2, struct.pack("<f", x))
                meta = _field(1, 2, _field(1, 2, b"scalars"))
                value = _field(1, 2, tag.encode()) + _field(8, 2, tensor) + _field(9, 2, meta)
            else:
                value = _field(1, 2, tag.encode()) + _field(2, 5, struct.pack("<f", x))
            summary += _field(1, 2, value)
        msg += _field(5, 2, summary)
    return record(msg)


def write_events(path, points, start_time=1.7e9):
    """points: list of (step, [(tag, value[, 'tensor'])...])."""
    with open(path, "wb") as f:
        f.write(event(start_time, 0, file_version="brain.Event:2"))
        for step, values in points:
            f.write(event(start_time + step, step, values))
