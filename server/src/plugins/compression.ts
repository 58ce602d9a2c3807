import { constants } from 'node:zlib';
import compress from '@fastify/compress';
import fp from 'fastify-plugin';

/**
 * Compresses responses above 1 KiB (issue 14: a phone on a weak connection loads /api/regions,
 * snapshots over REST and the app's scripts several times faster). Brotli at a low quality, as
 * it is done per request, else gzip. Bodies hold no secrets next to attacker-chosen text (the
 * session is a cookie), so compression gives nothing away (BREACH).
 */
export const compressionPlugin = fp(
  async (app) => {
    await app.register(compress, {
      global: true,
      threshold: 1024,
      encodings: ['br', 'gzip'],
      brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
    });
  },
  { name: 'compression' },
);
