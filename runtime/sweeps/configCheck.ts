// Adapters from the sweep config module to what the CLI and the HTTP routes print: one place decides
// which problems stop a sweep from being created (errors) and which are only reported (warnings).
import { parseSweepYaml, toLineColumn, validateSweepConfig, type SweepConfig } from './config';

export interface LocatedProblem {
  line: number;
  column: number;
  severity: string;
  message: string;
}

/** A YAML file's text: the filled config when there are no errors, and every problem with its position. */
export function checkSweepYaml(text: string): { config?: SweepConfig; diagnostics: LocatedProblem[] } {
  const parsed = parseSweepYaml(text);
  const diagnostics = parsed.diagnostics.map((d) => {
    const lc = toLineColumn(d.range);
    return { line: lc.line, column: lc.column, severity: d.severity, message: d.message };
  });
  return { config: parsed.config, diagnostics };
}

/** A config sent as data (Python's wandb.sweep, the HTTP API): problems as "path: message" lines. */
export function checkSweepObject(obj: unknown): { config?: SweepConfig; errors: string[]; warnings: string[] } {
  const v = validateSweepConfig(obj);
  return { config: v.config, errors: v.errors, warnings: v.warnings };
}
