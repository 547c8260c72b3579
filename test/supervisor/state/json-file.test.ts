/**
 * The JSON-file helper the state file and the settings file share, over real
 * files in a temporary folder: a missing file is the empty value, a valid one
 * is read (migrated first), and an unusable one is kept byte for byte beside
 * itself with a warning the user can act on, and never written over.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadOrSetAside, openJsonFile, type ConfOptions, type KeyValueFile } from '../../../src-main/supervisor/state/json-file';
import { tempDir } from '../../helpers/agents';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fileIn(): { dir: string; file: string } {
  const dir = tempDir();
  dirs.push(dir);
  return { dir, file: path.join(dir, 'thing.json') };
}

const schema = z.object({ version: z.literal(2), count: z.number().int() });
type Thing = z.infer<typeof schema>;

/** Version 1 called the count `n`. */
function migrate(json: unknown): unknown {
  if (typeof json === 'object' && json !== null && 'version' in json && json.version === 1 && 'n' in json) return { version: 2, count: json.n };
  return json;
}

const describeThing = { what: 'thing file', afterSetAside: 'the count starts at zero', whileStuck: 'Counts will not be saved until it is fixed or removed.' };
const options = { empty: (): Thing => ({ version: 2, count: 0 }), describe: describeThing, migrate };

function keptCopies(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('thing.json.corrupt-'));
}

describe('loadOrSetAside', () => {
  it('gives the empty value for a missing file, with no warning, and creates nothing', () => {
    const { dir, file } = fileIn();
    expect(loadOrSetAside(file, schema, options)).toEqual({ value: { version: 2, count: 0 }, warning: null, writable: true });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reads a valid file and leaves it as it was', () => {
    const { dir, file } = fileIn();
    const content = '{"version": 2, "count": 7}';
    writeFileSync(file, content);
    expect(loadOrSetAside(file, schema, options)).toEqual({ value: { version: 2, count: 7 }, warning: null, writable: true });
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(readdirSync(dir)).toEqual(['thing.json']);
  });

  it('migrates an older file before checking it; the file itself is left for its writer to replace', () => {
    const { file } = fileIn();
    writeFileSync(file, '{"version": 1, "n": 4}');
    expect(loadOrSetAside(file, schema, options)).toEqual({ value: { version: 2, count: 4 }, warning: null, writable: true });
    expect(readFileSync(file, 'utf8')).toBe('{"version": 1, "n": 4}');
    // Without the migration the same file breaks the schema.
    expect(loadOrSetAside(file, schema, { ...options, migrate: undefined })).toMatchObject({ value: { version: 2, count: 0 }, writable: true, warning: expect.stringContaining('does not match the expected format (version: ') });
  });

  it.each([
    ['truncated', Buffer.from('{"version": 2, "cou'), 'it is not valid JSON'],
    ['not UTF-8 at all', Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0xc3, 0x28, 0x0a]), 'it is not valid JSON'],
    ['schema-breaking', Buffer.from('{"version": 2, "count": "seven"}'), 'it does not match the expected format (count: '],
    ['from a later version', Buffer.from('{"version": 3, "count": 1}'), 'it does not match the expected format (version: '],
    ['not an object', Buffer.from('[1, 2]'), 'it does not match the expected format (Invalid input'],
  ])('sets a %s file aside byte for byte and gives the empty value with a warning naming the problem and the copy', (_what, bytes, reason) => {
    const { dir, file } = fileIn();
    writeFileSync(file, bytes);
    const loaded = loadOrSetAside(file, schema, options);
    expect(loaded.value).toEqual({ version: 2, count: 0 });
    expect(loaded.writable).toBe(true);
    const kept = keptCopies(dir);
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(dir, kept[0]!)).equals(bytes)).toBe(true);
    expect(readdirSync(dir)).toEqual(kept); // gone from its place, so a clean one can be written there
    expect(loaded.warning?.startsWith(`The thing file ${file} was set aside because ${reason}`)).toBe(true);
    expect(loaded.warning?.endsWith(`. It is kept as ${path.join(dir, kept[0]!)}; the count starts at zero.`)).toBe(true);
  });

  it('sets aside a file its migration throws on', () => {
    const { dir, file } = fileIn();
    writeFileSync(file, '{"version": 1}');
    const loaded = loadOrSetAside(file, schema, {
      ...options,
      migrate: () => {
        throw new Error('no n');
      },
    });
    expect(loaded).toMatchObject({ value: { version: 2, count: 0 }, writable: true, warning: expect.stringContaining('it could not be brought up to date (no n)') });
    expect(keptCopies(dir)).toHaveLength(1);
  });

  it('marks a file it can neither read nor set aside unwritable, and leaves it in place', () => {
    const { dir, file } = fileIn();
    // A folder where the file should be: unreadable as a file, and it cannot be copied aside.
    mkdirSync(file);
    const loaded = loadOrSetAside(file, schema, options);
    expect(loaded.value).toEqual({ version: 2, count: 0 });
    expect(loaded.writable).toBe(false);
    expect(loaded.warning).toMatch(new RegExp(`^The thing file ${file} is unusable because it could not be read \\(.*EISDIR.*\\), and could not be set aside \\(.*\\)\\. Counts will not be saved until it is fixed or removed\\.$`));
    expect(statSync(file).isDirectory()).toBe(true);
    expect(keptCopies(dir)).toEqual([]);
  });
});

describe('openJsonFile', () => {
  const openConf = (confOptions: ConfOptions) => new Conf(confOptions) as unknown as KeyValueFile;

  it('writes through conf to the same path, private to the user (0600), in the given serialisation', () => {
    const { dir, file } = fileIn();
    const opened = openJsonFile({ file, schema, ...options, serialize: (value) => `${JSON.stringify(value, null, 2)}\n` });
    expect(opened.warnings).toEqual([]);
    expect(opened.file?.path).toBe(file);
    expect(readdirSync(dir)).toEqual([]); // opening writes nothing
    opened.file!.store = { version: 2, count: 3 };
    expect(readFileSync(file, 'utf8')).toBe('{\n  "version": 2,\n  "count": 3\n}\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['thing.json']);
    expect(openJsonFile({ file, schema, ...options }).value).toEqual({ version: 2, count: 3 });
  });

  it('sets aside a file that became unusable between its read and conf\'s, then opens clean with what was read', () => {
    const { dir, file } = fileIn();
    writeFileSync(file, '{"version": 2, "count": 5}');
    let opens = 0;
    const opened = openJsonFile({
      file,
      schema,
      ...options,
      openFile: (confOptions) => {
        // Another writer got there first, and left half a file.
        if (opens++ === 0) writeFileSync(file, '{"vers');
        return openConf(confOptions);
      },
    });
    expect(opens).toBe(2);
    expect(opened.value).toEqual({ version: 2, count: 5 });
    expect(opened.warnings).toHaveLength(1);
    expect(opened.warnings[0]).toContain('was set aside because it could not be opened');
    const kept = keptCopies(dir);
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(dir, kept[0]!), 'utf8')).toBe('{"vers');
    opened.file!.store = { version: 2, count: 6 };
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 2, count: 6 });
  });

  it('opens no writer for a file it could not set aside', () => {
    const { file } = fileIn();
    mkdirSync(file);
    let opens = 0;
    const opened = openJsonFile({ file, schema, ...options, openFile: (confOptions) => (opens++, openConf(confOptions)) });
    expect(opened.file).toBeNull();
    expect(opens).toBe(0);
    expect(opened.warnings).toEqual([expect.stringContaining('could not be set aside')]);
  });

  it('reports a writer that cannot be opened at all, and gives none', () => {
    const { file } = fileIn();
    writeFileSync(file, '{"version": 2, "count": 1}');
    const opened = openJsonFile({
      file,
      schema,
      ...options,
      openFile: () => {
        throw new Error('no store today');
      },
    });
    expect(opened.file).toBeNull();
    expect(opened.value).toEqual({ version: 2, count: 1 });
    expect(opened.warnings).toEqual([
      expect.stringContaining('was set aside because it could not be opened (no store today)'),
      `The thing file ${file} could not be opened (no store today). Counts will not be saved until it is fixed or removed.`,
    ]);
  });
});
