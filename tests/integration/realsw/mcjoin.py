#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Holds multicast group memberships on one interface, as an application
would (the kernel then sends the IGMP / MLD reports): the membership the
attack tests defend and the report from 0.0.0.0 the legit test sends.

Usage: mcjoin.py IFACE SECONDS GROUP...   (prints "joined" when done)
"""
import socket
import struct
import sys
import time


def main():
    iface, secs, groups = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    ifindex = socket.if_nametoindex(iface)
    socks = []
    for g in groups:
        if ":" in g:
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            mreq = socket.inet_pton(socket.AF_INET6, g) + struct.pack("@I", ifindex)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            # struct ip_mreqn: group, local address (any), ifindex
            mreq = socket.inet_aton(g) + socket.inet_aton("0.0.0.0") + struct.pack("@i", ifindex)
            s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        socks.append(s)
    print("joined", " ".join(groups), flush=True)
    time.sleep(secs)


if __name__ == "__main__":
    main()
