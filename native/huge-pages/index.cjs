'use strict';
// The compiled addon: slab(bytes) -> a handle to a mapping (or undefined), and
// block(slab, offset, length) -> an ArrayBuffer over that part of it (or undefined).
module.exports = require('./build/Release/krill_huge_pages.node');
