import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * A file of this package (db/), found by the package's name rather than by this module's
 * URL: in the production build the server is one bundle (server/dist/server.js), where
 * import.meta.url is the bundle's, while `@opvangatlas/db` still resolves to this folder.
 */
export function dbFile(...segments: string[]): string {
  const packageJson = createRequire(import.meta.url).resolve('@opvangatlas/db/package.json');
  return join(dirname(packageJson), ...segments);
}
