// CommonJS smoke test of the installed package (run by scripts/install-test.sh).
const assert = require('node:assert/strict')
const { socketpair, AF_UNIX, SOCK_STREAM, SocketError } = require('bsd-sockets')

const where = require.resolve('bsd-sockets')
assert.match(where, /node_modules\/bsd-sockets\/dist\/index\.js$/)
// The addon came from the per-platform package, not from the main one.
const binaries = Object.keys(require.cache).filter((p) => p.endsWith('.node'))
assert.equal(binaries.length, 1, binaries.join(', '))
assert.match(binaries[0], /node_modules\/bsd-sockets-[a-z0-9]+-[a-z0-9]+(-[a-z]+)?\/bsd-sockets\.[a-z0-9-]+\.node$/)

const [a, b] = socketpair(AF_UNIX, SOCK_STREAM)
a.sendallSync('ping from cjs')
assert.equal(b.recvSync(64).toString(), 'ping from cjs')
a.close()
b.close()
assert.throws(() => b.recvSync(1), (e) => e instanceof SocketError && e.code === 'EBADF')
console.log(`cjs ok: ${where}\n  addon: ${binaries[0]}`)
