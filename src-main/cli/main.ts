/**
 * `corral`: drive Corral from a shell or a script. Every command but `serve`
 * is a client of the data folder's host, through its local socket
 * (`src-main/client`). Exit codes: see exit-codes.ts.
 */
import { CliError, EXIT } from './exit-codes';

const HELP = `Usage: corral COMMAND [flags]   (every command takes --data-dir D; default: $CORRAL_DATA_DIR or the per-user folder)

  serve [--port N] [--no-web] [--metrics-port N] …   run the host in the foreground
  run [flags] -- PROGRAM [ARGS…]                     start an agent; prints its id (--follow: its output)
  ls [--all] [--json]                                list agents
  status ID [--json]                                 one agent in full
  logs ID [-f] [--stdout|--stderr] [--tail N]        an agent's output
  stop ID…|--all [--force]                           stop agents (whole trees)
  restart ID                                         stop (if running) and start again
  pause ID… | resume ID…                             freeze agents' whole trees / let them run again
  rm ID…|--finished                                  forget ended agents and their logs
  wait ID…                                           wait for agents to end; exits with the exit code
  shutdown [--stop-agents]                           end the host (agents keep running unless --stop-agents)
  apply FILE | down FILE                             agents as code

Exit codes: 0 ok, 1 agent failed or stop left survivors, 2 usage, 3 no host (and --no-start), 4 not found.
Run \`corral COMMAND --help\` for a command's flags.`;

/** How to run this program again (for starting a background host): node, its flags, this script. */
const ENTRY = [process.execPath, ...process.execArgv, process.argv[1] ?? ''];

async function dispatch(command: string | undefined, argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) return help(command);
  switch (command) {
    case 'serve': {
      const { runServe } = await import('./serve');
      await runServe(argv, { invokedAs: 'corral serve' });
      return -1; // runs until a signal; the host exits the process itself
    }
    case 'run':
      return (await import('./commands/run')).run(argv, ENTRY);
    case 'ls':
    case 'list':
      return (await import('./commands/inspect')).ls(argv);
    case 'status':
      return (await import('./commands/inspect')).status(argv);
    case 'logs':
      return (await import('./commands/logs')).logs(argv);
    case 'stop':
      return (await import('./commands/control')).stop(argv);
    case 'restart':
      return (await import('./commands/control')).restart(argv);
    case 'rm':
      return (await import('./commands/control')).rm(argv);
    case 'pause':
      return (await import('./commands/control')).pause(argv);
    case 'resume':
      return (await import('./commands/control')).resume(argv);
    case 'wait':
      return (await import('./commands/wait')).wait(argv);
    case 'shutdown':
      return (await import('./commands/shutdown')).shutdown(argv);
    case 'apply':
      return (await import('./commands/agents-file')).apply(argv, ENTRY);
    case 'down':
      return (await import('./commands/agents-file')).down(argv);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${HELP}\n`);
      return command === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new CliError(EXIT.usage, `Unknown command ${JSON.stringify(command)}.\n${HELP}`);
  }
}

async function help(command: string | undefined): Promise<number> {
  const usages: Record<string, () => Promise<string>> = {
    run: async () => (await import('./commands/run')).RUN_USAGE,
    ls: async () => (await import('./commands/inspect')).LS_USAGE,
    status: async () => (await import('./commands/inspect')).STATUS_USAGE,
    logs: async () => (await import('./commands/logs')).LOGS_USAGE,
    stop: async () => (await import('./commands/control')).STOP_USAGE,
    restart: async () => (await import('./commands/control')).RESTART_USAGE,
    rm: async () => (await import('./commands/control')).RM_USAGE,
    pause: async () => (await import('./commands/control')).PAUSE_USAGE,
    resume: async () => (await import('./commands/control')).RESUME_USAGE,
    wait: async () => (await import('./commands/wait')).WAIT_USAGE,
    shutdown: async () => (await import('./commands/shutdown')).SHUTDOWN_USAGE,
    apply: async () => (await import('./commands/agents-file')).APPLY_USAGE,
    down: async () => (await import('./commands/agents-file')).DOWN_USAGE,
  };
  const usage = command === undefined ? undefined : usages[command];
  if (usage === undefined) {
    if (command === 'serve') return dispatch('serve', ['--help']);
    process.stdout.write(`${HELP}\n`);
  } else {
    process.stdout.write(`Usage: ${await usage()}\n`);
  }
  return 0;
}

/** Runs one command line; resolves with the exit code (or never, for `serve`). */
export async function main(args: string[]): Promise<void> {
  const [command, ...argv] = args;
  try {
    const code = await dispatch(command, argv);
    if (code >= 0) process.exitCode = code;
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`corral: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`corral: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\nThis is a bug in corral; please report it.\n`);
      process.exitCode = EXIT.failed;
    }
  }
}

await main(process.argv.slice(2));
