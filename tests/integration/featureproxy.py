#!/usr/bin/env python3
"""featureproxy.py: a libvirt-RPC proxy that answers 0 to chosen CONNECT_SUPPORTS_FEATURE
questions, so a real virsh talking through it picks an older migration protocol
(libvirt-wire.md §4.2: no feature 13 -> v3 without parameters, no 6 either -> v2), and that
records the REMOTE procedure number of every call it forwards (one per line in PROCLOG).
With CUT, the daemon's REPLY to that REMOTE procedure is never delivered: the proxy closes
both connections instead (the call ran, its answer is lost with the link).

Usage: featureproxy.py LISTEN_ADDR LISTEN_PORT TARGET_ADDR TARGET_PORT MASK PROCLOG [CUT]
       MASK: comma-separated feature numbers ("" masks none)
       CUT: a procedure number
"""
import asyncio
import struct
import sys

REMOTE_PROGRAM = 0x20008086
PROC_SUPPORTS_FEATURE = 60
TYPE_CALL, TYPE_REPLY = 0, 1
HEADER = struct.Struct(">IIiIII")  # program, version, procedure, type, serial, status


class Cut(Exception):
    pass


class Proxy:
    def __init__(self, mask, proclog, cut=None):
        self.mask = mask
        self.proclog = proclog
        self.cut = cut

    async def pump(self, reader, writer, masked, to_server, peer):
        buf = b""
        try:
            while True:
                data = await reader.read(1 << 20)
                if not data:
                    break
                buf += data
                while len(buf) >= 4:
                    length = struct.unpack(">I", buf[:4])[0]
                    if length < 28 or length > (32 << 20):
                        return  # not libvirt RPC: drop the connection
                    if len(buf) < length:
                        break
                    msg = bytearray(buf[:length])
                    buf = buf[length:]
                    self.inspect(msg, masked, to_server)
                    writer.write(bytes(msg))
                await writer.drain()
        except Cut:
            peer.close()  # the other direction ends too
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def inspect(self, msg, masked, to_server):
        prog, _vers, proc, typ, serial, status = HEADER.unpack_from(msg, 4)
        if prog != REMOTE_PROGRAM:
            return
        if not to_server and typ == TYPE_REPLY and proc == self.cut:
            self.proclog.write("cut %d\n" % proc)
            raise Cut()
        if to_server and typ == TYPE_CALL:
            self.proclog.write("%d\n" % proc)
            if proc == PROC_SUPPORTS_FEATURE and len(msg) >= 32:
                if struct.unpack_from(">i", msg, 28)[0] in self.mask:
                    masked.add(serial)
        elif not to_server and typ == TYPE_REPLY and proc == PROC_SUPPORTS_FEATURE:
            if serial in masked and status == 0 and len(msg) >= 32:
                masked.discard(serial)
                struct.pack_into(">i", msg, 28, 0)

    async def handle(self, creader, cwriter, target):
        sreader, swriter = await asyncio.open_connection(*target)
        masked = set()
        await asyncio.gather(self.pump(creader, swriter, masked, True, cwriter),
                             self.pump(sreader, cwriter, masked, False, swriter))


async def serve(listen, target, mask, proclog, cut):
    proxy = Proxy(mask, proclog, cut)
    server = await asyncio.start_server(
        lambda r, w: proxy.handle(r, w, target), listen[0], listen[1])
    async with server:
        await server.serve_forever()


def main(argv):
    if len(argv) not in (7, 8):
        sys.exit(__doc__)
    mask = set(int(x) for x in argv[5].split(",") if x)
    cut = int(argv[7]) if len(argv) == 8 else None
    with open(argv[6], "a", buffering=1) as proclog:
        asyncio.run(serve((argv[1], int(argv[2])), (argv[3], int(argv[4])), mask, proclog, cut))


if __name__ == "__main__":
    main(sys.argv)
