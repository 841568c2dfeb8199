"""A NAS's dynamic-authorization port played by pyrad, for Tollgate's interoperability test.

Usage: pyrad_das.py SECRET COUNT

Binds 127.0.0.1 on an ephemeral port and prints "port N". For each CoA-Request or
Disconnect-Request that pyrad's server accepts (its Request Authenticator checked by pyrad),
checks the Message-Authenticator, prints one JSON line with what it saw, and answers: a NAK
with Error-Cause 503 (Session-Context-Not-Found) when User-Name is "nak-me", an ACK otherwise.
Exits after COUNT requests.
"""
import json
import sys
import tempfile

import pyrad.packet
from pyrad.dictionary import Dictionary
from pyrad.server import RemoteHost, Server

DICTIONARY = """
ATTRIBUTE User-Name 1 string
ATTRIBUTE NAS-IP-Address 4 ipaddr
ATTRIBUTE Framed-IP-Address 8 ipaddr
ATTRIBUTE Filter-Id 11 string
ATTRIBUTE Acct-Session-Id 44 string
ATTRIBUTE Event-Timestamp 55 integer
ATTRIBUTE Message-Authenticator 80 octets
ATTRIBUTE Error-Cause 101 integer
VENDOR Mikrotik 14988
BEGIN-VENDOR Mikrotik
ATTRIBUTE Mikrotik-Rate-Limit 8 string
ATTRIBUTE Mikrotik-Address-List 19 string
END-VENDOR Mikrotik
"""


class DynamicAuthorizationServer(Server):
    def __init__(self, limit, **kwargs):
        Server.__init__(self, **kwargs)
        self.limit = limit
        self.seen = 0

    def answer(self, pkt, ack_code, nak_code):
        ma_valid = bool(pkt.message_authenticator) and pkt.verify_message_authenticator()
        attributes = {}
        for key in pkt.keys():
            name = key if isinstance(key, str) else str(key)
            attributes[name] = [v if isinstance(v, (str, int)) else str(v) for v in pkt[key]]
        user = attributes.get("User-Name", [""])[0]
        reply = self.CreateReplyPacket(pkt)
        reply.code = ack_code
        if user == "nak-me":
            reply.code = nak_code
            reply["Error-Cause"] = 503
        reply.add_message_authenticator()
        self.SendReplyPacket(pkt.fd, reply)
        print(json.dumps({"code": pkt.code, "id": pkt.id, "message_authenticator_valid": ma_valid,
                          "attributes": attributes, "answered": reply.code}), flush=True)
        self.seen += 1
        if self.seen >= self.limit:
            sys.exit(0)

    def HandleCoaPacket(self, pkt):
        self.answer(pkt, pyrad.packet.CoAACK, pyrad.packet.CoANAK)

    def HandleDisconnectPacket(self, pkt):
        self.answer(pkt, pyrad.packet.DisconnectACK, pyrad.packet.DisconnectNAK)


def main():
    secret = sys.argv[1].encode()
    limit = int(sys.argv[2])
    with tempfile.NamedTemporaryFile("w", suffix=".dict", delete=False) as f:
        f.write(DICTIONARY)
        path = f.name
    server = DynamicAuthorizationServer(
        limit, addresses=[], coaport=0, dict=Dictionary(path), auth_enabled=False, acct_enabled=False,
        coa_enabled=True, hosts={"127.0.0.1": RemoteHost("127.0.0.1", secret, "tollgate")})
    server.BindToAddress("127.0.0.1")
    print("port %d" % server.coafds[0].getsockname()[1], flush=True)
    server.Run()


if __name__ == "__main__":
    main()
