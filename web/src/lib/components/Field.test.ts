import { render, screen } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { describe, expect, it } from 'vitest';
import Field, { type FieldControl } from './Field.svelte';

/** An input that takes Field's attributes, as `<input {...control} />` does in a page. */
const input = createRawSnippet((control: () => FieldControl) => ({
  render: () => '<input />',
  setup(element) {
    const { id, ...aria } = control();
    element.setAttribute('id', id);
    for (const [name, value] of Object.entries(aria)) {
      if (value !== undefined) element.setAttribute(name, value);
    }
  },
}));

describe('Field', () => {
  it('labels its control and names no error while there is none', () => {
    render(Field, { id: 'email', label: 'E-mailadres', children: input });
    const control = screen.getByLabelText('E-mailadres');
    expect(control.getAttribute('aria-invalid')).toBeNull();
    expect(control.getAttribute('aria-describedby')).toBeNull();
  });

  it('shows the error under the control and ties it to the control', () => {
    render(Field, {
      id: 'email',
      label: 'E-mailadres',
      error: 'Vul een geldig e-mailadres in.',
      children: input,
    });
    const control = screen.getByLabelText('E-mailadres');
    expect(control.getAttribute('aria-invalid')).toBe('true');
    const describedBy = control.getAttribute('aria-describedby')!;
    expect(document.getElementById(describedBy)?.textContent).toContain(
      'Vul een geldig e-mailadres in.',
    );
  });
});
