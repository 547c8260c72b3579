// The declarations of `corral/client` (package.json "exports" → "./client" →
// "types"): tsc with tsconfig.client.json emits them to out/client-types/ — the
// client, and the contract types its calls and events are typed with — as part
// of `npm run build:cli` (scripts/cli.vite.config.mjs runs this after the bundle).
//
// The sources import relative modules without an extension (Bundler
// resolution), but a consumer on `moduleResolution: node16/nodenext` resolves a
// package's declarations as Node would, where `'./calls'` finds nothing and
// every type behind it silently becomes `any`. So each emitted relative
// specifier gets the extension Node needs ('./calls.js', './contract/index.js'),
// which every resolution mode reads as the matching .d.ts.
//
// Emit only (`noCheck`): checking is `npm run typecheck`'s job. A stamp beside
// the output lists every file the emit read with its mtime; while none changed,
// the next build skips the emit without even loading TypeScript.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Emits the declarations unless they are up to date; throws with tsc's messages on errors. Returns the entry's path. */
export async function emitClientTypes(root = process.cwd()) {
  const configFile = path.join(root, 'tsconfig.client.json');
  const outDir = path.join(root, 'out', 'client-types');
  const entry = path.join(outDir, 'src-main', 'client', 'index.d.ts');
  const stampFile = path.join(outDir, '.inputs.json');
  if (existsSync(entry) && isUpToDate(stampFile)) return entry;

  const { default: ts } = await import('typescript');
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(format(ts, [diagnostic]));
    },
  });
  const { options, fileNames } = parsed;
  if (path.resolve(options.outDir) !== outDir) throw new Error(`tsconfig.client.json must emit to ${outDir}`);
  const program = ts.createProgram({ rootNames: fileNames, options, configFileParsingDiagnostics: parsed.errors });
  const emitted = program.emit(undefined, (file, text, writeByteOrderMark) => {
    ts.sys.writeFile(file, withNodeExtensions(text, path.resolve(options.rootDir, path.relative(outDir, path.dirname(file)))), writeByteOrderMark);
  });
  const errors = [...parsed.errors, ...program.getOptionsDiagnostics(), ...program.getSyntacticDiagnostics(), ...emitted.diagnostics].filter(
    (diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error,
  );
  if (errors.length > 0 || emitted.emitSkipped) throw new Error(`The corral/client declarations did not build:\n${format(ts, errors)}`);

  const inputs = [configFile, fileURLToPath(import.meta.url), ...program.getSourceFiles().map((file) => path.resolve(file.fileName))];
  writeFileSync(stampFile, JSON.stringify(Object.fromEntries(inputs.map((file) => [file, statSync(file).mtimeMs]))));
  return entry;
}

/** True when every file the last emit read is still there with the same mtime (a new import changes an importer). */
function isUpToDate(stampFile) {
  try {
    const inputs = JSON.parse(readFileSync(stampFile, 'utf8'));
    return Object.entries(inputs).every(([file, mtimeMs]) => statSync(file).mtimeMs === mtimeMs);
  } catch {
    return false;
  }
}

/** `from './x'` / `import('./x')` → './x.js', or './x/index.js' for a folder, judged by the sources. */
function withNodeExtensions(text, sourceDir) {
  return text.replace(/(\bfrom\s*|\bimport\s*\(\s*)(['"])(\.{1,2}\/[^'"]*)\2/g, (whole, lead, quote, specifier) => {
    if (/\.[cm]?js$/.test(specifier)) return whole;
    const target = path.resolve(sourceDir, specifier);
    if (existsSync(`${target}.ts`)) return `${lead}${quote}${specifier}.js${quote}`;
    if (existsSync(path.join(target, 'index.ts'))) return `${lead}${quote}${specifier}/index.js${quote}`;
    return whole;
  });
}

function format(ts, diagnostics) {
  return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (name) => name, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' });
}
