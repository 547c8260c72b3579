#!/usr/bin/env node
// Corral's demo agent: behaves like a small coding agent so a new user sees
// every part of Corral at work. It logs to stdout and stderr (with some ANSI
// colour), reports progress through CORRAL_STATUS_FILE, runs a worker child,
// bursts CPU now and then, and ends on its own after --seconds (default 120)
// or cleanly on SIGTERM. Plain Node, no dependencies: in the desktop app it
// runs under Electron's binary with ELECTRON_RUN_AS_NODE=1.
import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};

if (args[0] === '--worker') {
  runWorker();
} else {
  runAgent();
}

function runAgent() {
  const seconds = Math.max(5, Number(option('seconds', '120')) || 120);
  const prompt = option('prompt', '') || 'tidy up the repository';
  const statusFile = process.env.CORRAL_STATUS_FILE;
  const colour = (code, text) => `\x1b[${code}m${text}\x1b[0m`;
  const steps = ['reading the repository', 'planning', 'editing files', 'running the tests', 'reviewing the diff'];
  const startedAt = Date.now();
  let tick = 0;
  let lastProgress = 0;

  const report = (progress, message) => {
    if (!statusFile) return;
    // Written whole, then renamed, so Corral never reads half a file.
    const temporary = `${statusFile}.tmp`;
    writeFileSync(temporary, JSON.stringify({ progress, message }));
    renameSync(temporary, statusFile);
  };

  console.log(colour('1;36', `demo agent ${process.pid} starting`) + ` — task: ${prompt}`);
  console.error(colour('33', 'note: this is a demo; it changes no files'));

  const worker = spawn(process.execPath, [process.argv[1], '--worker'], { stdio: ['ignore', 'inherit', 'inherit'] });
  worker.on('exit', (code, signal) => console.log(colour('2', `worker exited (${signal ?? code})`)));

  const timer = setInterval(() => {
    tick++;
    const elapsed = (Date.now() - startedAt) / 1000;
    const progress = Math.min(100, Math.round((elapsed / seconds) * 100));
    const step = steps[Math.min(steps.length - 1, Math.floor((progress / 100) * steps.length))];
    lastProgress = progress;
    report(progress, step);
    console.log(`${colour('32', '✔')} [${String(tick).padStart(4, '0')}] ${step} — ${progress}%`);
    if (tick % 7 === 0) console.error(colour('31', `warning: step ${tick} took longer than expected`));
    if (tick % 5 === 0) burnCpu(300);
    if (elapsed >= seconds) finish(0, 'done');
  }, 500);

  let finishing = false;
  function finish(code, why) {
    if (finishing) return;
    finishing = true;
    clearInterval(timer);
    report(code === 0 && why === 'done' ? 100 : lastProgress, why);
    console.log(colour('1;32', `demo agent finished: ${why}`));
    worker.kill('SIGTERM');
    // Let the worker go first, as a careful agent would.
    const deadline = setTimeout(() => process.exit(code), 2000);
    worker.once('exit', () => {
      clearTimeout(deadline);
      process.exit(code);
    });
    if (worker.exitCode !== null || worker.signalCode !== null) process.exit(code);
  }

  process.on('SIGTERM', () => {
    console.error(colour('33', 'received SIGTERM: saving work and stopping'));
    finish(0, 'stopped on request');
  });
}

function runWorker() {
  let n = 0;
  const timer = setInterval(() => {
    n++;
    burnCpu(150);
    if (n % 4 === 0) console.log(`  worker ${process.pid}: processed batch ${n}`);
  }, 1000);
  process.on('SIGTERM', () => {
    clearInterval(timer);
    process.exit(0);
  });
}

function burnCpu(ms) {
  const until = Date.now() + ms;
  let x = 0;
  while (Date.now() < until) x += Math.sqrt(x + 1);
  return x;
}
