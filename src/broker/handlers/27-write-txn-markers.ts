import { defineApi } from '../api.js';
import type { Services } from '../services.js';

/** Markers from a transaction coordinator (another broker's, or this one's): written by each partition's leader here. */
export default defineApi(27, async (services: Services<'txnMarkers'>, req) => ({
  markers: await Promise.all(req.markers.map(async (m) => ({
    producerId: m.producerId,
    topics: await services.txnMarkers.write({ producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.transactionResult, coordinatorEpoch: m.coordinatorEpoch, topics: m.topics }),
  }))),
}));
