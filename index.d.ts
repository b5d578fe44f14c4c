// The public types of bsd-sockets. Declarations (with their doc comments) are emitted by
// `tsc` from src/ts into dist/ at build time; this file is what `types` points to.
export * from './dist/index'
