/**
 * The policy controls, grouped: Restart, Stall detection, Resource guard,
 * Priority. Controlled (the owner keeps the PolicyForm and the errors), so
 * the New agent dialog and the Policies tab share it. Each group is a
 * fieldset named by its legend; a section that is off keeps its fields
 * visible but disabled, so turning it on shows what it will use.
 */
import type { ChangeEvent } from 'react';
import type { GuardAction, RestartMode } from '../../src-preload/contract';
import { Field } from '../ui/Field';
import { GUARD_ACTION_LABEL, RESTART_MODE_LABEL, type PolicyErrors, type PolicyField, type PolicyForm } from './policy-form';

/** The errors a change to each form key makes stale. */
const CLEARS: Record<keyof PolicyForm, readonly PolicyField[]> = {
  restartMode: ['restartMode'],
  maxRestarts: ['maxRestarts'],
  initialDelaySeconds: ['initialDelay'],
  maxDelaySeconds: ['maxDelay'],
  resetAfterSeconds: ['resetAfter'],
  stallOn: ['stallQuiet', 'stallCpu'],
  stallQuietSeconds: ['stallQuiet'],
  stallCpuPercent: ['stallCpu'],
  guardOn: ['guardMemory', 'guardCpu', 'guardSustained', 'guardAction', 'guard'],
  guardMemoryMb: ['guardMemory', 'guard'],
  guardCpuPercent: ['guardCpu', 'guard'],
  guardSustainedSeconds: ['guardSustained'],
  guardAction: ['guardAction'],
  niceness: ['niceness'],
};

/** `errors` without the ones a change to `key` makes stale (the user is fixing them). */
export function clearPolicyErrors(errors: PolicyErrors, key: keyof PolicyForm): PolicyErrors {
  const stale = CLEARS[key];
  if (!stale.some((field) => errors[field] !== undefined)) return errors;
  const next = { ...errors };
  for (const field of stale) delete next[field];
  return next;
}

interface PolicyFieldsProps {
  value: PolicyForm;
  errors: PolicyErrors;
  /** Prefix for element ids (two editors may share a page). */
  idPrefix: string;
  onChange: (next: PolicyForm, changed: keyof PolicyForm) => void;
  disabled?: boolean;
}

export function PolicyFields({ value, errors, idPrefix, onChange, disabled = false }: PolicyFieldsProps) {
  const id = (name: string) => `${idPrefix}-${name}`;
  const set =
    <K extends keyof PolicyForm>(key: K) =>
    (next: PolicyForm[K]) =>
      onChange({ ...value, [key]: next }, key);
  const text = (key: keyof PolicyForm) => (event: ChangeEvent<HTMLInputElement>) => onChange({ ...value, [key]: event.target.value }, key);

  return (
    <div className="policy-fields">
      <fieldset className="policy-group" disabled={disabled}>
        <legend>Restart</legend>
        <div className="form-grid">
          <Field label="Restart mode" id={id('restart-mode')} errors={errors.restartMode} hint="On failure: after a non-zero exit or a crash. Always: after any end but a stop.">
            {(props) => (
              <select {...props} className="input" value={value.restartMode} onChange={(event) => set('restartMode')(event.target.value as RestartMode)}>
                {(Object.keys(RESTART_MODE_LABEL) as RestartMode[]).map((mode) => (
                  <option key={mode} value={mode}>
                    {RESTART_MODE_LABEL[mode]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Max restarts" id={id('max-restarts')} errors={errors.maxRestarts} hint="In a row; then it is marked crash-looping.">
            {(props) => <input {...props} className="input" type="number" min={0} max={1000} step={1} value={value.maxRestarts} onChange={text('maxRestarts')} />}
          </Field>
          <Field label="First delay (s)" id={id('initial-delay')} errors={errors.initialDelay} hint="Each next delay doubles.">
            {(props) => (
              <input {...props} className="input" type="number" min={0.1} step="any" value={value.initialDelaySeconds} onChange={text('initialDelaySeconds')} />
            )}
          </Field>
          <Field label="Longest delay (s)" id={id('max-delay')} errors={errors.maxDelay}>
            {(props) => <input {...props} className="input" type="number" min={0.1} step="any" value={value.maxDelaySeconds} onChange={text('maxDelaySeconds')} />}
          </Field>
          <Field label="Stable after (s)" id={id('reset-after')} errors={errors.resetAfter} hint="A run this long resets the count of restarts in a row.">
            {(props) => (
              <input {...props} className="input" type="number" min={1} step="any" value={value.resetAfterSeconds} onChange={text('resetAfterSeconds')} />
            )}
          </Field>
        </div>
      </fieldset>

      <fieldset className="policy-group" disabled={disabled}>
        <legend>Stall detection</legend>
        <label className="check-label">
          <input type="checkbox" checked={value.stallOn} onChange={(event) => set('stallOn')(event.target.checked)} /> Detect stalls
        </label>
        <div className="form-grid">
          <Field label="Quiet for (s)" id={id('stall-quiet')} errors={errors.stallQuiet} hint="No output for this long…">
            {(props) => (
              <input {...props} className="input" type="number" min={1} step="any" value={value.stallQuietSeconds} onChange={text('stallQuietSeconds')} disabled={!value.stallOn} />
            )}
          </Field>
          <Field label="CPU below (%)" id={id('stall-cpu')} errors={errors.stallCpu} hint="…while its processes use less CPU than this (100 = one core).">
            {(props) => (
              <input {...props} className="input" type="number" min={0} step="any" value={value.stallCpuPercent} onChange={text('stallCpuPercent')} disabled={!value.stallOn} />
            )}
          </Field>
        </div>
      </fieldset>

      <fieldset className="policy-group" disabled={disabled}>
        <legend>Resource guard</legend>
        <label className="check-label">
          <input type="checkbox" checked={value.guardOn} onChange={(event) => set('guardOn')(event.target.checked)} aria-describedby={errors.guard ? id('guard-error') : undefined} /> Use a
          resource guard
        </label>
        {errors.guard !== undefined && (
          <p id={id('guard-error')} className="field-error">
            {errors.guard.join(' ')}
          </p>
        )}
        <div className="form-grid">
          <Field label="Memory limit (MB)" id={id('guard-memory')} errors={errors.guardMemory} hint="Whole tree. Blank: no memory limit.">
            {(props) => <input {...props} className="input" type="number" min={0} step="any" value={value.guardMemoryMb} onChange={text('guardMemoryMb')} disabled={!value.guardOn} />}
          </Field>
          <Field label="CPU limit (%)" id={id('guard-cpu')} errors={errors.guardCpu} hint="Whole tree, 100 = one core. Blank: no CPU limit.">
            {(props) => <input {...props} className="input" type="number" min={0} step="any" value={value.guardCpuPercent} onChange={text('guardCpuPercent')} disabled={!value.guardOn} />}
          </Field>
          <Field label="Sustained for (s)" id={id('guard-sustained')} errors={errors.guardSustained} hint="The limit must hold this long before the action runs.">
            {(props) => (
              <input {...props} className="input" type="number" min={1} step="any" value={value.guardSustainedSeconds} onChange={text('guardSustainedSeconds')} disabled={!value.guardOn} />
            )}
          </Field>
          <Field label="Guard action" id={id('guard-action')} errors={errors.guardAction}>
            {(props) => (
              <select {...props} className="input" value={value.guardAction} onChange={(event) => set('guardAction')(event.target.value as GuardAction)} disabled={!value.guardOn}>
                {(Object.keys(GUARD_ACTION_LABEL) as GuardAction[]).map((action) => (
                  <option key={action} value={action}>
                    {GUARD_ACTION_LABEL[action]}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
      </fieldset>

      <fieldset className="policy-group" disabled={disabled}>
        <legend>Priority</legend>
        <div className="form-grid">
          <Field label="Niceness" id={id('niceness')} errors={errors.niceness} hint="-20 (first) … 19 (last). Blank: inherit Corral's. Lowering it below Corral's may need privileges.">
            {(props) => <input {...props} className="input" type="number" min={-20} max={19} step={1} placeholder="inherit" value={value.niceness} onChange={text('niceness')} />}
          </Field>
        </div>
      </fieldset>
    </div>
  );
}
