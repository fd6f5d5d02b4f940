// Form helpers for the self-service pages: labelled fields with their error next to them
// (aria-invalid, aria-describedby), an error summary that links to the fields, and the CSRF field.
import { html, type Html } from './html.js';

export interface FieldError {
  /** The field's name (its id is `field-<name>`). */
  name: string;
  message: string;
}

export const fieldId = (name: string) => `field-${name}`;
const errorId = (name: string) => `error-${name}`;

interface FieldBase {
  name: string;
  label: string;
  /** A hint shown under the label. */
  hint?: string;
  required?: boolean;
  error?: string | undefined;
}

export interface InputField extends FieldBase {
  type?: 'text' | 'email' | 'tel' | 'number' | 'date' | 'datetime-local' | 'password';
  value?: string | undefined;
  autocomplete?: string;
}

export interface SelectField extends FieldBase {
  options: { value: string; label: string }[];
  value?: string | undefined;
}

function described(f: FieldBase): string | undefined {
  const ids = [f.hint ? `hint-${f.name}` : '', f.error ? errorId(f.name) : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

const labelAndHelp = (f: FieldBase) => html`<label for="${fieldId(f.name)}">${f.label}</label>
${f.hint ? html`<p class="hint" id="hint-${f.name}">${f.hint}</p>` : ''}
${f.error ? html`<p class="field-error" id="${errorId(f.name)}">${f.error}</p>` : ''}`;

const attrs = (f: FieldBase) => {
  const d = described(f);
  return html`${f.required ? html` required` : ''}${f.error ? html` aria-invalid="true"` : ''}${d ? html` aria-describedby="${d}"` : ''}`;
};

export function inputField(f: InputField): Html {
  return html`<div class="field${f.error ? ' has-error' : ''}">
${labelAndHelp(f)}
<input id="${fieldId(f.name)}" name="${f.name}" type="${f.type ?? 'text'}" value="${f.value ?? ''}"${f.autocomplete ? html` autocomplete="${f.autocomplete}"` : ''}${attrs(f)}>
</div>`;
}

export function selectField(f: SelectField): Html {
  return html`<div class="field${f.error ? ' has-error' : ''}">
${labelAndHelp(f)}
<select id="${fieldId(f.name)}" name="${f.name}"${attrs(f)}>
${f.options.map((o) => html`<option value="${o.value}"${o.value === f.value ? html` selected` : ''}>${o.label}</option>`)}
</select>
</div>`;
}

/** The errors at the top of a form, each a link to its field; nothing when there are none. */
export function errorSummary(title: string, errors: FieldError[]): Html {
  if (errors.length === 0) return html``;
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${title}</h2>
<ul>${errors.map((e) => html`<li><a href="#${fieldId(e.name)}">${e.message}</a></li>`)}</ul>
</div>`;
}

export const CSRF_FIELD = '_csrf';

export const csrfField = (token: string): Html => html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
