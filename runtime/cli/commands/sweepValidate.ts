// `trackwell sweep validate FILE [--json]`: the editor's checks from the command line.
import fs from 'node:fs';
import { parseSweepYaml, toLineColumn, type Diagnostic } from '../../sweeps/config';

export interface ValidateJsonItem {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  message: string;
}

/** 1-based lines and columns; the end column is the first column after the range. */
export function toJsonItem(d: Diagnostic): ValidateJsonItem {
  return { ...toLineColumn(d.range), severity: d.severity, message: d.message };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export interface Output {
  write(text: string): unknown;
}

/**
 * Prints the problems in `file` and returns the exit code: 0 without errors (warnings allowed), 1 with
 * errors, 2 when the file cannot be read. `io` is for tests; the CLI prints to stdout and stderr.
 */
export async function sweepValidate(file: string, opts: { json: boolean }, io: { out: Output; err: Output } = { out: process.stdout, err: process.stderr }): Promise<number> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    if (opts.json) io.out.write(JSON.stringify([{ line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', message: `cannot read ${file}: ${why}` }]) + '\n');
    else io.err.write(`${file}: cannot read it: ${why}\n`);
    return 2;
  }
  const { diagnostics, config } = parseSweepYaml(text);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (opts.json) {
    io.out.write(JSON.stringify(diagnostics.map(toJsonItem)) + '\n');
    return errors ? 1 : 0;
  }
  for (const d of diagnostics) {
    const j = toJsonItem(d);
    io.out.write(`${file}:${j.line}:${j.column}: ${d.severity}: ${d.message}\n`);
  }
  const warnings = diagnostics.length - errors;
  if (errors) {
    io.out.write(`${file}: ${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''}; fix the errors before creating the sweep.\n`);
  } else {
    const count = Object.keys(config?.parameters ?? {}).length;
    io.out.write(`${file}: valid ${config?.method} sweep with ${plural(count, 'parameter')}${warnings ? ` (${plural(warnings, 'warning')})` : ''}.\n`);
  }
  return errors ? 1 : 0;
}
