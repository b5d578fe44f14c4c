/**
 * Where the platforms differ, for the TypeScript layer (the native side has its own
 * place: crates/bsd-sockets-core/src/sys).
 */

import { AF_INET, AF_UNIX } from './constants'

/** Windows: Winsock underneath. */
export const WINDOWS = process.platform === 'win32'

/**
 * socketpair()'s default family. Windows has no socketpair(2): the pair is a loopback
 * TCP connection there, and CPython's default family on Windows is AF_INET for that
 * reason.
 */
export const PAIR_FAMILY = WINDOWS ? AF_INET : AF_UNIX

/**
 * Whether the kernel sends files for us (`sendfile(2)`). Windows' TransmitFile wants
 * overlapped I/O on a file HANDLE, so there `sendfile` reads and sends, as CPython's
 * `_sendfile_use_send` does.
 */
export const KERNEL_SENDFILE = !WINDOWS
