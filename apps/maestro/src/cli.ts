import type { Command } from './cli/command.js';
import { reportError } from './cli/errors.js';
import { type Io, processIo } from './cli/io.js';
import { calcCommand } from './commands/calc.js';
import { clusterCommand } from './commands/cluster.js';
import { dumpCommand } from './commands/dump.js';
import { genCommand } from './commands/gen.js';
import { simulateCommand } from './commands/simulate.js';
import { statsCommand } from './commands/stats.js';

const COMMANDS: readonly Command[] = [
  simulateCommand,
  calcCommand,
  statsCommand,
  dumpCommand,
  genCommand,
  clusterCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `maestro: traffic distribution for a cluster of stateful security gateways

Usage: maestro <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "maestro <command> --help" for a command's options and examples.
`;
}

/** Runs the CLI on `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(
      `maestro: missing command; commands: ${COMMANDS.map((c) => c.name).join(', ')} (maestro --help)\n`,
    );
    return 2;
  }
  if (name === '-h' || name === '--help' || name === 'help') {
    io.out(usage());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.err(
      `maestro: unknown command ${JSON.stringify(name)}; commands: ${COMMANDS.map((c) => c.name).join(', ')}\n`,
    );
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return report(error, io);
  }
}

/** One line on stderr whatever went wrong (see `exitCodeOf`); the stack only with MAESTRO_DEBUG set. */
function report(error: unknown, io: Io): number {
  return reportError(error, io, Boolean(process.env['MAESTRO_DEBUG']));
}

// A reader that closes the pipe early (`maestro dump x | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = report(error, processIo());
  },
);
