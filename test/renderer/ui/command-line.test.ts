/**
 * The New agent dialog's Command line: shell-style quoting into argv, shell
 * syntax refused (never silently dropped or passed as something else), and
 * the round trip with the one-per-line editor.
 */
import { describe, expect, it } from 'vitest';
import type { PresetView } from '../../../src-preload/contract';
import { buildSpawnRequest } from '../../../src-renderer/new-agent/build-request';
import { formatCommandLine, parseCommandLine, perLineProblem } from '../../../src-renderer/new-agent/command-line';
import { initialState, reduce, type NewAgentFormAction, type NewAgentFormState } from '../../../src-renderer/new-agent/use-new-agent-form';

const argvOf = (text: string) => {
  const result = parseCommandLine(text);
  if (!result.ok) throw new Error(result.error);
  return result.argv;
};
const errorOf = (text: string) => {
  const result = parseCommandLine(text);
  return result.ok ? null : result.error;
};

describe('parseCommandLine', () => {
  it('keeps a multi-line value inside quotes as one argument', () => {
    expect(argvOf('python3 -c "print(1)\nprint(2)"')).toEqual(['python3', '-c', 'print(1)\nprint(2)']);
    expect(argvOf("python3 -c 'a = 1\nprint(a)'  --flag")).toEqual(['python3', '-c', 'a = 1\nprint(a)', '--flag']);
  });

  it('splits on blanks, keeps empty quoted arguments, escapes and mixed quoting', () => {
    expect(argvOf('  a\tb\n c  ')).toEqual(['a', 'b', 'c']);
    expect(argvOf('a "" \'\' b')).toEqual(['a', '', '', 'b']);
    expect(argvOf('a\\ b --opt="x y" it\'\'s "say \\"hi\\"" \'back\\slash\'')).toEqual(['a b', '--opt=x y', 'its', 'say "hi"', 'back\\slash']);
    expect(argvOf('one \\\ntwo')).toEqual(['one', 'two']);
    expect(argvOf('claude -p {prompt}')).toEqual(['claude', '-p', '{prompt}']);
    expect(argvOf('a mid#hash x~y "\\$" \'$|\' \\*')).toEqual(['a', 'mid#hash', 'x~y', '$', '$|', '*']);
    expect(argvOf('')).toEqual([]);
  });

  it('refuses unbalanced quotes and a trailing backslash, saying where', () => {
    expect(errorOf("echo it's")).toMatch(/Unclosed ' quote \(character 8\)/);
    expect(errorOf('python3 -c "print(1)')).toMatch(/Unclosed " quote \(character 12\)/);
    expect(errorOf('a \\')).toMatch(/lone \\/);
  });

  it('refuses shell syntax instead of letting it vanish or change meaning', () => {
    expect(errorOf('ls | grep x')).toBe("`|` (character 4) is shell syntax; Corral runs no shell — use /bin/sh -c '…', or quote it to pass it as is.");
    for (const text of ['a; b', 'a && b', 'a > out', 'a < in', 'a 2>&1', '(a)']) expect(errorOf(text), text).toMatch(/is shell syntax; Corral runs no shell/);
    for (const text of ['echo $HOME', 'echo ${HOME}', 'echo "$HOME"', 'echo `date`', 'echo $(date)']) expect(errorOf(text), text).toMatch(/would be expanded by a shell/);
    for (const text of ['ls *.txt', 'ls file?', 'ls [ab]']) expect(errorOf(text), text).toMatch(/file pattern/);
    expect(errorOf('ls ~/x')).toMatch(/home folder/);
    expect(errorOf('a # note')).toMatch(/comment/);
  });
});

describe('formatCommandLine', () => {
  it('reads back as the same argv, whatever the arguments hold', () => {
    const samples = [['python3', '-c', 'print(1)\nprint(2)'], ['a', '', "it's", 'x y', '$HOME', '*', '|', '~', '#c', '{prompt}', 'tab\there', '\\'], ['/bin/sh', '-c', "echo 'q' \"d\""]];
    for (const argv of samples) expect(argvOf(formatCommandLine(argv))).toEqual(argv);
    expect(formatCommandLine(['node', 'demo.mjs', '--steps', '3'])).toBe('node demo.mjs --steps 3');
  });
});

describe('the editors', () => {
  const custom: PresetView = { id: 'custom', label: 'Custom command', description: '', agentType: 'custom', command: [], env: {}, model: null, available: true, unavailableReason: null };
  const run = (state: NewAgentFormState, ...actions: NewAgentFormAction[]) => actions.reduce(reduce, state);
  const loaded = () => run(initialState('abcd'), { type: 'presetsLoaded', result: { ok: true, value: [custom] } });

  it('the Command line becomes the request argv, a script in quotes as one argument', () => {
    const state = run(loaded(), { type: 'fieldEdited', field: 'commandLine', value: 'python3 -c "print(1)\nprint(2)"' });
    const built = buildSpawnRequest(custom, state.form!, 'r');
    expect(built.ok && built.request.command).toEqual(['python3', '-c', 'print(1)\nprint(2)']);
  });

  it('a Command line that does not parse is an error under the field, nothing is built', () => {
    const state = run(loaded(), { type: 'fieldEdited', field: 'commandLine', value: 'python3 -c "oops' });
    const built = buildSpawnRequest(custom, state.form!, 'r');
    expect(built.ok ? null : built.errors.commandLine?.[0]).toMatch(/Unclosed "/);
  });

  it('switching to one argument per line and back keeps the argv', () => {
    let state = run(loaded(), { type: 'fieldEdited', field: 'commandLine', value: "node -e 'console.log(1)' --x=\"a b\"" });
    state = run(state, { type: 'commandModeChanged', perLine: true });
    expect(state.form!.commandLine).toBeUndefined();
    expect([state.form!.program, state.form!.args]).toEqual(['node', "-e\nconsole.log(1)\n--x=a b"]);
    state = run(state, { type: 'fieldEdited', field: 'args', value: `${state.form!.args}\nlast one` });
    state = run(state, { type: 'commandModeChanged', perLine: false });
    expect(argvOf(state.form!.commandLine!)).toEqual(['node', '-e', 'console.log(1)', '--x=a b', 'last one']);
  });

  it('refuses to switch an argv the one-per-line editor cannot hold, and says why', () => {
    const before = run(loaded(), { type: 'fieldEdited', field: 'commandLine', value: 'python3 -c "a\nb"' });
    const after = run(before, { type: 'commandModeChanged', perLine: true });
    expect(after.form).toBe(before.form);
    expect(after.errors.commandLine?.[0]).toMatch(/Argument 2 spans lines/);
    expect(perLineProblem(['a', ''])).toMatch(/Argument 1 is empty/);
    expect(perLineProblem(['a', 'b'])).toBeNull();
  });
});
