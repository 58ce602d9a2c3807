import { isApiError } from '$lib/api';
import { t } from '$lib/i18n/index.svelte';

/** A message for the user; server messages are shown as given (they are written for users). */
export function errorText(err: unknown): string {
  if (isApiError(err, 'network')) return t('error.network');
  if (isApiError(err, 'forbidden')) return t('error.forbidden');
  if (isApiError(err, 'unauthorized')) return t('error.sessionExpired');
  if (isApiError(err, 'invalid_response') || isApiError(err, 'internal')) return t('error.generic');
  if (isApiError(err)) return err.message;
  return t('error.generic');
}
