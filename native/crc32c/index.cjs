'use strict';
// The compiled addon: crc32c(bytes) -> unsigned CRC-32C, and crc32cStreams(bytes), the
// same without the carry-less folding (for tests); loading throws without SSE4.2.
module.exports = require('./build/Release/krill_crc32c.node');
