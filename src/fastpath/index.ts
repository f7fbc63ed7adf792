// The performance machinery, in one place and behind one seam: what the rest of Krill
// uses to keep request and log bytes off V8's heap and out of extra copies. Nothing
// outside this folder reaches into Node's internals or the native addons.
//   blocks           reference-counted buffers from a pool: request frames read into them,
//                    in-memory logs keep views of them, fetches send those views; each
//                    holder releases what it took (allocBlock/retain/release)
//   anonymous-files  unlinked tmpfs files for in-memory segments' small batches
//   frame-socket     sockets whose reads land straight in request frames
//   direct-write     answers written to the socket's descriptor past Node's stream
//   native-addon     loading the optional addons (KRILL_ADDONS=none turns them off)
export { allocBlock, MIN_BLOCK, release, retain } from './blocks.js';
export { openAnonymousFile, recycleAnonymousFile } from './anonymous-files.js';
export { adoptFrameSocket, connectFrameSocket, type FrameSink } from './frame-socket.js';
export { writeDirect } from './direct-write.js';
export { optionalAddon } from './native-addon.js';
