'use strict';
// The compiled addon: crc32c(bytes[, initial]) -> unsigned CRC-32C.
module.exports = require('./build/Release/krill_crc32c.node');
