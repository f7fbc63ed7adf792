'use strict';
// The compiled addon: slab(bytes) -> a handle to a mapping (or undefined),
// block(slab, offset, length) -> an ArrayBuffer over that part of it (or undefined), and
// discard(arrayBuffer) -> its pages handed back to the kernel.
module.exports = require('./build/Release/krill_huge_pages.node');
