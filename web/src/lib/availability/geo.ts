/** One distance rule for web and server (swaps weigh travel with it too). */
export { haversineKm } from '@opvangatlas/shared';
