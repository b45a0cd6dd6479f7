#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Helpers of test_stress.sh that the shell cannot do by itself.

sink IFACE RUNTAG READY STOP OUT
    Counts, on IFACE, every frame carrying a vgpkt tag ("VG" and a 32-bit
    marker) whose upper 16 bits are RUNTAG, per marker, until the file
    STOP exists.  Creates READY once the socket is bound.  Writes to OUT
    one line per marker: "MARKER COUNT FIRST LAST SRC-MAC ETHERTYPE"
    (times: seconds since the epoch, those of the first and last frame;
    source MAC and ethertype of the first frame), then "lost N": frames
    the socket could not keep (the count is then a lower bound).

tcx IFINDEX...
    For each ifindex of the current network namespace, the ids of the
    programs attached at its tcx ingress hook, from the kernel itself
    (BPF_PROG_QUERY; bpftool older than 7.3 does not show tcx):
    "IFINDEX ID,ID" or "IFINDEX -" (none), "IFINDEX error:ERRNO".
"""
import ctypes
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_STATISTICS = 6
BPF_PROG_QUERY = 16
BPF_TCX_INGRESS = 46		# enum bpf_attach_type, Linux >= 6.6
NR_BPF = {"x86_64": 321, "aarch64": 280, "i686": 357, "armv7l": 386}


def sink(iface, runtag, ready, stop, out):
	s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
	s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
	s.bind((iface, ETH_P_ALL))
	s.setblocking(False)
	open(ready, "w").close()
	prefix = b"VG" + struct.pack(">H", runtag)
	seen = {}
	lost = 0
	p = select.poll()
	p.register(s, select.POLLIN)
	while True:
		if not p.poll(100):
			if os.path.exists(stop):
				break
			continue
		while True:
			try:
				f, addr = s.recvfrom(65536)
			except BlockingIOError:
				break
			if addr[2] == socket.PACKET_OUTGOING:
				continue
			i = f.find(prefix)
			if i < 0 or i + 6 > len(f):
				continue
			m = struct.unpack(">I", f[i + 2:i + 6])[0]
			now = time.time()
			e = seen.get(m)
			if e is None:
				seen[m] = [1, now, now, f[6:12].hex(":"), f[12:14].hex()]
			else:
				e[0] += 1
				e[2] = now
	st = s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
	lost = struct.unpack("II", st)[1]
	with open(out, "w") as o:
		for m, e in sorted(seen.items()):
			o.write("%d %d %.3f %.3f %s %s\n" % (m, e[0], e[1], e[2], e[3], e[4]))
		o.write("lost %d\n" % lost)


def tcx(ifindexes):
	libc = ctypes.CDLL(None, use_errno=True)
	nr = NR_BPF.get(os.uname().machine)
	for idx in ifindexes:
		if nr is None:
			print("%s error:unknown-arch" % idx)
			continue
		ids = (ctypes.c_uint32 * 64)()
		attr = ctypes.create_string_buffer(128)
		# union bpf_attr, query: target_ifindex, attach_type,
		# query_flags, attach_flags, prog_ids, prog_cnt.
		struct.pack_into("IIIIQI", attr, 0, int(idx), BPF_TCX_INGRESS, 0, 0,
				 ctypes.addressof(ids), 64)
		r = libc.syscall(nr, BPF_PROG_QUERY, attr, 128)
		if r != 0:
			print("%s error:%d" % (idx, ctypes.get_errno()))
			continue
		cnt = struct.unpack_from("I", attr, 24)[0]
		got = [str(ids[k]) for k in range(min(cnt, 64))]
		print("%s %s" % (idx, ",".join(got) if got else "-"))


def main():
	if len(sys.argv) >= 7 and sys.argv[1] == "sink":
		sink(sys.argv[2], int(sys.argv[3], 0), sys.argv[4], sys.argv[5], sys.argv[6])
	elif len(sys.argv) >= 2 and sys.argv[1] == "tcx":
		tcx(sys.argv[2:])
	else:
		sys.stderr.write(__doc__)
		sys.exit(2)


if __name__ == "__main__":
	main()
