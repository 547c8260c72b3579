/**
 * The New agent dialog: pick a preset (the Demo agent first, so a new user
 * sees something at once), adjust, Start. Validation runs the contract's own
 * schema before sending, and each issue shows under its field. A spawn that
 * fails (e.g. the program is not installed) keeps the dialog open with the
 * reason; a started agent closes it and becomes the selected one.
 *
 * Secret variables and the Policies section (restart, stall detection,
 * resource guard, priority) are optional; Policies is folded until opened (or
 * until one of its fields has a problem).
 */
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { AgentView, CorralApi, HostInfoView, PresetView } from '../../src-preload/contract';
import { clearPolicyErrors, PolicyFields } from '../policies/PolicyFields';
import { buildPolicies, defaultPolicyForm, describePolicies, DEFAULT_POLICIES, type PolicyErrors, type PolicyField, type PolicyForm } from '../policies/policy-form';
import { isActive } from '../state/agent-state';
import { settle } from '../state/call-result';
import { Disclosure } from '../ui/Disclosure';
import { Field } from '../ui/Field';
import { Modal } from '../ui/Modal';
import { randomSuffix, suggestAgentId } from './agent-id';
import { buildSpawnRequest, loaderKeysIn, type FieldErrors, type FormField, type NewAgentForm, type SecretRow } from './build-request';
import { SecretFields } from './SecretFields';

/** The form's plain text fields (what `update` edits). */
type TextField = Exclude<keyof NewAgentForm, 'allowLoaderEnv' | 'secrets' | 'policies'>;

const POLICY_FIELDS: readonly PolicyField[] = [
  'restartMode',
  'maxRestarts',
  'initialDelay',
  'maxDelay',
  'resetAfter',
  'stallQuiet',
  'stallCpu',
  'guardMemory',
  'guardCpu',
  'guardSustained',
  'guardAction',
  'guard',
  'niceness',
];

/** Used when the host's list cannot be read: the user can still start any program. */
const FALLBACK_CUSTOM: PresetView = {
  id: 'custom',
  label: 'Custom command',
  description: 'Any program with its arguments.',
  agentType: 'custom',
  command: [],
  env: {},
  model: null,
  available: true,
  unavailableReason: null,
};

/** Ends a host-provided reason with a full stop, so a hint can follow it. */
function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

function isCustom(preset: PresetView): boolean {
  return preset.command.length === 0;
}

/** The Demo agent is the default so the first Start shows Corral at work. */
function defaultPreset(presets: PresetView[]): PresetView | undefined {
  return (
    presets.find((preset) => preset.id === 'demo') ??
    presets.find((preset) => preset.label.toLowerCase().startsWith('demo')) ??
    presets.find((preset) => preset.available) ??
    presets[0]
  );
}

function formFor(preset: PresetView, suffix: string): NewAgentForm {
  const name = isCustom(preset) ? 'My agent' : preset.label;
  return {
    name,
    agentId: suggestAgentId(name, suffix),
    type: preset.agentType,
    parentAgentId: '',
    model: preset.model ?? '',
    prompt: '',
    cwd: '',
    env: '',
    load: '',
    program: preset.command[0] ?? '',
    args: preset.command.slice(1).join('\n'),
    secrets: [],
    policies: defaultPolicyForm(),
  };
}

interface NewAgentDialogProps {
  api: CorralApi;
  agents: ReadonlyMap<string, AgentView>;
  /** Says where secret values are kept; null while unknown. */
  hostInfo: HostInfoView | null;
  onClose: () => void;
  onStarted: (agentId: string) => void;
}

export function NewAgentDialog({ api, agents, hostInfo, onClose, onStarted }: NewAgentDialogProps) {
  const titleId = useId();
  const [presets, setPresets] = useState<PresetView[] | null>(null);
  const [presetsError, setPresetsError] = useState<string | null>(null);
  const [presetId, setPresetId] = useState<string>('');
  const [suffix] = useState(() => randomSuffix());
  const [form, setForm] = useState<NewAgentForm | null>(null);
  const [nameEdited, setNameEdited] = useState(false);
  const [idEdited, setIdEdited] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [spawnError, setSpawnError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [policiesOpen, setPoliciesOpen] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    let active = true;
    void settle(() => api.listPresets()).then((result) => {
      if (!active) return;
      const list = result.ok && result.value.length > 0 ? result.value : [FALLBACK_CUSTOM];
      if (!result.ok) setPresetsError(`Could not read the presets: ${result.message}`);
      const initial = defaultPreset(list) ?? FALLBACK_CUSTOM;
      setPresets(list);
      setPresetId(initial.id);
      setForm(formFor(initial, suffix));
    });
    return () => {
      active = false;
    };
  }, [api, suffix]);

  // The dialog opened before the presets arrived: put focus on the first field once they are here.
  const loaded = form !== null;
  useEffect(() => {
    if (loaded) document.getElementById('na-preset')?.focus();
  }, [loaded]);

  const preset = presets?.find((candidate) => candidate.id === presetId);
  const custom = preset !== undefined && isCustom(preset);
  // An unavailable preset can still be started once the user points Program somewhere else.
  const programEdited = preset !== undefined && form !== null && form.program.trim() !== (preset.command[0] ?? '');
  const blockedByPreset = preset !== undefined && !preset.available && !programEdited;

  const knownParents = useMemo(() => [...agents.values()].sort((a, b) => a.agentName.localeCompare(b.agentName)), [agents]);

  const update = (field: TextField, value: string) => {
    setForm((previous) => {
      if (previous === null) return previous;
      const next = { ...previous, [field]: value };
      if (field === 'name' && !idEdited) next.agentId = suggestAgentId(value, suffix);
      return next;
    });
    const errorField: FormField = field === 'parentAgentId' ? 'parent' : field;
    if (errors[errorField] !== undefined) {
      // The user is fixing it: clear that field's message until the next Start.
      setErrors((previous) => {
        const next = { ...previous };
        delete next[errorField];
        return next;
      });
    }
    if (field === 'name') setNameEdited(true);
    if (field === 'agentId') setIdEdited(true);
  };

  const setSecrets = (secrets: SecretRow[]) => {
    setForm((previous) => (previous === null ? previous : { ...previous, secrets }));
    if (errors.secretEnv !== undefined) {
      setErrors((previous) => {
        const next = { ...previous };
        delete next.secretEnv;
        return next;
      });
    }
  };

  const setPolicies = (policies: PolicyForm, changed: keyof PolicyForm) => {
    setForm((previous) => (previous === null ? previous : { ...previous, policies }));
    setErrors((previous) => {
      const policyErrors: PolicyErrors = {};
      for (const field of POLICY_FIELDS) if (previous[field] !== undefined) policyErrors[field] = previous[field];
      const cleared = clearPolicyErrors(policyErrors, changed);
      if (cleared === policyErrors) return previous;
      const next = { ...previous };
      for (const field of POLICY_FIELDS) delete next[field];
      return { ...next, ...cleared };
    });
  };

  const setAllowLoaderEnv = (allow: boolean) => {
    setForm((previous) => (previous === null ? previous : { ...previous, allowLoaderEnv: allow }));
    // Its refusal shows under Environment: the user just acted on it.
    if (errors.env !== undefined) {
      setErrors((previous) => {
        const next = { ...previous };
        delete next.env;
        return next;
      });
    }
  };

  const choosePreset = (id: string) => {
    const next = presets?.find((candidate) => candidate.id === id);
    if (next === undefined || form === null) return;
    setPresetId(id);
    const fresh = formFor(next, suffix);
    // Keep what the user typed; replace what came from the previous preset.
    setForm({
      ...fresh,
      name: nameEdited ? form.name : fresh.name,
      agentId: idEdited ? form.agentId : nameEdited ? suggestAgentId(form.name, suffix) : fresh.agentId,
      parentAgentId: form.parentAgentId,
      prompt: form.prompt,
      cwd: form.cwd,
      env: form.env,
      allowLoaderEnv: form.allowLoaderEnv,
      load: form.load,
      secrets: form.secrets ?? [],
      policies: form.policies ?? defaultPolicyForm(),
    });
    setErrors({});
    setSpawnError(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (form === null || preset === undefined || submitting || blockedByPreset) return;
    setSpawnError(null);
    const built = buildSpawnRequest(preset, form);
    if (!built.ok) {
      setErrors(built.errors);
      if (POLICY_FIELDS.some((field) => built.errors[field] !== undefined)) setPoliciesOpen(true);
      // Move focus to the first field with a problem so keyboard users land on it.
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      if (built.errors.form !== undefined) setSpawnError(built.errors.form.join(' '));
      return;
    }
    setErrors({});
    setSubmitting(true);
    const result = await settle(() => api.spawnAgent(built.request));
    setSubmitting(false);
    if (!result.ok) {
      setSpawnError(result.message);
      return;
    }
    if (result.value.status === 'failed') {
      setSpawnError(result.value.error ?? 'The agent could not be started.');
      return;
    }
    onStarted(result.value.agentId);
  };

  // Reusing an id replaces an ended agent's record (and is refused for a live one): say so before Start.
  const existing = form === null ? undefined : agents.get(form.agentId.trim());
  const idHint =
    existing === undefined
      ? 'Names the log folder. Letters, digits, . _ -'
      : isActive(existing.state)
        ? `"${existing.agentName}" is ${existing.state} with this id: choose another.`
        : `Replaces the ended agent "${existing.agentName}" (${existing.state}) and its logs.`;

  // Offered only while the Environment text holds a loader key (LD_*, DYLD_*).
  const loaderKeys = form === null ? [] : loaderKeysIn(form.env, (form.secrets ?? []).map((row) => row.name));

  // What the folded Policies section will send, in one line.
  const policyCheck = form?.policies === undefined ? null : buildPolicies(form.policies);
  const policySummary = policyCheck === null ? describePolicies(DEFAULT_POLICIES) : policyCheck.ok ? describePolicies(policyCheck.value) : 'needs attention';
  const policyErrors: PolicyErrors = {};
  for (const field of POLICY_FIELDS) if (errors[field] !== undefined) policyErrors[field] = errors[field];

  const parentUnknown = form !== null && form.parentAgentId.trim() !== '' && !agents.has(form.parentAgentId.trim());

  return (
    <Modal labelledBy={titleId} onClose={onClose} className="new-agent">
      <form ref={formRef} onSubmit={(event) => void submit(event)} noValidate>
        <header className="modal-header">
          <h2 id={titleId} className="modal-title">
            New agent
          </h2>
        </header>
        {presets === null || form === null ? (
          <p className="muted" aria-busy="true">
            Loading presets…
          </p>
        ) : (
          <div className="modal-body form-grid">
            {presetsError !== null && (
              <p className="inline-alert span-2" role="alert">
                {presetsError}
              </p>
            )}
            <Field label="Preset" id="na-preset" span={2} hint={preset?.description}>
              {(props) => (
                <select {...props} className="input" value={presetId} onChange={(event) => choosePreset(event.target.value)} data-autofocus="">
                  {presets.map((candidate) => (
                    <option key={candidate.id} value={candidate.id}>
                      {candidate.label}
                      {candidate.available ? '' : ' (not installed)'}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {preset !== undefined && !preset.available && (
              <p className="inline-warning span-2">
                {sentence(preset.unavailableReason ?? `${preset.command[0] ?? 'The program'} is not available`)}
                {blockedByPreset ? ' To use another executable, change Program under Command.' : ''}
              </p>
            )}
            <Field label="Name" id="na-name" errors={errors.name}>
              {(props) => <input {...props} className="input" value={form.name} onChange={(event) => update('name', event.target.value)} autoComplete="off" />}
            </Field>
            <Field label="Agent id" id="na-id" errors={errors.agentId} hint={idHint}>
              {(props) => (
                <input {...props} className="input mono" value={form.agentId} onChange={(event) => update('agentId', event.target.value)} autoComplete="off" spellCheck={false} />
              )}
            </Field>
            <Field label="Type" id="na-type" errors={errors.type}>
              {(props) => <input {...props} className="input" value={form.type} onChange={(event) => update('type', event.target.value)} autoComplete="off" />}
            </Field>
            <Field label="Model" id="na-model" errors={errors.model}>
              {(props) => <input {...props} className="input" value={form.model} onChange={(event) => update('model', event.target.value)} autoComplete="off" />}
            </Field>
            <Field
              label="Parent agent"
              id="na-parent"
              span={2}
              errors={errors.parent}
              hint={parentUnknown ? 'No agent with this id is known here; it will be listed as a top-level agent.' : 'Optional: the id of the agent that started this one.'}
            >
              {(props) => (
                <div className="input-with-picker">
                  <input
                    {...props}
                    className="input mono"
                    value={form.parentAgentId}
                    onChange={(event) => update('parentAgentId', event.target.value)}
                    autoComplete="off"
                    spellCheck={false}
                    placeholder="none"
                  />
                  {knownParents.length > 0 && (
                    <select
                      className="input picker"
                      aria-label="Choose a known parent agent"
                      value=""
                      onChange={(event) => update('parentAgentId', event.target.value)}
                    >
                      <option value="">Pick…</option>
                      <option value="">(none)</option>
                      {knownParents.map((agent) => (
                        <option key={agent.agentId} value={agent.agentId}>
                          {agent.agentName} ({agent.agentId})
                        </option>
                      ))}
                    </select>
                  )}
                </div>
              )}
            </Field>
            <Field
              label="Prompt"
              id="na-prompt"
              span={2}
              errors={errors.prompt}
              hint={form.prompt.length > 100_000 ? `${form.prompt.length.toLocaleString()} characters: sent on standard input.` : undefined}
            >
              {(props) => (
                <textarea {...props} className="input prompt-input" rows={4} value={form.prompt} onChange={(event) => update('prompt', event.target.value)} />
              )}
            </Field>
            <Field label="Working directory" id="na-cwd" span={2} errors={errors.cwd} hint="Blank: Corral's own working directory.">
              {(props) => (
                <input {...props} className="input mono" value={form.cwd} onChange={(event) => update('cwd', event.target.value)} autoComplete="off" spellCheck={false} />
              )}
            </Field>
            <Field label="Environment" id="na-env" errors={errors.env} hint="One KEY=value per line. Tokens and passwords go under Secret variables.">
              {(props) => (
                <textarea {...props} className="input mono" rows={3} value={form.env} onChange={(event) => update('env', event.target.value)} spellCheck={false} />
              )}
            </Field>
            <Field label="Load %" id="na-load" errors={errors.load} hint="Optional, 0–100 (passed to the agent's record).">
              {(props) => (
                <input
                  {...props}
                  className="input"
                  type="number"
                  min={0}
                  max={100}
                  step={1}
                  value={form.load}
                  onChange={(event) => update('load', event.target.value)}
                />
              )}
            </Field>
            <SecretFields rows={form.secrets ?? []} errors={errors.secretEnv} storage={hostInfo?.secretStorage ?? null} onChange={setSecrets} />
            {loaderKeys.length > 0 && (
              <div className="field span-2">
                <label className="field-label">
                  <input
                    type="checkbox"
                    checked={form.allowLoaderEnv === true}
                    onChange={(event) => setAllowLoaderEnv(event.target.checked)}
                    aria-describedby="na-loader-hint"
                  />{' '}
                  Allow loader variables (LD_*, DYLD_*)
                </label>
                <p id="na-loader-hint" className="field-hint">
                  {loaderKeys.join(', ')} {loaderKeys.length === 1 ? 'changes' : 'change'} how every program of this agent loads its libraries. Tick only if you trust
                  {loaderKeys.length === 1 ? ' it' : ' them'}.
                </p>
              </div>
            )}
            <CommandFields
              custom={custom}
              openByDefault={blockedByPreset || errors.program !== undefined || errors.args !== undefined}
              form={form}
              errors={errors}
              update={update}
            />
            <Disclosure title="Policies" open={policiesOpen} onToggle={setPoliciesOpen} summary={policySummary} className="span-2 policies-disclosure">
              <PolicyFields value={form.policies ?? defaultPolicyForm()} errors={policyErrors} idPrefix="na-policy" onChange={setPolicies} />
            </Disclosure>
          </div>
        )}
        {/* Outside the scrolling body, so the reason is in view wherever the user scrolled to. */}
        {spawnError !== null && (
          <p className="inline-alert spawn-error" role="alert">
            {spawnError}
          </p>
        )}
        <footer className="modal-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={form === null || submitting || blockedByPreset}>
            {submitting ? 'Starting…' : 'Start'}
          </button>
        </footer>
      </form>
    </Modal>
  );
}

interface CommandFieldsProps {
  custom: boolean;
  openByDefault: boolean;
  form: NewAgentForm;
  errors: FieldErrors;
  update: (field: TextField, value: string) => void;
}

/** Program and Arguments: up front for Custom command, folded under "Command" for a preset. */
function CommandFields({ custom, openByDefault, form, errors, update }: CommandFieldsProps) {
  const [open, setOpen] = useState(openByDefault);
  useEffect(() => {
    if (openByDefault) setOpen(true);
  }, [openByDefault]);
  const fields = (
    <>
      <Field label="Program" id="na-program" span={2} errors={errors.program} hint="An executable on PATH, or a full path.">
        {(props) => (
          <input {...props} className="input mono" value={form.program} onChange={(event) => update('program', event.target.value)} autoComplete="off" spellCheck={false} />
        )}
      </Field>
      <Field label="Arguments" id="na-args" span={2} errors={errors.args} hint="One argument per line; {prompt} is replaced by the prompt. No shell: quotes are literal.">
        {(props) => (
          <textarea {...props} className="input mono" rows={3} value={form.args} onChange={(event) => update('args', event.target.value)} spellCheck={false} />
        )}
      </Field>
    </>
  );
  if (custom) return fields;
  const preview = [form.program, ...form.args.split('\n').filter((line) => line !== '')].join(' ');
  return (
    <details className="command-details span-2" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>
        Command <span className="muted mono command-preview">{preview}</span>
      </summary>
      {open && <div className="form-grid">{fields}</div>}
    </details>
  );
}
