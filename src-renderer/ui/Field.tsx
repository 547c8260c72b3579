/**
 * A labelled form control with its hint and errors tied to it
 * (aria-describedby, aria-invalid): the New agent dialog, the Policies tab
 * and the Settings dialog all lay out fields with it.
 */
import type { ReactNode } from 'react';

export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}

interface FieldProps {
  label: string;
  id: string;
  errors?: readonly string[] | undefined;
  hint?: string | undefined;
  span?: 1 | 2;
  children: (props: FieldControlProps) => ReactNode;
}

export function Field({ label, id, errors, hint, span = 1, children }: FieldProps) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const invalid = errors !== undefined && errors.length > 0;
  const describedBy = [invalid ? errorId : null, hint !== undefined ? hintId : null].filter((part) => part !== null).join(' ');
  return (
    <div className={`field${span === 2 ? ' span-2' : ''}${invalid ? ' is-invalid' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {children({ id, 'aria-describedby': describedBy === '' ? undefined : describedBy, 'aria-invalid': invalid ? true : undefined })}
      {invalid && (
        <p id={errorId} className="field-error">
          {errors.join(' ')}
        </p>
      )}
      {hint !== undefined && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}
