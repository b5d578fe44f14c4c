/**
 * bsd-sockets: the BSD socket interface for Node.js, the way CPython's `socket` module
 * has it. Start with {@link socket}.
 *
 * @packageDocumentation
 */
export type {
  Address,
  InetAddress,
  Inet6Address,
  UnixAddress,
  PacketAddress,
  NetlinkAddress,
  SocketAddress,
} from './address'
export { getdefaulttimeout, setdefaulttimeout } from './defaults'
export { SocketError, GaiError, TimeoutError, AbortError, type SocketErrorProps } from './errors'
export type { CallOptions } from './waiter'
export {
  socketpair,
  fromfd,
  fromshare,
  close,
  dup,
  hasIpv6,
  createConnectionSync,
  createConnection,
  createServer,
  hasDualstackIpv6,
  sendFdsSync,
  recvFdsSync,
  sendFds,
  recvFds,
  type CreateConnectionOptions,
  type CreateServerOptions,
} from './functions'
export {
  htons,
  ntohs,
  htonl,
  ntohl,
  inetAton,
  inetNtoa,
  inetPton,
  inetNtop,
  ifNameindex,
  ifNametoindex,
  ifIndextoname,
  CMSG_LEN,
  CMSG_SPACE,
} from './helpers'
export {
  getaddrinfoSync,
  getnameinfoSync,
  getaddrinfo,
  getnameinfo,
  gethostbyname,
  gethostbynameEx,
  gethostbyaddr,
  getfqdn,
  gethostbynameSync,
  gethostbynameExSync,
  gethostbyaddrSync,
  getfqdnSync,
  gethostname,
  sethostname,
  getservbyname,
  getservbyport,
  getprotobyname,
  type AddrInfo,
} from './resolve'
export { Socket, socket, type AncillaryItem, type AncillaryInput, type BytesLike } from './socket'
export * from './constants'
