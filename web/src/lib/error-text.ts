import { isApiError, type ApiFieldError } from '$lib/api';
import { i18n, translate } from '$lib/i18n/index.svelte';

/**
 * A message for the user in the chosen language, from the error's code (shared/src/errors.ts):
 * the server's own `message` is Dutch and meant for logs and scripts, never shown. Every code
 * has a text `error.code.<code>` (a missing one does not compile); its params fill it in.
 */
export function errorText(err: unknown): string {
  if (!isApiError(err)) return translate(i18n.lang, 'error.generic');
  // A 400 says best what is wrong through its (first) field: "at most 4 persons".
  const [field] = err.fields;
  if (err.category === 'validation' && field) return fieldErrorText(field);
  return translate(i18n.lang, `error.code.${err.code}`, err.params);
}

/** A field error's text (`field.<code>`); an older server's field without a code is `invalid`. */
export function fieldErrorText(field: ApiFieldError): string {
  return translate(i18n.lang, `field.${field.code ?? 'invalid'}`, field.params);
}
