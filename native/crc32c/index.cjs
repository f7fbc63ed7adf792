'use strict';
// The compiled addon: crc32c(bytes) -> unsigned CRC-32C; loading throws without SSE4.2.
module.exports = require('./build/Release/krill_crc32c.node');
