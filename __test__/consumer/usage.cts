// Strict-mode usage of the packed declarations through the CommonJS entry (exports → require).
import bsd = require('bsd-sockets')

const [a, b] = bsd.socketpair(bsd.AF_UNIX, bsd.SOCK_STREAM)
a.sendallSync(new Uint8Array([1, 2, 3]))
const data: Buffer = b.recvSync(16)
a.close()
b.close()
const err: bsd.SocketError | null = null
const address: bsd.UnixAddress = '/tmp/example.sock'
void [data, err, address]
