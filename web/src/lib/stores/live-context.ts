import { getContext, setContext } from 'svelte';
import type { LiveClient } from './live-client';

const KEY = Symbol('live-client');

/** Set by the signed-in layout; one websocket per tab, shared by all pages. */
export function setLiveClient(client: LiveClient): void {
  setContext(KEY, client);
}

export function getLiveClient(): LiveClient {
  const client = getContext<LiveClient | undefined>(KEY);
  if (!client) throw new Error('getLiveClient() used outside the signed-in layout');
  return client;
}
