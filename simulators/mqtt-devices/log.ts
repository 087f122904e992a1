/** `[sim]`-prefixed lines on stdout (errors on stderr). `--quiet` keeps errors and the summary only. */
export interface Log {
  /** A notable thing: a panic press, a refused connect, a device going silent. */
  info(line: string): void;
  /** Routine traffic, shown only with --verbose. */
  detail(line: string): void;
  error(line: string): void;
  /** Always shown (the final summary). */
  always(line: string): void;
}

export function createLog(options: { quiet: boolean; verbose: boolean }): Log {
  const out = (line: string): void => {
    process.stdout.write(`[sim] ${line}\n`);
  };
  return {
    info: (line) => {
      if (!options.quiet) out(line);
    },
    detail: (line) => {
      if (options.verbose && !options.quiet) out(line);
    },
    error: (line) => {
      process.stderr.write(`[sim] ${line}\n`);
    },
    always: out,
  };
}
