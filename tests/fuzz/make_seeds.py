#!/usr/bin/env python3
"""Writes the seed corpora in tests/fuzz/corpus/<name>/ (run from the
repository root; qemu-img and qemu-io make the qcow2 seeds). The layouts
are the ones each harness's comment describes."""
import os, struct, subprocess, tempfile

BASE = 0x80000000
NEXT, WRITE, INDIRECT = 1, 2, 4


def desc(addr_off, length, flags=0, nxt=0):
    return struct.pack('<QIHH', BASE + addr_off, length, flags, nxt)


class Ram:
    def __init__(self):
        self.b = bytearray()

    def put(self, off, data):
        if len(self.b) < off + len(data):
            self.b += bytes(off + len(data) - len(self.b))
        self.b[off:off + len(data)] = data


def queue(ram, at, num, descs, heads):
    """descriptor table at `at`, available ring after it; returns the end"""
    for i, d in enumerate(descs):
        ram.put(at + 16 * i, d)
    av = at + 16 * num
    ram.put(av, struct.pack('<HH', 0, len(heads)))
    ring = [0] * num
    for k, h in enumerate(heads):
        ring[k] = h
    ram.put(av + 4, struct.pack('<%dH' % num, *ring) + b'\0\0')
    return av + ((6 + 2 * num + 15) & ~15)


def write(name, seed, data):
    d = os.path.join('tests/fuzz/corpus', name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, seed), 'wb') as f:
        f.write(data)


def virtqueue():
    # num 4: a readable + writable chain, then an indirect one
    r = Ram()
    queue(r, 0, 4, [desc(0x200, 16, NEXT, 1), desc(0x300, 32, WRITE),
                    desc(0x400, 32, INDIRECT)], [0, 2])
    r.put(0x400, desc(0x200, 8, NEXT, 1) + desc(0x300, 8, WRITE))
    r.put(0x420, b'')
    write('virtqueue', 'plain_and_indirect', bytes([2, 3]) + r.b)
    r = Ram()
    queue(r, 0, 1, [desc(0x100, 64)], [0])
    write('virtqueue', 'one', bytes([0, 0]) + r.b)


def blk():
    def req(typ, sector, data_len, data_flags, extra=b''):
        r = Ram()
        hdr, dat, st = 0x200, 0x400, 0x300
        r.put(hdr, struct.pack('<IIQ', typ, 0, sector) + extra)
        ds = [desc(hdr, 16 + len(extra), NEXT, 1)]
        if data_len:
            ds.append(desc(dat, data_len, NEXT | data_flags, 2))
        ds.append(desc(st, 1, WRITE))
        ds[0] = desc(hdr, 16 + len(extra), NEXT, 1)
        queue(r, 0, 4, ds, [0])
        r.put(dat, bytes(data_len))
        return bytes([2, 6]) + r.b
    write('virtio_blk', 'read', req(0, 1, 1024, WRITE))
    write('virtio_blk', 'write', req(1, 2, 512, 0))
    write('virtio_blk', 'flush', req(4, 0, 0, 0))
    write('virtio_blk', 'get_id', req(8, 0, 20, WRITE))
    write('virtio_blk', 'discard', req(11, 0, 0, 0,
                                       struct.pack('<QII', 1, 2, 0)))
    write('virtio_blk', 'write_zeroes', req(13, 0, 0, 0,
                                            struct.pack('<QII', 3, 1, 1)))


def net():
    num = 4
    r = Ram()
    qsize = 16 * num + ((6 + 2 * num + 15) & ~15)
    # RX queue: two writable 1 KiB buffers
    queue(r, 0, num, [desc(0x400, 1024, WRITE), desc(0x800, 1024, WRITE)],
          [0, 1])
    # TX queue: header + 60-byte frame, then both in one descriptor
    queue(r, qsize, num, [desc(0x200, 12, NEXT, 1), desc(0x240, 60),
                          desc(0x300, 72)], [0, 2])
    r.put(0x240, b'\xff' * 6 + bytes(54))
    r.put(0x300, bytes(12) + b'\xff' * 6 + bytes(54))
    r.put(0xc00, b'')
    lens = struct.pack('<HH', 60, 1500)
    write('virtio_net', 'tx_rx', bytes([2, 0, 2]) + lens + r.b)
    write('virtio_net', 'tx_rx_nomrg_echo', bytes([2, 9, 2]) + lens + r.b)


def tcp4(payload):
    eth = b'\xff' * 6 + b'\x52\x54\x00\x12\x34\x56' + b'\x08\x00'
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 40 + payload, 1, 0, 64, 6, 0,
                     bytes([10, 0, 2, 15]), bytes([10, 0, 2, 2]))
    tcp = struct.pack('>HHIIBBHHH', 40000, 80, 1, 0, 0x50, 0x18, 1024, 0, 0)
    return eth + ip + tcp + bytes(range(256)) * (payload // 256) + \
        bytes(payload % 256)


def net_offload():
    # [flags gso_type hdr_len gso_size csum_start csum_offset][caps][frame]
    def hdr(flags, gso, hdr_len, gso_size, start, off):
        return struct.pack('<BBHHHH', flags, gso, hdr_len, gso_size, start,
                           off)
    write('net_offload', 'tso4', hdr(1, 1, 54, 1448, 34, 16) + bytes([7]) +
          tcp4(4000))
    write('net_offload', 'csum', hdr(1, 0, 0, 0, 34, 16) + bytes([1]) +
          tcp4(100))
    write('net_offload', 'plain', hdr(0, 0, 0, 0, 0, 0) + bytes([0]) +
          tcp4(10))


def net_merge():
    # [len lo hi][frame] repeated: a train of three, then a pure ACK
    def seg(seq, n):
        f = bytearray(tcp4(n))
        f[38:42] = struct.pack('>I', seq)
        f[47] = 0x10
        return bytes(f)
    frames = [seg(1, 1000), seg(1001, 1000), seg(2001, 500), seg(2501, 0)]
    write('net_merge', 'train', b''.join(struct.pack('<H', len(f)) + f
                                         for f in frames))


def qcow2():
    with tempfile.TemporaryDirectory() as t:
        for name, cs, cmds in [
                ('plain_512', 512, ['write -P 0x5a 0 4k']),
                ('compressed_4k', 4096, ['write -c -P 0x11 0 4k',
                                         'write -z 8k 4k']),
                ('empty_1k', 1024, [])]:
            p = os.path.join(t, name)
            subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-o',
                            'cluster_size=%d' % cs, p, '64k'], check=True)
            for c in cmds:
                subprocess.run(['qemu-io', '-f', 'qcow2', '-c', c, p],
                               check=True, stdout=subprocess.DEVNULL)
            with open(p, 'rb') as f:
                write('qcow2', name, f.read())


virtqueue()
blk()
net()
net_offload()
net_merge()
qcow2()
