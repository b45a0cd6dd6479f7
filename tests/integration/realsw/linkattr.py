#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Sets and reads a link's GSO/GRO size limits over rtnetlink.

iproute2 6.1 (Debian 12) knows gso_max_size and gro_max_size but not the
IPv4 BIG TCP limits (gso_ipv4_max_size, gro_ipv4_max_size, Linux 6.3,
iproute2 6.3), so they are set here.  Every limit is read back after the
change: a kernel that ignores an attribute it does not know shows up as a
value that did not change, and the exit status says so.

Usage: linkattr.py DEV [NAME=VALUE...]    (prints NAME=VALUE read back)
"""
import os
import socket
import struct
import sys

# include/uapi/linux/if_link.h
ATTRS = {
    "gso_max_size": 41,
    "gro_max_size": 58,
    "tso_max_size": 59,
    "gso_ipv4_max_size": 63,
    "gro_ipv4_max_size": 64,
}
RTM_NEWLINK, RTM_GETLINK = 16, 18
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2


def request(sock, msg_type, flags, ifindex, attrs=b""):
    ifi = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, ifindex, 0, 0)
    body = ifi + attrs
    sock.send(struct.pack("=IHHII", 16 + len(body), msg_type,
                          NLM_F_REQUEST | flags, 1, 0) + body)
    return sock.recv(65536)


def parse_link(reply):
    length, msg_type = struct.unpack_from("=IH", reply)
    if msg_type == NLMSG_ERROR:
        err = struct.unpack_from("=i", reply, 16)[0]
        raise OSError(-err, os.strerror(-err))
    out, off = {}, 16 + 16
    while off + 4 <= length:
        alen, atype = struct.unpack_from("=HH", reply, off)
        if alen < 4:
            break
        if alen == 8:
            out[atype & 0x7fff] = struct.unpack_from("=I", reply, off + 4)[0]
        off += (alen + 3) & ~3
    return out


def main():
    dev = sys.argv[1]
    want = {}
    for arg in sys.argv[2:]:
        name, _, value = arg.partition("=")
        if name not in ATTRS:
            sys.exit("linkattr: unknown attribute %s" % name)
        want[name] = int(value)
    ifindex = socket.if_nametoindex(dev)
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    if want:
        attrs = b"".join(struct.pack("=HHI", 8, ATTRS[n], v) for n, v in want.items())
        reply = request(sock, RTM_NEWLINK, NLM_F_ACK, ifindex, attrs)
        err = struct.unpack_from("=i", reply, 16)[0]
        if err:
            sys.exit("linkattr: %s: %s" % (dev, os.strerror(-err)))
    got = parse_link(request(sock, RTM_GETLINK, 0, ifindex))
    bad = 0
    for name in want or ATTRS:
        value = got.get(ATTRS[name])
        print("%s=%s" % (name, "absent" if value is None else value))
        if name in want and value != want[name]:
            bad = 1
    sys.exit(bad)


if __name__ == "__main__":
    main()
