// The log-view bench's agent: waits until the file named by argv[2] exists,
// then writes argv[3] numbered 59-byte lines to stdout as fast as it can (every tenth
// in colour), then idles until SIGTERM.
import { existsSync, writeSync } from 'node:fs';

const goFile = process.argv[2];
const total = Number(process.argv[3] ?? 1_000_000);
const PAD = 'x'.repeat(44);
const BATCH = 2000;

process.on('SIGTERM', () => process.exit(0));
console.log(`flood ready, ${total} lines when ${goFile} exists`);

function flood() {
  for (let n = 1; n <= total; ) {
    let chunk = '';
    for (let i = 0; i < BATCH && n <= total; i++, n++) {
      const seq = String(n).padStart(7, '0');
      chunk += n % 10 === 0 ? `\x1b[32mflood ${seq}\x1b[0m ${PAD}\n` : `flood ${seq} ${PAD}\n`;
    }
    writeSync(1, chunk);
  }
  console.log('flood done');
  setInterval(() => {}, 1000);
}

const poll = setInterval(() => {
  if (!existsSync(goFile)) return;
  clearInterval(poll);
  flood();
}, 10);
